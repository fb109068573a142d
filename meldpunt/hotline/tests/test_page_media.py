"""The pictures and videos of a reported page, end to end against local servers.

A real HTTP server and a real DNS server (conftest), real cleaning, hashing,
encryption and matching against imported lists, the real evidence worker
(thumbnails, contact sheets, vPDQ) and the analyst's page through Django's
test client.
"""

import hashlib
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from meldpunt.cases.tests.factories import make_report
from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
from meldpunt.evidence.tests.test_known import _video as video_of
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.hashes.tests import pictures
from meldpunt.hotline.checking import reported_url_check
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import (
    HotlineState,
    MediaSearch,
    MediaState,
    PageMediaItem,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open, url_open
from meldpunt.hotline.services import reported_url_create
from meldpunt.intake.retention import report_destroy
from meldpunt.lines.models import LineKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.testing import make_category, make_line, make_staff, sign_in

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"
pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline(fake_web, fake_dns, crawler_may_reach_fake_web):
    line = make_line(kind=LineKind.CONTENT_HOTLINE, retention_days_after_close=90)
    analyst = make_staff(lines=[line])
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    ip_table_import(path=SAMPLE)
    return {
        "analyst": analyst,
        "category": make_category(line=line),
        "web": fake_web,
        "dns": fake_dns,
    }


def checked(hotline, capture, path: str = "/page") -> ReportedUrl:
    """A report naming one address of the fake web, first check (and the worker) done."""
    report = make_report(category=hotline["category"])
    address = url_normalise(hotline["web"].url(path, host="pics.example.test"))
    with capture(execute=True):
        item = reported_url_create(report=report, address=address)
    item.refresh_from_db()
    return item


def media_url(hotline, path: str) -> str:
    return hotline["web"].url(path, host="pics.example.test")


def items_by_path(item: ReportedUrl) -> dict[str, PageMediaItem]:
    """The page's items in page order, keyed by the path of their (sealed) address
    on the fake web, or by host and path elsewhere."""
    page = url_normalise(url_open(item.sealed_url))
    same_site = f"http://{page.host}:{page.port}"
    attempt = item.attempts.get(purpose="first")
    return {
        url_open(media.sealed_url).removeprefix(same_site).removeprefix("http://"): media
        for media in attempt.media_items.all()
    }


def a_list(tmp_path, name: str, algorithm: str, value: str) -> None:
    listing = tmp_path / f"{name}.txt"
    listing.write_text(value + "\n")
    hash_list_import(hash_list=hash_list_create(name=name), path=listing, algorithm=algorithm)


def encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def analyst_page(hotline, item: ReportedUrl) -> tuple[Client, str]:
    """The analyst's page of the item's report (signed in once per test: a code counts once)."""
    client = hotline.get("client")
    if client is None:
        client = hotline["client"] = Client(HTTP_ACCEPT_LANGUAGE="en")
        sign_in(client, hotline["analyst"])
    response = client.get(reverse("hotline:report", args=[item.report_id]))
    assert response.status_code == 200
    return client, response.content.decode()


GALLERY = b"""<!DOCTYPE html><html><head>
<meta property="og:image" content="/m/og.jpg">
</head><body>
<img src="/m/known.jpg" srcset="/m/known.jpg 1x, /m/unknown-2x.png 2x">
<picture><source srcset="/m/unknown.webp"><img src="/m/known-pdq.jpg"></picture>
<video poster="/m/poster.jpg"><source src="/m/clip.mp4"></video>
<video src="/m/known-clip.mp4"></video>
<a href="/m/direct.jpg">full size</a> <a href="/about.html">about</a>
<img src="data:image/png;base64,iVBORw0KGgo=">
</body></html>"""


@pytest.fixture
def gallery(hotline, tmp_path):
    """A page with known pictures (exact, PDQ), a known video (vPDQ) and unknown items."""
    web = hotline["web"]
    known = pictures.jpeg(pictures.picture(11))
    a_list(tmp_path, "police", "sha256", hashlib.sha256(known).hexdigest())
    original = pictures.picture(12)
    a_list(tmp_path, "inhope", "pdq", pictures.pdq(original)[0])
    known_frames = pictures.picture(17, size=(320, 240))
    a_list(tmp_path, "video-list", "pdq", pictures.pdq(known_frames)[0])
    web.page("/page", GALLERY)
    web.page("/m/known.jpg", known, "image/jpeg")
    web.page("/m/known-pdq.jpg", pictures.jpeg(pictures.recompressed(original)), "image/jpeg")
    web.page("/m/known-clip.mp4", video_of(known_frames), "video/mp4")
    web.page("/m/og.jpg", pictures.jpeg(pictures.picture(13)), "image/jpeg")
    web.page("/m/unknown-2x.png", encoded(pictures.picture(14), "PNG"), "image/png")
    web.page("/m/unknown.webp", encoded(pictures.picture(15), "WEBP"), "image/webp")
    web.page("/m/poster.jpg", pictures.jpeg(pictures.picture(18)), "image/jpeg")
    web.page("/m/clip.mp4", video_of(pictures.picture(16, size=(320, 240))), "video/mp4")
    # A real picture the server calls text: the content decides.
    web.page("/m/direct.jpg", pictures.jpeg(pictures.picture(19)), "text/plain")
    return hotline


KNOWN = {"/m/known.jpg": "police", "/m/known-pdq.jpg": "inhope", "/m/known-clip.mp4": "video-list"}
UNKNOWN = {
    "/m/og.jpg": "image/jpeg",
    "/m/unknown-2x.png": "image/png",
    "/m/unknown.webp": "image/webp",
    "/m/poster.jpg": "image/jpeg",
    "/m/clip.mp4": "video/mp4",
    "/m/direct.jpg": "image/jpeg",
}


def test_known_items_are_classified_and_unknown_ones_kept_as_evidence(
    gallery, django_capture_on_commit_callbacks
):
    item = checked(gallery, django_capture_on_commit_callbacks)
    # Known material on the page: the address is known and skips the analyst's queue.
    assert (item.state, item.known_status) == (HotlineState.KNOWN, "known")
    attempt = item.attempts.get()
    assert attempt.media_search == MediaSearch.SEARCHED and attempt.is_known
    found = items_by_path(item)
    assert list(found) == [
        "/m/og.jpg",
        "/m/known.jpg",
        "/m/unknown-2x.png",
        "/m/unknown.webp",
        "/m/known-pdq.jpg",
        "/m/poster.jpg",
        "/m/clip.mp4",
        "/m/known-clip.mp4",
        "/m/direct.jpg",
    ]
    for path, media_type in UNKNOWN.items():
        media = found[path]
        assert (media.state, media.media_type) == (MediaState.STORED, media_type), path
        assert media.evidence.media_type == media_type
        assert not media.evidence.matches.exists()
    # Exact and PDQ matches are known at once; the video's vPDQ match comes from the worker.
    assert found["/m/known.jpg"].state == MediaState.KNOWN
    assert found["/m/known-pdq.jpg"].state == MediaState.KNOWN
    assert EvidenceMatch.objects.get(evidence=found["/m/known-pdq.jpg"].evidence).method == "pdq"
    video_match = EvidenceMatch.objects.get(evidence=found["/m/known-clip.mp4"].evidence)
    assert (video_match.method, video_match.list_name) == ("vpdq", "video-list")
    # Each address was fetched once (known.jpg is named twice), data: addresses never.
    media_requests = [path for path in gallery["web"].paths() if path.startswith("/m/")]
    assert sorted(media_requests) == sorted(found)
    # Sealed per item: where it was, and the hashes a later re-check compares.
    details = details_open(found["/m/og.jpg"].sealed_details)
    assert details["final_url"] == media_url(gallery, "/m/og.jpg")
    assert details["sha256"] == hashlib.sha256(pictures.jpeg(pictures.picture(13))).hexdigest()
    assert len(details["cleaned_sha256"]) == 64 and len(details["pdq"]) == 64
    assert details_open(found["/m/known.jpg"].sealed_details)["matched_lists"] == ["police"]


def test_the_analyst_sees_unknown_items_blurred_and_known_ones_only_counted(
    gallery, django_capture_on_commit_callbacks, settings
):
    settings.EVIDENCE_VIEWING_CUTOFF = ""
    item = checked(gallery, django_capture_on_commit_callbacks)
    found = items_by_path(item)
    client, html = analyst_page(gallery, item)
    assert "3 items matched known material and are not shown" in html
    for name in ("police", "inhope", "video-list"):
        assert f"1 known item (list {name})" in html
    for path in KNOWN:
        evidence_id = found[path].evidence_id
        assert evidence_id is not None  # kept as evidence, but never shown
        assert reverse("evidence:file", args=[evidence_id]) not in html
        assert reverse("evidence:preview", args=[evidence_id]) not in html
        assert media_url(gallery, path) not in html
        # The preview itself is withheld too, should anyone guess its address.
        assert client.get(reverse("evidence:preview", args=[evidence_id])).status_code == 404
    for path in UNKNOWN:
        evidence_id = found[path].evidence_id
        assert reverse("evidence:file", args=[evidence_id]) in html
        assert f'src="{reverse("evidence:preview", args=[evidence_id])}"' in html
        assert reverse("evidence:revealed", args=[evidence_id]) not in html
        assert media_url(gallery, path) in html  # as text, to copy
        assert f'href="{media_url(gallery, path)}"' not in html
        preview = client.get(reverse("evidence:preview", args=[evidence_id]))
        assert preview.status_code == 200
        shown = Image.open(io.BytesIO(preview.content))
        assert shown.mode == "L" and max(shown.size) <= 160  # blurred grey thumbnail
        # The item's file page leads back to this page.
        file_page = client.get(reverse("evidence:file", args=[evidence_id])).content.decode()
        back = reverse("hotline:report", args=[item.report_id])
        assert f'<a href="{back}" id="back-to-case">' in file_page


def test_a_re_check_does_not_fetch_the_pictures_again(gallery, django_capture_on_commit_callbacks):
    item = checked(gallery, django_capture_on_commit_callbacks)
    requests = len(gallery["web"].requests)
    assert reported_url_check(reported_url_id=item.pk, now=timezone.now() + timedelta(days=1))
    recheck = item.attempts.get(purpose="recheck")
    assert recheck.media_search == MediaSearch.NOT_SEARCHED and not recheck.media_items.exists()
    assert gallery["web"].paths()[requests:] == ["/page"]


def test_a_page_with_thousands_of_pictures_fetches_its_budget_only(
    hotline, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_PAGE_MEDIA_MAX_ITEMS = 5
    web = hotline["web"]
    image = pictures.jpeg(pictures.picture(20, size=(64, 48)))
    web.page(
        "/page", b"<html><body>" + b"".join(b'<img src="/many/%d.jpg">' % n for n in range(5000))
    )
    for number in range(5000):
        web.page(f"/many/{number}.jpg", image, "image/jpeg")
    item = checked(hotline, django_capture_on_commit_callbacks)
    attempt = item.attempts.get()
    assert attempt.media_more == 4995
    assert list(items_by_path(item)) == [f"/many/{n}.jpg" for n in range(5)]
    assert len([path for path in web.paths() if path.startswith("/many/")]) == 5
    _client, html = analyst_page(hotline, item)
    assert (
        "4995 more pictures or videos on the page were not fetched: "
        "over the page&#x27;s budget of 5 items." in html
    )


def test_a_picture_that_never_finishes_is_cut_off_by_the_time_budget(
    hotline, django_capture_on_commit_callbacks, settings
):
    web = hotline["web"]
    web.page("/page", b'<html><img src="/slow.jpg"><img src="/after.jpg">')
    web.trickle("/slow.jpg", seconds_per_byte=0.05, total_bytes=10**6)
    web.page("/after.jpg", pictures.jpeg(pictures.picture(21)), "image/jpeg")
    # One fetch may take 1 s; the page has 30 s: the slow item fails, the next is kept.
    settings.HOTLINE_FETCH_TOTAL_SECONDS = 1.0
    found = items_by_path(checked(hotline, django_capture_on_commit_callbacks))
    assert (found["/slow.jpg"].state, found["/slow.jpg"].reason) == (MediaState.FAILED, "timeout")
    assert found["/after.jpg"].state == MediaState.STORED
    # The page has 1.5 s in all: the slow item uses it up; the next is not fetched.
    settings.HOTLINE_FETCH_TOTAL_SECONDS = 60.0
    settings.HOTLINE_PAGE_MEDIA_TOTAL_SECONDS = 1.5
    requests = len(web.paths())
    started = time.monotonic()
    item = checked(hotline, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 30  # not the 60 s of one fetch, let alone stuck
    found = items_by_path(item)
    assert [(m.state, m.reason) for m in found.values()] == [
        (MediaState.OVER_BUDGET, "seconds"),
        (MediaState.OVER_BUDGET, "seconds"),
    ]
    assert web.paths()[requests:] == ["/page", "/slow.jpg"]
    _client, html = analyst_page(hotline, item)
    assert (
        "not fetched: over the page&#x27;s budget: the page&#x27;s time budget was used up" in html
    )


def test_the_page_s_byte_budget_and_the_item_limit(
    hotline, django_capture_on_commit_callbacks, settings
):
    web = hotline["web"]
    first, second = pictures.jpeg(pictures.picture(22)), pictures.jpeg(pictures.picture(23))
    huge = pictures.jpeg(pictures.picture(24, size=(1600, 1200)))
    web.page(
        "/page", b"".join(b'<img src="/%s.jpg">' % name for name in (b"huge", b"1", b"2", b"3"))
    )
    web.page("/huge.jpg", huge, "image/jpeg")
    web.page("/1.jpg", first, "image/jpeg")
    web.page("/2.jpg", second, "image/jpeg")
    web.page("/3.jpg", first, "image/jpeg")
    settings.HOTLINE_PAGE_MEDIA_ITEM_MAX_BYTES = len(huge) - 1
    # The refused item counts with what was read of it (up to the item limit).
    settings.HOTLINE_PAGE_MEDIA_MAX_BYTES = len(huge) + len(first) + len(second) // 2
    item = checked(hotline, django_capture_on_commit_callbacks)
    found = items_by_path(item)
    assert [(path, m.state, m.reason) for path, m in found.items()] == [
        ("/huge.jpg", MediaState.REFUSED, "too_large"),
        ("/1.jpg", MediaState.STORED, ""),
        ("/2.jpg", MediaState.OVER_BUDGET, "bytes"),  # cut off where the budget ended
        ("/3.jpg", MediaState.OVER_BUDGET, "bytes"),  # not fetched at all
    ]
    assert "/3.jpg" not in web.paths()
    _client, html = analyst_page(hotline, item)
    assert "refused: it is larger than the limit for one item" in html
    assert "the page&#x27;s budget of bytes was used up" in html


def test_redirects_and_names_pointing_inward_are_refused(
    hotline, django_capture_on_commit_callbacks
):
    web = hotline["web"]
    hotline["dns"].zone["inward.example.test"] = ["10.0.0.5"]
    web.page(
        "/page",
        b'<img src="/to-loopback.jpg"><img src="/to-metadata.jpg">'
        b'<img src="http://inward.example.test/x.jpg"><img src="/to-ftp.jpg">',
    )
    web.redirect("/to-loopback.jpg", f"http://127.0.0.2:{web.port}/x.jpg")
    web.redirect("/to-metadata.jpg", "http://169.254.169.254/latest/meta-data/")
    web.redirect("/to-ftp.jpg", "ftp://pics.example.test/x.jpg")
    item = checked(hotline, django_capture_on_commit_callbacks)
    found = {path: (media.state, media.reason) for path, media in items_by_path(item).items()}
    assert found == {
        "/to-loopback.jpg": (MediaState.REFUSED, "address_not_allowed"),
        "/to-metadata.jpg": (MediaState.REFUSED, "address_not_allowed"),
        "inward.example.test/x.jpg": (MediaState.REFUSED, "address_not_allowed"),
        "/to-ftp.jpg": (MediaState.REFUSED, "redirect_refused"),
    }
    assert item.state == HotlineState.ASSESSMENT  # nothing known, nothing kept: an analyst looks
    _client, html = analyst_page(hotline, item)
    assert html.count("points into a private or internal network") == 3
    assert "No picture or video of the page could be kept." in html


def test_media_with_lying_types_are_judged_by_their_content(
    hotline, django_capture_on_commit_callbacks
):
    web = hotline["web"]
    web.page(
        "/page",
        b"".join(
            b'<img src="/%s">' % name
            for name in (b"page.jpg", b"doc.jpg", b"noise.jpg", b"broken.jpg", b"empty.jpg")
        )
        + b'<img src="/missing.jpg">',
    )
    web.page("/page.jpg", b"<!DOCTYPE html><html><body>Log in</body></html>", "image/jpeg")
    web.page("/doc.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "image/jpeg")
    web.page("/noise.jpg", os.urandom(4096), "image/jpeg")
    web.page("/broken.jpg", pictures.jpeg(pictures.picture(25))[:300], "image/jpeg")
    web.page("/empty.jpg", b"", "image/jpeg")
    item = checked(hotline, django_capture_on_commit_callbacks)
    found = items_by_path(item)
    assert [(path, m.state, m.reason, m.media_type) for path, m in found.items()] == [
        ("/page.jpg", MediaState.REFUSED, "not_media", "text/html"),
        ("/doc.jpg", MediaState.REFUSED, "not_media", "application/pdf"),
        ("/noise.jpg", MediaState.REFUSED, "not_media", "application/octet-stream"),
        ("/broken.jpg", MediaState.REFUSED, "corrupt", "image/jpeg"),
        ("/empty.jpg", MediaState.FAILED, "empty", ""),
        ("/missing.jpg", MediaState.FAILED, "http_status", ""),
    ]
    assert not any(media.evidence_id for media in found.values())
    _client, html = analyst_page(hotline, item)
    for message in (
        "the content is text/html, not a picture or video (the server said image/jpeg)",
        "the content is application/pdf, not a picture or video (the server said image/jpeg)",
        "refused: it is damaged or incomplete and cannot be opened",
        "could not be fetched: the server sent nothing",
        "could not be fetched: the server answered HTTP 404",
    ):
        assert message in html


def test_html_that_is_not_html_gets_a_clear_state(hotline, django_capture_on_commit_callbacks):
    web = hotline["web"]
    noise = os.urandom(8192)
    web.page("/page", noise, "text/html; charset=utf-8")
    item = checked(hotline, django_capture_on_commit_callbacks)
    attempt = item.attempts.get()
    assert (attempt.outcome, attempt.media_search) == ("online", MediaSearch.NOT_HTML)
    assert not attempt.media_items.exists() and item.state == HotlineState.ASSESSMENT
    _client, html = analyst_page(hotline, item)
    assert (
        "The server called this address an HTML page, but its content is "
        "application/octet-stream: no pictures or videos were looked for." in html
    )
    # Text the server calls HTML is searched as a browser would render it, signature or not.
    web.page("/fragment", b'<div class="x"><img src="/m/a.jpg"></div>', "text/html")
    web.page("/m/a.jpg", pictures.jpeg(pictures.picture(26)), "image/jpeg")
    fragment = checked(hotline, django_capture_on_commit_callbacks, "/fragment")
    assert [m.state for m in items_by_path(fragment).values()] == [MediaState.STORED]
    # A picture reported directly is no page: nothing to search.
    web.page("/photo.jpg", pictures.jpeg(pictures.picture(27)), "image/jpeg")
    photo = checked(hotline, django_capture_on_commit_callbacks, "/photo.jpg")
    assert photo.attempts.get().media_search == MediaSearch.NOT_SEARCHED
    _client, html = analyst_page(hotline, photo)
    assert "Pictures and videos of the page" not in html


def test_item_addresses_are_sealed_and_wiped_with_the_report(
    hotline, django_capture_on_commit_callbacks
):
    web = hotline["web"]
    web.page("/page", b'<html><img src="/m/secret-name.jpg">')
    web.page("/m/secret-name.jpg", pictures.jpeg(pictures.picture(28)), "image/jpeg")
    item = checked(hotline, django_capture_on_commit_callbacks)
    media = item.attempts.get().media_items.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM hotline_pagemediaitem")
        dump = repr(cursor.fetchall())
    assert "secret-name" not in dump and "pics.example" not in dump
    evidence = media.evidence
    assert storages["blobs"].exists(evidence.blob_name)
    report = item.report
    report.closed_at = timezone.now() - timedelta(days=400)
    report.last_activity_at = report.closed_at
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert report_destroy(report_pk=report.pk)
    media.refresh_from_db()
    assert (bytes(media.sealed_url), bytes(media.sealed_details)) == (b"", b"")
    evidence = EvidenceFile.objects.get(pk=evidence.pk)
    assert evidence.destroyed_at is not None and not evidence.data_key.grants.exists()
    assert not storages["blobs"].exists(evidence.blob_name)
