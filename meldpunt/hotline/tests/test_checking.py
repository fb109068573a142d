"""The whole check against local servers: fetch, store, match, trace, re-check, wipe."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from meldpunt.cases.tests.factories import make_report
from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
from meldpunt.evidence.services import evidence_prepare
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.hotline.checking import _claim, hosting_route, reported_url_check
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import (
    FetchAttempt,
    HostingRoute,
    HotlineState,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open, url_open
from meldpunt.hotline.services import reported_url_create
from meldpunt.hotline.tasks import hotline_recheck
from meldpunt.hotline.tests.conftest import picture
from meldpunt.intake.retention import report_destroy
from meldpunt.lines.models import LineKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.testing import PASSWORD, make_category, make_line, make_staff
from meldpunt.vault import blobs
from meldpunt.vault.keys import data_key_open, staff_key_unlock

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"
pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline(fake_web, fake_dns, crawler_may_reach_fake_web):
    line = make_line(kind=LineKind.CONTENT_HOTLINE, retention_days_after_close=90)
    analyst = make_staff(lines=[line])
    category = make_category(line=line)
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/image.jpg", fake_web.image, "image/jpeg")
    ip_table_import(path=SAMPLE)
    return {"line": line, "analyst": analyst, "category": category, "web": fake_web}


def report_url(hotline, path: str = "/image.jpg", *, capture) -> ReportedUrl:
    """A report with one address, committed as intake would; the first check runs on commit."""
    report = make_report(category=hotline["category"])
    address = url_normalise(hotline["web"].url(path, host="pics.example.test"))
    with capture(execute=True):
        item = reported_url_create(report=report, address=address)
    item.refresh_from_db()
    return item


def hash_list_with(tmp_path, name: str, algorithm: str, value: str):
    hash_list = hash_list_create(name=name)
    listing = tmp_path / f"{name}.txt"
    listing.write_text(value + "\n")
    hash_list_import(hash_list=hash_list, path=listing, algorithm=algorithm)
    return hash_list


def test_a_new_address_is_fetched_stored_traced_and_queued_for_an_analyst(
    hotline, django_capture_on_commit_callbacks
):
    before = timezone.now()
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    assert (item.state, item.online_status, item.known_status) == (
        HotlineState.ASSESSMENT,
        "online",
        "not_known",
    )
    assert (item.country, item.asn, item.route) == ("NL", 64500, HostingRoute.DOMESTIC)
    assert item.check_count == 1
    assert item.next_check_at >= before + timedelta(hours=24)
    [attempt] = item.attempts.all()
    assert (attempt.purpose, attempt.outcome, attempt.http_status) == ("first", "online", 200)
    assert attempt.media_type == "image/jpeg"
    assert attempt.checked_at.minute == 0  # the hour only: it follows the report
    details = details_open(attempt.sealed_details)
    assert details["final_url"] == item_url(item)
    assert details["address"] == "127.0.0.1"
    # The capture is cleaned, encrypted and readable by the line's analyst only.
    evidence = attempt.evidence
    assert evidence.media_type == "image/jpeg"
    analyst = hotline["analyst"]
    key_bytes = data_key_open(
        data_key=evidence.data_key,
        private_key=staff_key_unlock(user=analyst, password=PASSWORD),
        user=analyst,
    )
    stored = blobs.blob_read_all(key=key_bytes, name=evidence.blob_name)
    assert stored[:3] == b"\xff\xd8\xff"
    [trace] = item.traces.all()
    assert trace.addresses == [
        {
            "address": "127.0.0.1",
            "asn": 64500,
            "country": "NL",
            "organisation": "LOOPBACK-HOSTING-NL",
        }
    ]


def item_url(item: ReportedUrl) -> str:
    return url_open(item.sealed_url)


def test_the_address_is_not_in_the_database_in_plaintext(
    hotline, django_capture_on_commit_callbacks
):
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    assert "pics.example.test" in item_url(item)
    for table in ("hotline_reportedurl", "hotline_fetchattempt", "hotline_hostingtrace"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump = repr(cursor.fetchall())
        assert "pics.example" not in dump
        assert "image.jpg" not in dump


def test_known_material_by_exact_hash_skips_the_analyst(
    hotline, tmp_path, django_capture_on_commit_callbacks
):
    hash_list_with(
        tmp_path, "police-2026", "sha256", hashlib.sha256(hotline["web"].image).hexdigest()
    )
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    assert (item.state, item.known_status) == (HotlineState.KNOWN, "known")
    attempt = item.attempts.get()
    assert attempt.is_known
    assert details_open(attempt.sealed_details)["matched_lists"] == ["police-2026"]


def test_known_material_by_pdq_of_a_re_encoded_picture(
    hotline, tmp_path, django_capture_on_commit_callbacks
):
    original = tmp_path / "original.jpg"
    original.write_bytes(picture(quality=95))
    with original.open("rb") as source:
        prepared = evidence_prepare(source=source, name="original.jpg", max_bytes=10**7)
    prepared.discard()
    assert prepared.hashes["pdq_quality"] >= 50
    hash_list_with(tmp_path, "inhope-pdq", "pdq", prepared.hashes["pdq"])
    hotline["web"].page("/again.jpg", picture(quality=60), "image/jpeg")
    item = report_url(hotline, "/again.jpg", capture=django_capture_on_commit_callbacks)
    assert item.state == HotlineState.KNOWN
    attempt = item.attempts.get()
    assert details_open(attempt.sealed_details)["matched_lists"] == []  # no exact match
    assert EvidenceMatch.objects.get(evidence=attempt.evidence).method == "pdq"


def test_an_address_pointing_inward_is_recorded_as_refused(
    hotline, fake_dns, settings, django_capture_on_commit_callbacks
):
    settings.HOTLINE_FETCH_ALLOWED_NETWORKS = []  # production
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    attempt = item.attempts.get()
    assert (attempt.outcome, attempt.error, attempt.evidence) == (
        "error",
        "address_not_allowed",
        None,
    )
    assert item.state == HotlineState.ASSESSMENT  # an analyst looks by hand
    assert hotline["web"].requests == []


def test_a_check_is_claimed_once(hotline, django_capture_on_commit_callbacks):
    report = make_report(category=hotline["category"])
    item = reported_url_create(
        report=report,
        address=url_normalise(hotline["web"].url("/image.jpg", host="pics.example.test")),
    )
    now = timezone.now()
    assert _claim([item.pk], now) == [item]
    assert _claim([item.pk], now) == []  # a second worker finds it taken
    assert reported_url_check(reported_url_id=item.pk, now=now) == "not due"
    # A claim that was never finished (the worker died) expires after its lease.
    assert reported_url_check(reported_url_id=item.pk, now=now + timedelta(hours=2)) != "not due"
    assert item.attempts.count() == 1


def test_the_daily_re_check_is_idempotent_and_ends_when_the_material_is_gone(
    hotline, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_GONE_AFTER_OFFLINE_CHECKS = 2
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    waiting = report_url(hotline, capture=django_capture_on_commit_callbacks)
    # Later slices act on illegal material; here the notice is taken as sent.
    ReportedUrl.objects.filter(pk=item.pk).update(state=HotlineState.NOTICE_SENT)
    day = timezone.now()

    def recheck(days: int) -> int:
        moment = day + timedelta(days=days, hours=1)
        checked = 0
        for pk in (item.pk, waiting.pk):
            if reported_url_check(reported_url_id=pk, now=moment) != "not due":
                checked += 1
        return checked

    assert recheck(1) == 2
    assert recheck(1) == 0  # the same day again: nothing is due
    assert FetchAttempt.objects.filter(purpose="recheck").count() == 2
    del hotline["web"].routes["/image.jpg"]  # removed: 404 from now on
    assert recheck(2) == 2
    item.refresh_from_db()
    assert (item.state, item.online_status, item.offline_checks) == (
        HotlineState.NOTICE_SENT,
        "offline",
        1,
    )
    assert recheck(3) == 2
    item.refresh_from_db()
    waiting.refresh_from_db()
    assert item.state == HotlineState.GONE
    assert item.gone_at is not None and item.next_check_at is None
    # Not yet assessed: offline is shown to the analyst, but it is not "gone".
    assert (waiting.state, waiting.online_status) == (HotlineState.ASSESSMENT, "offline")
    assert recheck(4) == 1


def test_the_sweep_task_checks_what_is_due(hotline, django_capture_on_commit_callbacks):
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    ReportedUrl.objects.filter(pk=item.pk).update(
        next_check_at=timezone.now() - timedelta(minutes=1)
    )
    assert hotline_recheck.enqueue().return_value == 1
    assert item.attempts.filter(purpose="recheck").count() == 1
    assert hotline_recheck.enqueue().return_value == 0


@pytest.mark.parametrize(
    ("country", "route"),
    [
        ("NL", HostingRoute.DOMESTIC),
        ("DE", HostingRoute.PARTNER_HOTLINE),
        ("XY", HostingRoute.ABROAD),
        ("", HostingRoute.UNKNOWN),
    ],
)
def test_routes_follow_the_hosting_country(settings, country, route):
    settings.HOTLINE_PARTNER_COUNTRIES = ["DE", "BE"]
    assert hosting_route(country) == route


def test_the_retention_purge_wipes_addresses_and_captures(
    hotline, django_capture_on_commit_callbacks
):
    item = report_url(hotline, capture=django_capture_on_commit_callbacks)
    evidence = item.attempts.get().evidence
    assert storages["blobs"].exists(evidence.blob_name)
    report = item.report
    report.closed_at = timezone.now() - timedelta(days=400)
    report.last_activity_at = report.closed_at
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert report_destroy(report_pk=report.pk)
    item.refresh_from_db()
    assert (bytes(item.sealed_url), item.url_tag, item.next_check_at) == (b"", "", None)
    assert item.destroyed_at is not None
    assert bytes(item.attempts.get().sealed_details) == b""
    assert item.traces.get().addresses == []
    assert (item.state, item.country) == (HotlineState.ASSESSMENT, "NL")  # statistics stay
    evidence = EvidenceFile.objects.get(pk=evidence.pk)
    assert evidence.destroyed_at is not None
    assert not evidence.data_key.grants.exists()
    assert not storages["blobs"].exists(evidence.blob_name)
    assert reported_url_check(reported_url_id=item.pk, now=timezone.now() + timedelta(days=2)) == (
        "not due"
    )


def test_a_page_is_kept_as_text(hotline, django_capture_on_commit_callbacks):
    hotline["web"].page("/gallery", b"<!DOCTYPE html><html><body><img src=1.jpg></body></html>")
    item = report_url(hotline, "/gallery", capture=django_capture_on_commit_callbacks)
    attempt = item.attempts.get()
    assert (attempt.media_type, attempt.evidence.media_type) == (
        "text/html",
        "text/plain; charset=utf-8",
    )
