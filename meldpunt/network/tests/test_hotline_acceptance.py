"""Issue 12's acceptance test: one reported page, from the public form to its removal.

All on local servers that speak the real protocols (conftest): a web server with
a page showing one known and one unknown picture, a DNS server, an RDAP server
and an SMTP server (aiosmtpd). A reporter names the page on the content
hotline's public form; the first check matches the known picture against a
hash list and keeps it from the analyst, who sees the unknown one blurred,
classifies it illegal (it goes on the installation's own list) and confirms
the actions; the provider's abuse desk gets a notice with a valid X-ARF part,
the police find the report on their portal; the page is taken down, the
re-checks record the removal and its time, and the provider monitor shows it.
Committed transactions, as in production: the checks and the actions run on
commit. The same flow for an address traced abroad is
test_hotline_actions_end_to_end.py's.
"""

import csv
import hashlib
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from meldpunt.hashes.models import OwnListEntry
from meldpunt.hashes.tests import pictures
from meldpunt.hotline.checking import reported_urls_recheck_due
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import HostingRoute, HotlineState, KnownStatus, MediaState, Presence
from meldpunt.hotline.tests.test_classification import CSAM, classify_url, media
from meldpunt.hotline.tests.test_page_media import a_list
from meldpunt.hotline.tests.test_reporter_form import _with_address_question
from meldpunt.lines.models import LineKind
from meldpunt.testing import make_line, make_staff

from ..models import Forward
from .conftest import rdap_answer, xarf_validator
from .factories import make_partner
from .test_hotline_actions_end_to_end import _confirm_actions, _portal_shows, _report, _signed_in

HOTLINE_DATA = Path(__file__).parents[2] / "hotline" / "tests" / "data"
pytestmark = pytest.mark.django_db(transaction=True)

KNOWN = pictures.jpeg(pictures.picture(41))
UNKNOWN = pictures.jpeg(pictures.picture(42))
GALLERY = b"""<!DOCTYPE html><html><body>
<img src="/m/known.jpg"> <img src="/m/unknown.jpg">
</body></html>"""
# Elsewhere on the web, later: a page showing a copy of the unknown picture.
COPY = b"""<!DOCTYPE html><html><body><img src="/n/copy.jpg"></body></html>"""
ABUSE_DESK = "abuse@loopback-hosting.example"


@pytest.fixture
def hotline(fake_web, fake_dns, rdap, smtp_server, tmp_path, settings):
    settings.EVIDENCE_VIEWING_CUTOFF = ""  # previews at any hour of the test run
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/gallery", GALLERY)
    fake_web.page("/m/known.jpg", KNOWN, "image/jpeg")
    fake_web.page("/m/unknown.jpg", UNKNOWN, "image/jpeg")
    fake_web.page("/copy", COPY)
    fake_web.page("/n/copy.jpg", UNKNOWN, "image/jpeg")
    fake_web.page(
        "/rdap/autnum/64500",
        rdap_answer(asn=64500, abuse_email=ABUSE_DESK),
        "application/rdap+json",
    )
    ip_table_import(path=HOTLINE_DATA / "ip2asn-sample.tsv")  # 127.0.0.0/8: AS64500, NL
    a_list(tmp_path, "police", "sha256", hashlib.sha256(KNOWN).hexdigest())
    category = _with_address_question(make_line(kind=LineKind.CONTENT_HOTLINE))
    return {
        "category": category,
        # Members before the report comes: reports are sealed for the line's members.
        "analyst": _signed_in(make_staff(lines=[category.line])),
        "police": make_partner(lines=[category.line], name="Politie Landelijke Eenheid"),
    }


def test_a_reported_page_from_the_public_form_to_its_removal_on_the_provider_monitor(
    client, hotline, fake_web, smtp_server
):
    analyst = hotline["analyst"]
    address = fake_web.url("/gallery", host="pics.example.test")

    # 1-2. Reported through the public form; the first check runs on commit.
    item = _report(client, hotline["category"], address)
    assert item.check_count == 1 and item.route == HostingRoute.DOMESTIC
    # 3. The known picture is matched: known material, never shown to the analyst.
    assert (item.state, item.known_status) == (HotlineState.KNOWN, KnownStatus.KNOWN)
    known, unknown = media(item, "/m/known.jpg"), media(item, "/m/unknown.jpg")
    assert (known.state, unknown.state) == (MediaState.KNOWN, MediaState.STORED)
    html = analyst.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    assert "1 known item (list police)" in html
    assert reverse("evidence:preview", args=[known.evidence_id]) not in html
    assert reverse("evidence:file", args=[known.evidence_id]) not in html
    assert fake_web.url("/m/known.jpg", host="pics.example.test") not in html
    assert analyst.get(reverse("evidence:preview", args=[known.evidence_id])).status_code == 404
    # The unknown one reaches the analyst, blurred as evidence previews are.
    preview = reverse("evidence:preview", args=[unknown.evidence_id])
    assert f'src="{preview}"' in html
    assert reverse("evidence:revealed", args=[unknown.evidence_id]) not in html
    shown = Image.open(io.BytesIO(analyst.get(preview).content))
    assert shown.mode == "L" and max(shown.size) <= 160

    # 4. Classified illegal on the page: the address is judged, the picture goes on the
    # installation's own list.
    assert classify_url(item, unknown) in html
    classified = analyst.post(classify_url(item, unknown), {**CSAM, "state": item.state})
    assert classified.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.assessment) == (HotlineState.ILLEGAL, "illegal")
    [entry] = OwnListEntry.objects.all()
    assert entry.source == "hotline" and str(item.pk) in entry.reference
    # A new report of the same picture, on a page elsewhere, is recognised as known. It
    # comes to another content hotline of the installation (the own list is the
    # installation's), so that the monitor below counts the first line's address alone.
    elsewhere = _with_address_question(make_line(kind=LineKind.CONTENT_HOTLINE))
    copy = _report(client, elsewhere, fake_web.url("/copy", host="pics.example.test"))
    assert (copy.state, copy.known_status) == (HotlineState.KNOWN, KnownStatus.KNOWN)
    assert media(copy, "/n/copy.jpg").state == MediaState.KNOWN

    # 5. The actions for an address hosted here: a notice to the abuse desk found by
    # RDAP, with a valid X-ARF part, and the report on the police partner's portal.
    item = _confirm_actions(analyst, item)
    assert item.state == HotlineState.NOTICE_SENT
    [notice] = [m for m in smtp_server.messages if "xarf.json" in m.as_string()]
    assert notice["X-Envelope-To"] == ABUSE_DESK
    [part] = [p for p in notice.iter_attachments() if p.get_filename() == "xarf.json"]
    report = json.loads(part.get_content())
    xarf_validator().validate(report)
    assert report["url"] == address
    police = hotline["police"]
    _portal_shows(police.memberships.get().user, Forward.objects.get(partner=police), address)

    # 6. The page stays up but no longer shows the pictures, which are gone too. The
    # re-checks run as `meldpunt hotline recheck` runs them, on later days: the first
    # finds the material absent, the next confirms it (HOTLINE_GONE_AFTER_OFFLINE_CHECKS
    # is 2); gone since the first.
    judged_at = item.illegal_at
    assert judged_at is not None
    fake_web.page("/gallery", b"<!DOCTYPE html><html><body>Removed.</body></html>")
    del fake_web.routes["/m/known.jpg"], fake_web.routes["/m/unknown.jpg"]
    start = timezone.now()
    assert reported_urls_recheck_due(now=start + timedelta(days=1)) == 2  # with the copy
    item.refresh_from_db()
    assert (item.state, item.attempts.last().presence) == (
        HotlineState.NOTICE_SENT,
        Presence.MEDIA_GONE,
    )
    assert reported_urls_recheck_due(now=start + timedelta(days=2)) == 2
    item.refresh_from_db()
    removed_at = (start + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    assert (item.state, item.gone_reason, item.gone_at) == (
        HotlineState.GONE,
        Presence.MEDIA_GONE,
        removed_at,
    )
    hours = int((removed_at - judged_at).total_seconds() // 3600)
    assert item.removal_hours == hours and 24 <= hours <= 25  # 25: an hour turned meanwhile
    html = analyst.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    assert f"removed {hours} hours after it was judged illegal" in html
    removed = analyst.get(reverse("hotline:queue"), {"bucket": "removed"}).content.decode()
    assert f'id="queue-address-{item.pk}"' in removed  # the analyst's queue: removed
    waiting = analyst.get(reverse("hotline:queue"), {"bucket": "removal"}).content.decode()
    assert f'id="queue-address-{copy.pk}"' not in waiting  # known, but another line's

    # 7. The provider monitor: one address reported, one removed, and how fast.
    html = analyst.get(reverse("hotline:monitor")).content.decode()
    cells = re.sub(r"\s+", "", html)
    # Reported, removed, median and 90th percentile hours.
    assert f"LOOPBACK-HOSTING-NL</th><td>AS64500</td><td>1</td><td>1</td><td>{hours}</td>" in cells
    assert "pics.example.test" not in html
    download = analyst.get(reverse("hotline:monitor_csv"))
    rows = {
        (row["grouping"], row["asn"] or row["country"]): row
        for row in csv.DictReader(io.StringIO(download.content.decode()))
    }
    provider = rows["provider", "64500"]
    assert (provider["organisation"], provider["reported"], provider["removed"]) == (
        "LOOPBACK-HOSTING-NL",
        "1",
        "1",
    )
    assert (provider["median_hours"], provider["p90_hours"]) == (str(hours), str(hours))
    assert provider["share_removed_72h"] == "1.0"
    assert rows["country", "NL"]["removed"] == "1"
