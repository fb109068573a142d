"""The permission matrix of the partner portal and of feedback, statements and evaluations.

Every such URL for every role: staff of the report's line (administrator,
supervisor, the analyst who holds the case), an analyst of another line, a
member of partner A (the forward's partner), a member of partner B (which got
a forward of the same report, but not this one) and anonymous. Each row works
on a report of its own with a file, forwarded to A and B. Denied requests must
leave feedback, questions, the reporter's mailbox, the sealed keys and the
audit log as they were; an allowed POST must change something besides the
audit log.
"""

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.models import Message
from meldpunt.intake.services import IncomingFile, MailboxAccess, reporter_message_post
from meldpunt.lines.models import Municipality
from meldpunt.testing import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    answer_mismatch,
    make_category,
    make_staff,
    sign_in,
)
from meldpunt.vault.models import AuditEvent, KeyGrant, Role

from .. import partner_urls, urls
from ..feedback import followup_ask, followup_relay
from ..models import FollowUpQuestion, ForwardFeedback, PartnerKind
from .factories import add_member, forwarded, key_of, make_partner, usable_report_with_files

pytestmark = pytest.mark.django_db

ROLES = (
    "administrator",
    "supervisor",
    "analyst_of_line",
    "analyst_of_other_line",
    "partner_a",
    "partner_b",
    "anonymous",
)
STAFF = ROLES[:4]
# The partner portal: members of the forward's partner only.
OWN_FORWARD = {**{r: NOT_FOUND for r in ROLES[:6]}, "partner_a": OK, "anonymous": LOGIN}
OWN_FORWARD_POST = {**OWN_FORWARD, "partner_a": REDIRECT}
INBOX = {**OWN_FORWARD, "partner_b": OK}
# The report's feedback page: staff of its line.
CASE_READ = {
    **{r: OK for r in ROLES[:3]},
    **{r: NOT_FOUND for r in ROLES[3:6]},
    "anonymous": LOGIN,
}
# Relaying and answering change the case: its holder or a supervisor, not administrators.
CASE_WRITE = {**CASE_READ, "administrator": FORBIDDEN, "supervisor": REDIRECT}
CASE_WRITE["analyst_of_line"] = REDIRECT
# Statements and evaluations: supervisors and administrators.
BILLING = {
    "administrator": OK,
    "supervisor": OK,
    **{r: NOT_FOUND for r in ROLES[2:6]},
    "anonymous": LOGIN,
}
# The names this matrix requests; the back office's matrix (cases) covers the rest.
NAMES = {f"partner:{pattern.name}" for pattern in partner_urls.urlpatterns} | {
    "network:returns",
    "network:relay",
    "network:answer",
    "network:partners",
    "network:statement",
    "network:statement_csv",
    "network:evaluation",
}


class World:
    def __init__(self, role: str) -> None:
        self.category = make_category()
        self.line = self.category.line
        self.holder = make_staff(lines=[self.line])
        self.partner_a = make_partner(
            lines=[self.line],
            name="Gemeente Utrecht",
            kind=PartnerKind.MUNICIPALITY,
            municipality=Municipality.objects.create(code="GM0344", name="Utrecht"),
            connected_from=date(2020, 1, 1),
        )
        self.partner_b = make_partner(lines=[self.line], name="Politie")
        self.actor = {
            "administrator": lambda: make_staff(lines=[self.line], role=Role.ADMINISTRATOR),
            "supervisor": lambda: make_staff(lines=[self.line], role=Role.SUPERVISOR),
            "analyst_of_line": lambda: self.holder,
            "analyst_of_other_line": lambda: make_staff(lines=[make_category().line]),
            "partner_a": lambda: add_member(self.partner_a),
            "partner_b": lambda: add_member(self.partner_b),
            "anonymous": lambda: None,
        }[role]()

    def forward(self):
        """A report with a file forwarded to A and B (after the actor joined); A's forward."""
        report = usable_report_with_files(
            category=self.category,
            holder=self.holder,
            text="Een busje.",
            files=[IncomingFile(source=io.BytesIO(b"kenteken\n"), name="notities.txt")],
        )
        forward_a, _forward_b = forwarded(
            report=report,
            partners=[self.partner_a, self.partner_b],
            actor=self.holder,
            files=list(EvidenceFile.objects.filter(attachment__report=report)),
        )
        return forward_a

    def question(self, *, answered: bool):
        forward = self.forward()
        member = self.partner_a.memberships.first().user
        question = followup_ask(forward=forward, actor=member, text="Welk busje?")
        key = key_of(forward.report, self.holder)
        followup_relay(question=question, actor=self.holder, key_bytes=key, body="Welk busje?")
        if answered:
            access = MailboxAccess(report=forward.report, key_bytes=key)
            reporter_message_post(access=access, body="Een wit busje.")
        question.refresh_from_db()
        return question


def _cases(world: World) -> list[tuple]:
    """(name, method, url, data, expected by role)."""
    forward = world.forward()
    report = forward.report
    asked = followup_ask(
        forward=forward, actor=world.partner_a.memberships.first().user, text="Wat?"
    )
    answered = world.question(answered=True)
    upto = Message.objects.filter(report=answered.forward.report).latest("pk").pk
    partner = world.partner_a.pk
    add_member(world.partner_a)  # joined after the forwards: re-sealing has work to do
    period = {"start": "2026-01-01", "end": "2026-12-31"}
    return [
        ("partner:inbox", "get", reverse("partner:inbox"), {}, INBOX),
        ("partner:forward", "get", reverse("partner:forward", args=[forward.pk]), {}, OWN_FORWARD),
        ("partner:file", "get", reverse("partner:file", args=[forward.pk, 1]), {}, OWN_FORWARD),
        ("partner:reseal", "post", reverse("partner:reseal", args=[partner]), {}, OWN_FORWARD_POST),
        (
            "partner:feedback",
            "post",
            reverse("partner:feedback", args=[forward.pk]),
            {"version": 0, "outcome": "taken_up", "text": "Opgepakt"},
            OWN_FORWARD_POST,
        ),
        (
            "partner:question",
            "post",
            reverse("partner:question", args=[forward.pk]),
            {"text": "Welke kleur?"},
            OWN_FORWARD_POST,
        ),
        ("network:returns", "get", reverse("network:returns", args=[report.pk]), {}, CASE_READ),
        (
            "network:relay",
            "post",
            reverse("network:relay", args=[report.pk, asked.pk]),
            {"body": "Wat weet u nog meer?"},
            CASE_WRITE,
        ),
        (
            "network:answer",
            "post",
            reverse("network:answer", args=[answered.forward.report_id, answered.pk]),
            {"upto": upto},
            CASE_WRITE,
        ),
        ("network:partners", "get", reverse("network:partners"), {}, BILLING),
        ("network:statement", "get", reverse("network:statement", args=[partner]), period, BILLING),
        (
            "network:statement_csv",
            "get",
            reverse("network:statement_csv", args=[partner]),
            period,
            BILLING,
        ),
        ("network:evaluation", "get", reverse("network:evaluation", args=[partner]), {}, BILLING),
    ]


def _state() -> tuple:
    return (
        list(ForwardFeedback.objects.values()),
        list(FollowUpQuestion.objects.order_by("pk").values()),
        Message.objects.count(),
        KeyGrant.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_matrix_covers_every_portal_page_and_every_page_added_for_feedback_and_billing():
    assert {f"partner:{p.name}" for p in partner_urls.urlpatterns} <= NAMES
    assert NAMES <= {f"network:{p.name}" for p in urls.urlpatterns} | {
        f"partner:{p.name}" for p in partner_urls.urlpatterns
    }
    assert {row[0] for row in _cases(World("supervisor"))} == NAMES


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    world = World(role)
    client = Client()
    if world.actor is not None:
        sign_in(client, world.actor)
    wrong = []
    for name, method, url, data, expected in _cases(world):
        want = expected[role]
        before = _state()
        response = getattr(client, method)(url, data)
        if mismatch := answer_mismatch(response, want):
            wrong.append(f"{method.upper()} {name}: {mismatch}")
        after = _state()
        if want not in (OK, REDIRECT) and after != before:
            wrong.append(f"{method.upper()} {name}: denied, but something changed")
        if want == REDIRECT and after[:-1] == before[:-1]:
            wrong.append(f"{method.upper()} {name}: allowed, but nothing changed")
    assert wrong == []


def test_a_partner_sees_only_the_forwards_addressed_to_it():
    world = World("partner_a")
    forward_a = world.forward()
    forward_b = forward_a.report.forwards.get(partner=world.partner_b)
    for member, own, other in [
        (world.actor, forward_a, forward_b),
        (world.partner_b.memberships.first().user, forward_b, forward_a),
    ]:
        client = Client()
        sign_in(client, member)
        inbox = client.get(reverse("partner:inbox")).content.decode()
        assert reverse("partner:forward", args=[own.pk]) in inbox
        assert reverse("partner:forward", args=[other.pk]) not in inbox
        assert client.get(reverse("partner:forward", args=[other.pk])).status_code == 404
