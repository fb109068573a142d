"""The permission matrix: every back-office URL (cases, forwarding, partner portal) for every role.

One test per role walks through all URLs, each on a fresh report held by the
line's analyst (unheld for "claim"), and checks the status code. Denied requests
must leave the report, its case, its messages, notes, keys and the audit log
exactly as they were. Failures are collected so one run shows every wrong cell.
"""

import pytest
from django.test import Client
from django.urls import reverse

from meldpunt.cases.models import Case, CaseClassification, CaseNote, LineCaseSettings
from meldpunt.cases.services import case_approve, case_claim, case_link, case_triage
from meldpunt.intake.models import Message, Report
from meldpunt.lines.models import Municipality
from meldpunt.network.attachments import Attachment, forward_files_store
from meldpunt.network.models import Forward, ForwardDraft, PartnerMembership
from meldpunt.network.services import forward_create, forward_draft_current
from meldpunt.network.tests.factories import key_of, make_partner
from meldpunt.network.tests.test_permissions import NAMES as NETWORK_MATRIX_NAMES
from meldpunt.testing import (
    CASE_READ,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    PASSWORD,
    PERMISSION_ROLES,
    REDIRECT,
    answer_mismatch,
    make_category,
    make_staff,
    sign_in,
)
from meldpunt.vault.keys import data_key_open, staff_key_unlock
from meldpunt.vault.models import AuditEvent, KeyGrant, Role

from .factories import make_report, make_scheme

pytestmark = pytest.mark.django_db

ROLES = PERMISSION_ROLES
READ = CASE_READ
WRITE = {
    "administrator": FORBIDDEN,  # may read their line's cases, never work them
    "supervisor": REDIRECT,
    "analyst_of_line": REDIRECT,
    "analyst_of_other_line": NOT_FOUND,
    "partner": NOT_FOUND,
    "anonymous": LOGIN,
}
QUEUE = {**READ, "analyst_of_other_line": OK}
# Pages about oneself rather than a case: every staff role may use them.
STAFF_POST = {**QUEUE, **{role: REDIRECT for role in ROLES[:4]}}
ADMINISTRATORS_ONLY = {
    **{r: NOT_FOUND for r in ROLES[1:5]},
    "administrator": OK,
    "anonymous": LOGIN,
}
# Reveals per line per week: supervisors only (analysts must not see their team's figures).
SUPERVISORS_ONLY = {
    **{r: NOT_FOUND for r in ROLES[:5]},
    "supervisor": OK,
    "anonymous": LOGIN,
}
# The holder assessed the report usable; only a second person may agree.
REVIEW = {**WRITE, "analyst_of_line": FORBIDDEN}
# Preparing a forward is changing the case: administrators may read it, not prepare it.
PREPARE = {**READ, "administrator": FORBIDDEN}
# The partner portal: partner users only; staff of the reporting point have none.
PARTNER_ONLY = {**{r: NOT_FOUND for r in ROLES[:4]}, "partner": OK, "anonymous": LOGIN}
PARTNER_POST = {**PARTNER_ONLY, "partner": REDIRECT}


class World:
    """A line with a holder and a colleague, and the acting user for one role."""

    def __init__(self, role: str) -> None:
        self.category = make_category()
        self.line = self.category.line
        self.other_category = make_category(line=self.line)
        self.holder = make_staff(lines=[self.line])
        self.colleague = make_staff(lines=[self.line])
        self.scheme = make_scheme(line=self.line)
        LineCaseSettings.objects.create(line=self.line, requires_review=True)
        self.partner = make_partner(lines=[self.line])
        self.actor = {
            "administrator": lambda: make_staff(lines=[self.line], role=Role.ADMINISTRATOR),
            "supervisor": lambda: make_staff(lines=[self.line], role=Role.SUPERVISOR),
            "analyst_of_line": lambda: self.holder,
            "analyst_of_other_line": lambda: make_staff(lines=[make_category().line]),
            "partner": lambda: make_staff(role=Role.PARTNER),
            "anonymous": lambda: None,
        }[role]()

        if role == "partner":
            # A partner user who is even a member of the line: still nothing of the back office.
            PartnerMembership.objects.create(partner=self.partner, user=self.actor)

    def held_report(self, text: str = "A van unloads at night") -> Report:
        report = make_report(category=self.category, text=text)
        case_claim(report=report, actor=self.holder, version=0)
        return report

    def drafted_report(self, text: str = "Bel 06-12345678 over de van") -> Report:
        """Held, with a stored redaction draft (version 1)."""
        report = self.held_report(text)
        forward_draft_current(
            report=report, actor=self.holder, key_bytes=key_of(report, self.holder)
        )
        return report

    def forwardable_report(self) -> Report:
        """Assessed usable, agreed by a colleague (case version 3), a draft with nothing marked."""
        report = self.drafted_report("A van unloads at night")
        case_triage(report=report, actor=self.holder, version=1, outcome="usable")
        case_approve(report=report, actor=self.colleague, version=2)
        return report


def _cases(world: World) -> list[tuple[str, str, str, dict, dict]]:
    """(name, method, url, data, expected by role), each on its own report."""
    rows = []

    def add(name, method, expected, data=None, report=None):
        report = report or world.held_report()
        full_name = name if ":" in name else f"cases:{name}"
        url = (
            reverse(full_name)
            if name
            in (
                "queue",
                "content_search",
                "notification_settings",
                "notification_status",
                "exposure",
                "exposure_teams",
                "partner:inbox",
            )
            else reverse(full_name, args=[report.pk])
        )
        payload = data(report) if callable(data) else (data or {})
        rows.append((name, method, url, payload, expected, report))

    add("queue", "get", QUEUE)
    add("content_search", "get", QUEUE)
    add("content_search", "post", QUEUE, {"text": "van"})
    add("notification_settings", "get", QUEUE)
    add("notification_settings", "post", STAFF_POST, {"by_email": ""})
    add("notification_status", "get", ADMINISTRATORS_ONLY)
    add("exposure", "get", QUEUE)
    add("exposure", "post", STAFF_POST, {"daily_reveal_limit": "20"})
    add("exposure_teams", "get", SUPERVISORS_ONLY)
    add("report", "get", READ)
    add("related", "get", READ)
    add("claim", "post", WRITE, {"version": 0}, report=make_report(category=world.category))
    add("release", "post", WRITE, {"version": 1})
    add("hand_over", "post", WRITE, {"version": 1, "to": world.colleague.pk})
    add("triage", "post", WRITE, {"version": 1, "outcome": "usable"})
    add(
        "classify",
        "post",
        WRITE,
        {"version": 1, f"scheme_{world.scheme.pk}": world.scheme.options.first().pk},
    )
    add("category", "post", WRITE, {"version": 1, "category": world.other_category.pk})
    add("report", "post", WRITE, {"body": "Which colour was the car?"})
    earlier = make_report(category=world.category)
    add("link", "post", WRITE, {"version": 1, "reference": earlier.reference, "kind": "follow_up"})
    linked = world.held_report()
    case_link(report=linked, actor=world.holder, version=1, earlier=earlier, kind="follow_up")
    add("unlink", "post", WRITE, {"version": 2}, report=linked)
    assessed = world.held_report()
    case_triage(report=assessed, actor=world.holder, version=1, outcome="usable")
    add("approve", "post", REVIEW, {"version": 2}, report=assessed)
    add("note", "post", WRITE, {"body": "Seen this van before"})
    add("close", "post", WRITE, {"version": 1, "outcome": "handled", "reason": "Done"})
    add("network:prepare", "get", PREPARE)
    add(
        "network:decide",
        "post",
        WRITE,
        {"version": 1, "index": 0, "decision": "redact"},
        report=world.drafted_report(),
    )
    add("network:redact", "post", WRITE, {"version": 1, "passage": "van"}, world.drafted_report())
    add("network:restart", "post", WRITE, {"version": 1}, report=world.drafted_report())
    add(
        "network:forward",
        "post",
        WRITE,
        {"version": 1, "case_version": 3, "partner": world.partner.pk},
        report=world.forwardable_report(),
    )
    add(
        "network:locate",
        "post",
        WRITE,
        lambda _report: {
            "municipality": Municipality.objects.get_or_create(
                code="GM0363", defaults={"name": "Amsterdam"}
            )[0].code
        },
    )
    add("partner:inbox", "get", PARTNER_ONLY)
    forwarded = world.forwardable_report()
    [forward] = forward_create(
        report=forwarded,
        partners=[world.partner],
        actor=world.holder,
        key_bytes=key_of(forwarded, world.holder),
        draft_version=1,
        case_version=3,
    )
    rows.append(
        (
            "partner:forward",
            "get",
            reverse("partner:forward", args=[forward.pk]),
            {},
            PARTNER_ONLY,
            forwarded,
        )
    )
    member = world.partner.memberships.first().user
    forward_files_store(
        forward=forward,
        attachments=[Attachment(name="a.txt", media_type="text/plain", data=b"kenteken\n")],
        forward_key=data_key_open(
            data_key=forward.data_key,
            private_key=staff_key_unlock(user=member, password=PASSWORD),
            user=member,
        ),
        written=[],
    )
    rows.append(
        (
            "partner:file",
            "get",
            reverse("partner:file", args=[forward.pk, 1]),
            {},
            PARTNER_ONLY,
            forwarded,
        )
    )
    rows.append(
        (
            "partner:reseal",
            "post",
            reverse("partner:reseal", args=[world.partner.pk]),
            {},
            PARTNER_POST,
            forwarded,
        )
    )
    return rows


def _state(report: Report) -> dict:
    case = Case.objects.filter(report=report).values().first()
    return {
        "report": Report.objects.filter(pk=report.pk).values().get(),
        "case": case,
        "messages": Message.objects.filter(report=report).count(),
        "notes": CaseNote.objects.filter(case__report=report).count(),
        "classifications": CaseClassification.objects.filter(case__report=report).count(),
        "grants": KeyGrant.objects.filter(data_key=report.data_key).count(),
        "audit": AuditEvent.objects.count(),
        "draft": ForwardDraft.objects.filter(report=report).values_list("version").first(),
        "forwards": list(Forward.objects.filter(report=report).values()),
    }


def _urls_covered() -> set[str]:
    from meldpunt.cases.urls import urlpatterns
    from meldpunt.network import partner_urls, urls

    return (
        {pattern.name for pattern in urlpatterns}
        | {f"network:{pattern.name}" for pattern in urls.urlpatterns}
        | {f"partner:{pattern.name}" for pattern in partner_urls.urlpatterns}
    )


def test_the_matrix_covers_every_back_office_url():
    names = {"queue", "content_search", "report", "related", "claim", "release", "hand_over"}
    names |= {"triage", "approve", "notification_settings", "notification_status"}
    names |= {"exposure", "exposure_teams"}
    names |= {"classify", "category", "link", "unlink", "note", "close"}
    names |= {"network:prepare", "network:decide", "network:redact", "network:restart"}
    names |= {"network:forward", "network:locate", "partner:inbox", "partner:forward"}
    names |= {"partner:file", "partner:reseal"}
    # Feedback, statements and the rest of the portal have a matrix of their own;
    # the hotline's action page is in the hotline's.
    assert _urls_covered() == names | NETWORK_MATRIX_NAMES | {"network:hotline_actions"}
    # ... and every one of them is requested by the matrix below.
    assert {row[0] for row in _cases(World("supervisor"))} == names


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    world = World(role)
    client = Client()
    if world.actor is not None:
        sign_in(client, world.actor)
    wrong = []
    for name, method, url, data, expected, report in _cases(world):
        want = expected[role]
        before = _state(report)
        response = getattr(client, method)(url, data)
        allowed = want in (OK, REDIRECT)
        if mismatch := answer_mismatch(response, want):
            wrong.append(f"{method.upper()} {name}: {mismatch}")
        if not allowed and _state(report) != before:
            wrong.append(f"{method.upper()} {name}: denied, yet something changed")
        if allowed and method == "post" and want == REDIRECT and _state(report) == before:
            wrong.append(f"{method.upper()} {name}: allowed, yet nothing changed")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_case_of_another_line_looks_exactly_like_a_missing_one(client):
    category = make_category()
    report = make_report(category=category)
    outsider = make_staff(lines=[make_category().line])
    sign_in(client, outsider)
    missing = Report.objects.order_by("-pk").first().pk + 1000
    overflowing = client.get(reverse("cases:report", args=[10**30]))
    assert overflowing.status_code == 404
    for name in ("report", "related", "claim", "close"):
        method = client.get if name in ("report", "related") else client.post
        existing = method(reverse(f"cases:{name}", args=[report.pk]), {"version": 0})
        absent = method(reverse(f"cases:{name}", args=[missing]), {"version": 0})
        assert existing.status_code == absent.status_code == 404
        assert existing.content == absent.content
    assert not AuditEvent.objects.filter(target_type="intake.report").exists()
