"""The analyst's queue across reports and the item-by-item classification, end to end.

The real crawler against a local web and DNS server (conftest), real cleaning,
hashing and matching, the own hash list in ``hashes`` and the pages through
Django's test client.
"""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from meldpunt.cases.services import case_claim
from meldpunt.cases.tests.factories import make_report
from meldpunt.hashes.matching import hashes_match_exact
from meldpunt.hashes.models import OwnListEntry
from meldpunt.hashes.tests import pictures
from meldpunt.hotline import selectors
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import (
    HotlineState,
    ItemClassification,
    KnownStatus,
    MediaState,
    PageMediaItem,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open, url_open, url_seal, url_tag
from meldpunt.hotline.tests.test_views import checked as checked_address
from meldpunt.hotline.tests.test_views import client_for
from meldpunt.lines.models import LineKind
from meldpunt.testing import make_category, make_line, make_staff
from meldpunt.vault.models import AuditEvent, Role

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"
pytestmark = pytest.mark.django_db

PAGE = b"""<!DOCTYPE html><html><body>
<img src="/m/a.jpg"> <img src="/m/b.png">
</body></html>"""
COPY = b"""<!DOCTYPE html><html><body><img src="/n/elsewhere.jpg"></body></html>"""
CSAM = {
    "material": "csam",
    "age_group": "prepubescent",
    "gender": "girl",
    "media_kind": "image",
}
ADULT = {"material": "adult", "age_group": "adult", "gender": "unknown", "media_kind": "image"}


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def hotline(fake_web, fake_dns, crawler_may_reach_fake_web):
    line = make_line(kind=LineKind.CONTENT_HOTLINE)
    analyst = make_staff(lines=[line])
    colleague = make_staff(lines=[line])
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    picture_a = pictures.jpeg(pictures.picture(21))
    fake_web.page("/page", PAGE)
    fake_web.page("/m/a.jpg", picture_a, "image/jpeg")
    fake_web.page("/m/b.png", _png(pictures.picture(22)), "image/png")
    # The same picture as a.jpg, somewhere else: the next copy.
    fake_web.page("/copy", COPY)
    fake_web.page("/n/elsewhere.jpg", picture_a, "image/jpeg")
    fake_web.page("/n/direct.jpg", picture_a, "image/jpeg")
    fake_web.page("/image.jpg", fake_web.image, "image/jpeg")
    fake_web.page("/image-again.jpg", fake_web.image, "image/jpeg")
    ip_table_import(path=SAMPLE)
    return {
        "line": line,
        "analyst": analyst,
        "colleague": colleague,
        "category": make_category(line=line),
        "web": fake_web,
        "picture_a": picture_a,
    }


def checked(hotline, capture, path: str = "/page") -> ReportedUrl:
    """A report of the page (by default) whose first check has run."""
    return checked_address(hotline, capture, path)


def media(item: ReportedUrl, path: str) -> PageMediaItem:
    for found in PageMediaItem.objects.filter(attempt__reported_url=item):
        if url_open(found.sealed_url).endswith(path):
            return found
    raise AssertionError(path)


def classify_url(item: ReportedUrl, found: PageMediaItem | None = None) -> str:
    if found is None:
        return reverse("hotline:classify_file", args=[item.report_id, item.pk])
    return reverse("hotline:classify", args=[item.report_id, item.pk, found.pk])


def post(client, url: str, values: dict, state: str = "assessment", seen: str = ""):
    return client.post(url, {**values, "state": state, "seen": seen})


def test_an_item_classified_illegal_sets_the_address_and_the_next_copy_is_known(
    hotline, django_capture_on_commit_callbacks
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    assert (item.state, item.known_status) == (HotlineState.ASSESSMENT, KnownStatus.NOT_KNOWN)
    client = client_for(hotline["analyst"])
    html = client.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    picture = media(item, "/m/a.jpg")
    assert classify_url(item, picture) in html
    assert classify_url(item, media(item, "/m/b.png")) in html

    response = post(client, classify_url(item, picture), CSAM)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.assessment, item.assessed_by) == (
        HotlineState.ILLEGAL,
        "illegal",
        hotline["analyst"],
    )
    classification = ItemClassification.objects.get(media_item=picture)
    assert (
        classification.material,
        classification.age_group,
        classification.gender,
        classification.media_kind,
        classification.classified_by,
    ) == ("csam", "prepubescent", "girl", "image", hotline["analyst"])
    entry = classification.own_entry
    assert entry.source == "hotline" and entry.added_by == hotline["analyst"]
    assert entry.reference == (
        f"report {item.report.reference}, address {item.pk}, page item {picture.pk}"
    )
    # Staff action: the exact time, not the hour.
    assert abs(entry.added_at - timezone.now()) < timedelta(minutes=5)
    details = details_open(picture.sealed_details)
    assert set(entry.hashes.values_list("algorithm", "value")) == {
        ("sha256", hashlib.sha256(hotline["picture_a"]).hexdigest()),
        ("sha256", details["cleaned_sha256"]),
        ("pdq", details["pdq"]),
    }
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-3:] == ["hashes.own_add", "hotline.classify", "hotline.assess"]
    classify_event = AuditEvent.objects.get(action="hotline.classify")
    assert classify_event.details["media_item"] == picture.pk
    assert classify_event.details["material"] == "csam"
    html = client.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    assert "On the own list since" in html

    # A new report of a page showing the same picture: known at once, never shown.
    copy = checked(hotline, django_capture_on_commit_callbacks, "/copy")
    assert (copy.state, copy.known_status) == (HotlineState.KNOWN, KnownStatus.KNOWN)
    assert media(copy, "/n/elsewhere.jpg").state == MediaState.KNOWN
    html = client.get(reverse("hotline:report", args=[copy.report_id])).content.decode()
    assert "1 known item (list own)" in html
    # And a report of the picture itself.
    direct = checked(hotline, django_capture_on_commit_callbacks, "/n/direct.jpg")
    assert direct.state == HotlineState.KNOWN


def test_every_item_not_illegal_closes_the_address(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    assert post(client, classify_url(item, media(item, "/m/a.jpg")), ADULT).status_code == 302
    item.refresh_from_db()
    assert item.state == HotlineState.ASSESSMENT  # one item still to classify
    child_nudity = {**CSAM, "material": "child_nudity"}
    assert post(client, classify_url(item, media(item, "/m/b.png")), child_nudity).status_code == (
        302
    )
    item.refresh_from_db()
    assert (item.state, item.assessment, item.next_check_at) == (
        HotlineState.NOT_ILLEGAL,
        "not_illegal",
        None,
    )
    assert not OwnListEntry.objects.exists()


def test_reclassifying_retires_the_entry_and_illegal_again_restores_it(
    hotline, django_capture_on_commit_callbacks
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    picture = media(item, "/m/a.jpg")
    sha256 = hashlib.sha256(hotline["picture_a"]).hexdigest()
    post(client, classify_url(item, picture), CSAM)
    assert hashes_match_exact({"sha256": sha256})
    response = post(client, classify_url(item, picture), ADULT, state="illegal", seen="csam")
    assert response.status_code == 302
    entry = ItemClassification.objects.get(media_item=picture).own_entry
    assert entry.retired_at is not None and entry.retire_reason == "reclassified as adult"
    assert hashes_match_exact({"sha256": sha256}) == []
    item.refresh_from_db()
    assert item.state == HotlineState.ILLEGAL  # a judged address is not re-assessed
    post(client, classify_url(item, picture), CSAM, state="illegal", seen="adult")
    entry.refresh_from_db()
    assert entry.retired_at is None
    assert hashes_match_exact({"sha256": sha256})
    assert OwnListEntry.objects.count() == 1


def test_an_entry_added_by_mistake_is_retired_and_restored_from_the_page(
    hotline, django_capture_on_commit_callbacks
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    picture = media(item, "/m/a.jpg")
    post(client, classify_url(item, picture), CSAM)
    entry = ItemClassification.objects.get(media_item=picture).own_entry
    retire = reverse("hotline:own_entry_retire", args=[item.report_id, item.pk, entry.pk])
    restore = reverse("hotline:own_entry_restore", args=[item.report_id, item.pk, entry.pk])
    sha256 = hashlib.sha256(hotline["picture_a"]).hexdigest()

    no_reason = client.post(retire, {"reason": ""})
    assert no_reason.status_code == 400
    assert "Say why this entry was added by mistake." in no_reason.content.decode()
    assert client.post(retire, {"reason": "an adult"}).status_code == 302
    assert hashes_match_exact({"sha256": sha256}) == []
    html = client.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    assert "Retired from the own list on" in html and "an adult" in html
    # Retired: the next copy is not recognised.
    assert checked(hotline, django_capture_on_commit_callbacks, "/copy").state == (
        HotlineState.ASSESSMENT
    )
    again = client.post(retire, {"reason": "twice"})
    assert again.status_code == 409
    assert "already been retired" in again.content.decode()
    assert client.post(restore).status_code == 302
    assert hashes_match_exact({"sha256": sha256})
    assert checked(hotline, django_capture_on_commit_callbacks, "/copy").state == (
        HotlineState.KNOWN
    )
    assert [e.actor for e in AuditEvent.objects.filter(action__startswith="hashes.own_r")] == [
        hotline["analyst"]
    ] * 2
    # Through another address of the same report, the entry does not exist.
    other = ReportedUrl.objects.create(
        report=item.report,
        sealed_url=url_seal("http://x.test/"),
        url_tag=url_tag("http://x.test/"),
        created_at=item.created_at,
    )
    elsewhere = reverse("hotline:own_entry_retire", args=[item.report_id, other.pk, entry.pk])
    assert client.post(elsewhere, {"reason": "x"}).status_code == 404
    # Someone who may not change the case cannot retire it.
    case_claim(report=item.report, actor=hotline["analyst"], version=0)
    colleague = client_for(hotline["colleague"]).post(retire, {"reason": "x"})
    assert colleague.status_code == 403
    entry.refresh_from_db()
    assert entry.retired_at is None


def test_the_address_s_own_picture_is_classified_too(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks, "/image.jpg")
    client = client_for(hotline["analyst"])
    html = client.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    assert classify_url(item) in html
    assert post(client, classify_url(item), CSAM).status_code == 302
    item.refresh_from_db()
    assert item.state == HotlineState.ILLEGAL
    attempt = item.attempts.get()
    entry = ItemClassification.objects.get(attempt=attempt).own_entry
    assert "file of check" in entry.reference
    details = details_open(attempt.sealed_details)
    assert set(entry.hashes.values_list("algorithm", "value")) == {
        ("sha256", details["sha256"]),
        ("sha256", details["cleaned_sha256"]),
        ("pdq", details["pdq"]),
    }
    assert details["pdq_quality"] >= 50
    again = checked(hotline, django_capture_on_commit_callbacks, "/image-again.jpg")
    assert (again.state, again.known_status) == (HotlineState.KNOWN, KnownStatus.KNOWN)


def test_bad_classifications_change_nothing(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    other = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    picture = media(item, "/m/a.jpg")

    # An item of another address, through this address's URL: not found.
    foreign = reverse(
        "hotline:classify", args=[item.report_id, item.pk, media(other, "/m/a.jpg").pk]
    )
    assert post(client, foreign, CSAM).status_code == 404
    huge = reverse("hotline:classify", args=[item.report_id, item.pk, 2**70])
    assert post(client, huge, CSAM).status_code == 404
    # A page-only address has no own file to classify.
    assert post(client, classify_url(item), CSAM).status_code == 404
    invalid = post(client, classify_url(item, picture), {**CSAM, "material": "burn"})
    assert invalid.status_code == 400
    assert "Nothing was saved: the classification was not complete." in invalid.content.decode()
    missing = post(client, classify_url(item, picture), {"material": "csam"})
    assert missing.status_code == 400
    assert "Choose an age group." in missing.content.decode()
    adult_child = post(client, classify_url(item, picture), {**CSAM, "age_group": "adult"})
    assert adult_child.status_code == 400
    assert "needs a child&#x27;s age group" in adult_child.content.decode()
    # A stale page: the address moved on, or the item was classified meanwhile.
    stale = post(client, classify_url(item, picture), CSAM, state="new")
    assert stale.status_code == 409
    assert "changed while you were looking at it" in stale.content.decode()
    assert post(client, classify_url(item, picture), CSAM, seen="adult").status_code == 409
    assert not ItemClassification.objects.exists()
    written = ["hotline.classify", "hotline.assess", "hashes.own_add"]
    assert not AuditEvent.objects.filter(action__in=written).exists()

    # Who may not change the case gets 403; who is not of the line, or no analyst, 404.
    case_claim(report=item.report, actor=hotline["analyst"], version=0)
    refused = post(client_for(hotline["colleague"]), classify_url(item, picture), CSAM)
    assert refused.status_code == 403
    stranger = make_staff(lines=[make_category().line])
    partner = make_staff(role=Role.PARTNER)
    for user in (stranger, partner):
        assert post(client_for(user), classify_url(item, picture), CSAM).status_code == 404
    assert not ItemClassification.objects.exists()
    item.refresh_from_db()
    assert item.state == HotlineState.ASSESSMENT


def _address(report, state: str, hours_ago: int) -> ReportedUrl:
    url = f"http://q.test/{state}/{hours_ago}"
    return ReportedUrl.objects.create(
        report=report,
        sealed_url=url_seal(url),
        url_tag=url_tag(url),
        state=state,
        created_at=timezone.now().replace(minute=0, second=0, microsecond=0)
        - timedelta(hours=hours_ago),
    )


def test_the_queue_lists_addresses_across_reports_by_bucket(hotline, monkeypatch):
    reports = [make_report(category=hotline["category"]) for _ in range(3)]
    rows = {
        "assess_old": _address(reports[0], HotlineState.ASSESSMENT, 30),
        "assess_mid": _address(reports[1], HotlineState.ASSESSMENT, 20),
        "assess_new": _address(reports[2], HotlineState.ASSESSMENT, 10),
        "new": _address(reports[0], HotlineState.NEW, 1),
        "known": _address(reports[1], HotlineState.KNOWN, 5),
        "illegal": _address(reports[2], HotlineState.ILLEGAL, 5),
        "forwarded": _address(reports[2], HotlineState.FORWARDED, 5),
        "gone": _address(reports[0], HotlineState.GONE, 50),
        "closed": _address(reports[1], HotlineState.NOT_ILLEGAL, 50),
    }
    destroyed = _address(reports[0], HotlineState.ASSESSMENT, 2)
    ReportedUrl.objects.filter(pk=destroyed.pk).update(destroyed_at=timezone.now())
    other_line = make_line(kind=LineKind.CONTENT_HOTLINE)
    _address(make_report(category=make_category(line=other_line)), "assessment", 3)
    client = client_for(hotline["analyst"])
    url = reverse("hotline:queue")

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    counts = {
        bucket: html.split(f'id="bucket-{bucket}"', 1)[1].split('class="count">', 1)[1][:1]
        for bucket in ("check", "assess", "removal", "removed", "closed")
    }
    assert counts == {"check": "1", "assess": "3", "removal": "3", "removed": "1", "closed": "1"}
    shown = [
        pk
        for pk in ReportedUrl.objects.values_list("pk", flat=True)
        if f'id="queue-address-{pk}"' in html
    ]
    newest_first = [rows[name].pk for name in ("assess_new", "assess_mid", "assess_old")]
    assert sorted(shown, key=lambda pk: html.index(f'id="queue-address-{pk}"')) == newest_first
    assert "q.test" not in html  # no address in the list
    assert reverse("hotline:report", args=[reports[0].pk]) in html

    oldest = client.get(url, {"bucket": "assess", "order": "oldest"}).content.decode()
    assert oldest.index(f"queue-address-{rows['assess_old'].pk}") < oldest.index(
        f"queue-address-{rows['assess_new'].pk}"
    )
    removal = client.get(url, {"bucket": "removal"}).content.decode()
    for name in ("known", "illegal", "forwarded"):
        assert f'id="queue-address-{rows[name].pk}"' in removal
    assert f'id="queue-address-{rows["assess_new"].pk}"' not in removal

    monkeypatch.setattr(selectors, "QUEUE_PAGE_SIZE", 2)
    first = client.get(url, {"bucket": "assess", "order": "oldest"}).content.decode()
    second = client.get(url, {"bucket": "assess", "order": "oldest", "page": "2"}).content.decode()
    assert f"queue-address-{rows['assess_old'].pk}" in first and 'rel="next"' in first
    assert f"queue-address-{rows['assess_new'].pk}" in second and 'rel="prev"' in second
    nonsense_page = client.get(url, {"bucket": "assess", "page": "x"})
    assert nonsense_page.status_code == 200

    bad = client.get(url, {"bucket": "everything", "order": "sideways"})
    assert bad.status_code == 400
    assert "Please check the following" in bad.content.decode()


def test_the_queue_shows_nothing_of_other_lines_and_refuses_partners(hotline):
    _address(make_report(category=hotline["category"]), HotlineState.ASSESSMENT, 1)
    stranger = make_staff(lines=[make_line(kind=LineKind.CONTENT_HOTLINE)])
    html = client_for(stranger).get(reverse("hotline:queue")).content.decode()
    assert 'id="queue-empty"' in html
    partner = make_staff(role=Role.PARTNER)
    assert client_for(partner).get(reverse("hotline:queue")).status_code == 404
    assert Client().get(reverse("hotline:queue")).status_code == 302
