"""The permission matrix of the hotline pages, in the style of cases/tests/test_permissions.py.

Every hotline URL for every role, each on a fresh content-hotline report held by
the line's analyst, with one address waiting for an analyst. Denied requests
must leave the address and the audit log exactly as they were.
"""

import hashlib
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases.services import case_claim
from meldpunt.cases.tests.factories import make_report
from meldpunt.evidence.services import evidence_prepare
from meldpunt.hashes.models import OwnListEntry
from meldpunt.hashes.services import own_entry_retire, own_list_add
from meldpunt.hashes.tests import pictures
from meldpunt.hotline import urls as hotline_urls
from meldpunt.hotline.capturing import capture_store
from meldpunt.hotline.models import (
    CheckPurpose,
    FetchAttempt,
    HotlineState,
    ItemClassification,
    MediaSearch,
    MediaState,
    PageMediaItem,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_seal, url_seal
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
# The queue lists only the user's lines: another line's analyst gets an empty one.
QUEUE = {**READ, "analyst_of_other_line": OK}
CLASSIFY = {
    "material": "csam",
    "age_group": "pubescent",
    "gender": "boy",
    "media_kind": "image",
    "state": "assessment",
    "seen": "",
}
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

    def _stored(self, item: ReportedUrl, seed: int) -> tuple:
        data = pictures.jpeg(pictures.picture(seed))
        prepared = evidence_prepare(source=io.BytesIO(data), name="a.jpg", max_bytes=10**7)
        hashes = prepared.hashes
        details = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "cleaned_sha256": hashes["sha256"],
            "pdq": hashes["pdq"],
            "pdq_quality": hashes["pdq_quality"],
        }
        return capture_store(item=item, prepared=prepared), details

    def pictured(self) -> tuple[ReportedUrl, PageMediaItem]:
        """An address that is itself a picture, on a page with one more: both unknown."""
        item = self.address()
        evidence, details = self._stored(item, 31)
        attempt = FetchAttempt.objects.create(
            reported_url=item,
            purpose=CheckPurpose.FIRST,
            checked_at=item.created_at,
            outcome="online",
            media_type="image/jpeg",
            sealed_details=details_seal(details),
            evidence=evidence,
            media_search=MediaSearch.SEARCHED,
        )
        evidence, details = self._stored(item, 32)
        media = PageMediaItem.objects.create(
            attempt=attempt,
            position=0,
            sealed_url=url_seal("https://pics.example.test/b.jpg"),
            sealed_details=details_seal(details),
            state=MediaState.STORED,
            media_type="image/jpeg",
            evidence=evidence,
        )
        return item, media

    def on_own_list(self, *, retired: bool) -> tuple[ReportedUrl, OwnListEntry]:
        item, media = self.pictured()
        entry = own_list_add(
            hashes=[("sha256", "ab" * 32)],
            pdq_quality=None,
            source="hotline",
            reference=f"address {item.pk}",
            actor=self.holder,
        )
        if retired:
            own_entry_retire(entry=entry, actor=self.holder, reason="test")
        ItemClassification.objects.create(
            reported_url=item,
            media_item=media,
            material="csam",
            age_group="pubescent",
            gender="boy",
            media_kind="image",
            classified_at=timezone.now(),
            classified_by=self.holder,
            own_entry=entry,
        )
        return item, entry


def _address_probe(item: ReportedUrl):
    return lambda: ReportedUrl.objects.filter(pk=item.pk).values().get()


def _cases(world: World) -> list[tuple]:
    """(url name, method, url, data, expected, probe): ``probe`` reads what the request
    may change, to compare before and after."""
    rows = []
    for name, method, data, expected in [
        ("report", "get", {}, READ),
        ("queue", "get", {}, QUEUE),
        ("assess", "post", {"decision": "illegal", "state": "assessment"}, WRITE),
        ("recheck", "post", {}, WRITE),
        ("export", "get", {}, READ),
        ("monitor", "get", {}, MONITOR),
        ("monitor_csv", "get", {}, MONITOR),
        # The confirm page of the actions by hosting; the network app serves it.
        ("network:hotline_actions", "get", {}, READ),
    ]:
        item = world.address()
        args = {"report": [item.report_id], "queue": [], "monitor": [], "monitor_csv": []}.get(
            name, [item.report_id, item.pk]
        )
        url = reverse(name if ":" in name else f"hotline:{name}", args=args)
        rows.append((name, method, url, data, expected, _address_probe(item)))
    item, media = world.pictured()
    url = reverse("hotline:classify", args=[item.report_id, item.pk, media.pk])
    rows.append(("classify", "post", url, CLASSIFY, WRITE, _address_probe(item)))
    item, _media = world.pictured()
    url = reverse("hotline:classify_file", args=[item.report_id, item.pk])
    rows.append(("classify_file", "post", url, CLASSIFY, WRITE, _address_probe(item)))
    for name, retired in [("own_entry_retire", False), ("own_entry_restore", True)]:
        item, entry = world.on_own_list(retired=retired)
        url = reverse(f"hotline:{name}", args=[item.report_id, item.pk, entry.pk])
        probe = lambda entry=entry: OwnListEntry.objects.filter(pk=entry.pk).values().get()  # noqa: E731
        rows.append((name, "post", url, {"reason": "a mistake"}, WRITE, probe))
    return rows


def test_the_matrix_covers_every_hotline_url():
    assert {row[0] for row in _cases(World("supervisor"))} == {
        pattern.name for pattern in hotline_urls.urlpatterns
    } | {"network:hotline_actions"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    world = World(role)
    client = Client()
    if world.actor is not None:
        sign_in(client, world.actor)
    wrong = []
    for name, method, url, data, expected, probe in _cases(world):
        want = expected[role]
        before = (probe(), AuditEvent.objects.count())
        response = getattr(client, method)(url, data)
        allowed = want in (OK, REDIRECT)
        if mismatch := answer_mismatch(response, want):
            wrong.append(f"{method.upper()} {name}: {mismatch}")
        after = (probe(), AuditEvent.objects.count())
        if not allowed and after != before:
            wrong.append(f"{method.upper()} {name}: denied, but something changed")
        if allowed and method == "post" and after[0] == before[0]:
            wrong.append(f"{method.upper()} {name}: allowed, but nothing changed")
    assert wrong == []
