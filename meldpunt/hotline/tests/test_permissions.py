"""The permission matrix of the hotline pages, in the style of cases/tests/test_permissions.py.

Every hotline URL for every role, each on a fresh content-hotline report held by
the line's analyst, with one address waiting for an analyst. Denied requests
must leave the address and the audit log exactly as they were.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases.services import case_claim
from meldpunt.cases.tests.factories import make_report
from meldpunt.hotline import urls as hotline_urls
from meldpunt.hotline.models import HotlineState, ReportedUrl
from meldpunt.hotline.services import reported_url_create
from meldpunt.lines.models import LineKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.network.models import PartnerMembership
from meldpunt.network.tests.factories import make_partner
from meldpunt.testing import (
    CASE_READ,
    FORBIDDEN,
    OK,
    PERMISSION_ROLES,
    REDIRECT,
    answer_mismatch,
    make_category,
    make_line,
    make_staff,
    sign_in,
)
from meldpunt.vault.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

ROLES = PERMISSION_ROLES
READ = CASE_READ
WRITE = {**READ, "administrator": FORBIDDEN, "supervisor": REDIRECT, "analyst_of_line": REDIRECT}
# The provider monitor: figures of the user's own lines (administrators: every line).
MONITOR = {**READ, "administrator": OK, "analyst_of_other_line": OK}


class World:
    def __init__(self, role: str) -> None:
        self.line = make_line(kind=LineKind.CONTENT_HOTLINE)
        self.category = make_category(line=self.line)
        self.holder = make_staff(lines=[self.line])
        self.actor = {
            "administrator": lambda: make_staff(lines=[self.line], role=Role.ADMINISTRATOR),
            "supervisor": lambda: make_staff(lines=[self.line], role=Role.SUPERVISOR),
            "analyst_of_line": lambda: self.holder,
            "analyst_of_other_line": lambda: make_staff(
                lines=[make_line(kind=LineKind.CONTENT_HOTLINE)]
            ),
            "partner": lambda: make_staff(role=Role.PARTNER),
            "anonymous": lambda: None,
        }[role]()
        if role == "partner":
            PartnerMembership.objects.create(
                partner=make_partner(lines=[self.line]), user=self.actor
            )

    def address(self) -> ReportedUrl:
        """A held report with one checked address waiting for an analyst (no fetch needed)."""
        report = make_report(category=self.category)
        case_claim(report=report, actor=self.holder, version=0)
        item = reported_url_create(
            report=report, address=url_normalise("https://pics.example.test/a.jpg")
        )
        ReportedUrl.objects.filter(pk=item.pk).update(
            state=HotlineState.ASSESSMENT,
            check_count=1,
            next_check_at=timezone.now() + timedelta(hours=20),
        )
        return item


def _cases(world: World) -> list[tuple[str, str, str, dict, dict, ReportedUrl]]:
    rows = []
    for name, method, data, expected in [
        ("report", "get", {}, READ),
        ("assess", "post", {"decision": "illegal", "state": "assessment"}, WRITE),
        ("recheck", "post", {}, WRITE),
        ("monitor", "get", {}, MONITOR),
        ("monitor_csv", "get", {}, MONITOR),
    ]:
        item = world.address()
        args = {"report": [item.report_id], "monitor": [], "monitor_csv": []}.get(
            name, [item.report_id, item.pk]
        )
        rows.append((name, method, reverse(f"hotline:{name}", args=args), data, expected, item))
    return rows


def test_the_matrix_covers_every_hotline_url():
    assert {row[0] for row in _cases(World("supervisor"))} == {
        pattern.name for pattern in hotline_urls.urlpatterns
    }


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    world = World(role)
    client = Client()
    if world.actor is not None:
        sign_in(client, world.actor)
    wrong = []
    for name, method, url, data, expected, item in _cases(world):
        want = expected[role]
        before = (ReportedUrl.objects.filter(pk=item.pk).values().get(), AuditEvent.objects.count())
        response = getattr(client, method)(url, data)
        allowed = want in (OK, REDIRECT)
        if mismatch := answer_mismatch(response, want):
            wrong.append(f"{method.upper()} {name}: {mismatch}")
        after = (ReportedUrl.objects.filter(pk=item.pk).values().get(), AuditEvent.objects.count())
        if not allowed and after != before:
            wrong.append(f"{method.upper()} {name}: denied, but something changed")
        if allowed and method == "post" and after[0] == before[0]:
            wrong.append(f"{method.upper()} {name}: allowed, but nothing changed")
    assert wrong == []
