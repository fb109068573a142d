"""Re-checking material judged illegal until it is removed, against local servers.

A real HTTP server and DNS server (conftest), the real check with its fetcher,
real encryption of the first check's hashes, and a receiver connected to the
real ``removal_overdue`` signal.
"""

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases.tests.factories import make_report
from meldpunt.hashes.tests import pictures
from meldpunt.hotline.checking import reported_url_check, reported_urls_check
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import (
    FetchAttempt,
    HotlineState,
    MediaState,
    OnlineStatus,
    Presence,
    ReportedUrl,
)
from meldpunt.hotline.services import reported_url_assess, reported_url_create
from meldpunt.hotline.signals import removal_overdue
from meldpunt.intake.models import Report
from meldpunt.lines.models import Line, LineKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.testing import make_category, make_line, make_staff, sign_in

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"
pytestmark = pytest.mark.django_db

ONE = pictures.jpeg(pictures.picture(31))
TWO = pictures.jpeg(pictures.picture(32))
OTHER = pictures.jpeg(pictures.picture(33))


def gallery_page(*sources: str, extra: bytes = b"") -> bytes:
    images = b"".join(b'<img src="%s">' % source.encode() for source in sources)
    return b"<!DOCTYPE html><html><body>" + images + extra + b"</body></html>"


@pytest.fixture
def hotline(fake_web, fake_dns, crawler_may_reach_fake_web):
    line = make_line(kind=LineKind.CONTENT_HOTLINE, retention_days_after_close=90)
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/image.jpg", ONE, "image/jpeg")
    fake_web.page("/m/one.jpg", ONE, "image/jpeg")
    fake_web.page("/m/two.jpg", TWO, "image/jpeg")
    fake_web.page("/page", gallery_page("/m/one.jpg", "/m/two.jpg"))
    ip_table_import(path=SAMPLE)
    return {
        "analyst": make_staff(lines=[line]),
        "category": make_category(line=line),
        "web": fake_web,
        "dns": fake_dns,
    }


@pytest.fixture
def overdue_signals():
    """A receiver on the real signal, as the notice sender above the hotline connects one."""
    received: list[ReportedUrl] = []

    def receiver(sender, *, reported_url, **kwargs) -> None:
        received.append(reported_url)

    removal_overdue.connect(receiver, dispatch_uid="test-removal-overdue")
    yield received
    removal_overdue.disconnect(dispatch_uid="test-removal-overdue")


def judged_illegal(hotline, capture, path: str = "/image.jpg") -> ReportedUrl:
    """A reported address, checked once, then judged illegal by the analyst."""
    report = make_report(category=hotline["category"])
    address = url_normalise(hotline["web"].url(path, host="pics.example.test"))
    with capture(execute=True):
        item = reported_url_create(report=report, address=address)
    item.refresh_from_db()
    assert item.state == HotlineState.ASSESSMENT
    return reported_url_assess(
        item=item, actor=hotline["analyst"], decision="illegal", seen_state=item.state
    )


def analyst_page(hotline, item: ReportedUrl) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, hotline["analyst"])
    response = client.get(reverse("hotline:report", args=[item.report_id]))
    assert response.status_code == 200
    return response.content.decode()


def hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def recheck(item: ReportedUrl, start: datetime, days: int) -> ReportedUrl:
    assert reported_url_check(reported_url_id=item.pk, now=start + timedelta(days=days)) != (
        "not due"
    )
    item.refresh_from_db()
    return item


def test_removal_by_status_is_recorded_with_its_time(
    hotline, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_GONE_AFTER_OFFLINE_CHECKS = 2
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    assert item.illegal_at == hour(timezone.now())
    item = recheck(item, start, 1)
    assert (item.state, item.offline_checks, item.attempts.last().presence) == (
        HotlineState.ILLEGAL,
        0,
        Presence.PRESENT,
    )
    del hotline["web"].routes["/image.jpg"]  # taken down: 404 from now on
    item = recheck(item, start, 2)
    assert (item.state, item.offline_checks, item.gone_at) == (HotlineState.ILLEGAL, 1, None)
    assert item.absent_since == hour(start + timedelta(days=2))
    item = recheck(item, start, 3)
    # Gone since the first check that found it gone; the second one confirmed it.
    assert item.state == HotlineState.GONE and item.next_check_at is None
    assert (item.gone_reason, item.gone_at) == (Presence.OFFLINE, hour(start + timedelta(days=2)))
    expected = (hour(start + timedelta(days=2)) - item.illegal_at).total_seconds() // 3600
    assert item.removal_hours == expected and 47 <= expected <= 49
    assert reported_url_check(reported_url_id=item.pk, now=start + timedelta(days=4)) == "not due"
    html = analyst_page(hotline, item)
    assert f"removed {expected:.0f} hours after it was judged illegal" in html


def test_a_page_that_stays_up_but_no_longer_shows_the_pictures_counts_as_removed(
    hotline, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_GONE_AFTER_OFFLINE_CHECKS = 2
    web = hotline["web"]
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks, "/page")
    first = item.attempts.get(purpose="first")
    assert [m.state for m in first.media_items.all()] == [MediaState.STORED] * 2
    # The page changes (a banner) but still shows the pictures: still online.
    web.page("/page", gallery_page("/m/one.jpg", "/m/two.jpg", extra=b"<p>new banner</p>"))
    requests = len(web.requests)
    assert recheck(item, start, 1).attempts.last().presence == Presence.PRESENT
    assert web.paths()[requests:] == ["/page", "/m/one.jpg"]  # the first kept item sufficed
    # The same picture moved to a new address: still online.
    web.page("/cdn/x1.jpg", TWO, "image/jpeg")
    web.page("/page", gallery_page("/cdn/x1.jpg"))
    del web.routes["/m/one.jpg"], web.routes["/m/two.jpg"]
    item = recheck(item, start, 2)
    assert (item.attempts.last().presence, item.offline_checks) == (Presence.PRESENT, 0)
    # Now the page shows another picture only: the material is gone, the page is not.
    web.page("/cdn/x1.jpg", OTHER, "image/jpeg")
    item = recheck(item, start, 3)
    assert (item.online_status, item.attempts.last().presence) == (
        OnlineStatus.ONLINE,
        Presence.MEDIA_GONE,
    )
    item = recheck(item, start, 4)
    assert (item.state, item.gone_reason) == (HotlineState.GONE, Presence.MEDIA_GONE)
    assert item.gone_at == hour(start + timedelta(days=3))
    assert item.removal_hours == (item.gone_at - item.illegal_at).total_seconds() // 3600


def test_checks_go_on_daily_while_the_material_is_online(
    hotline, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_RECHECK_HOURS = 24
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    for day in range(1, 6):
        item = recheck(item, start, day)
        assert item.state == HotlineState.ILLEGAL and item.gone_at is None
        assert item.next_check_at == start + timedelta(days=day, hours=24)
    # A check that cannot tell (a server error) neither counts towards gone nor resets.
    del hotline["web"].routes["/image.jpg"]
    item = recheck(item, start, 6)
    hotline["web"].page("/image.jpg", b"oops", "text/plain", status=500)
    item = recheck(item, start, 7)
    assert (item.attempts.last().presence, item.offline_checks) == (Presence.UNKNOWN, 1)
    assert item.state == HotlineState.ILLEGAL and item.removal_hours is None
    assert item.attempts.filter(purpose="recheck").count() == 7


@pytest.mark.parametrize(
    "state", [HotlineState.NOTICE_SENT, HotlineState.FORWARDED, HotlineState.POLICE_INFORMED]
)
def test_addresses_acted_on_are_checked_until_gone(
    hotline, django_capture_on_commit_callbacks, settings, state
):
    """Forwarded addresses too: the monitor measures the provider wherever it is."""
    settings.HOTLINE_GONE_AFTER_OFFLINE_CHECKS = 1
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    ReportedUrl.objects.filter(pk=item.pk).update(state=state)
    assert recheck(item, start, 1).state == state
    hotline["web"].page("/image.jpg", OTHER, "image/jpeg")  # another file at the address
    item = recheck(item, start, 2)
    assert (item.state, item.gone_reason) == (HotlineState.GONE, Presence.CONTENT_CHANGED)


def test_an_address_still_online_after_the_reminder_period_is_flagged_and_signalled_once(
    hotline, django_capture_on_commit_callbacks, settings, overdue_signals
):
    settings.HOTLINE_REMOVAL_REMINDER_DAYS = 3
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    other = judged_illegal(hotline, django_capture_on_commit_callbacks)
    for day in (1, 2):
        assert recheck(item, start, day).overdue_at is None
    assert overdue_signals == []
    item = recheck(item, start, 3)
    assert item.overdue_at == hour(start + timedelta(days=3))
    assert [signalled.pk for signalled in overdue_signals] == [item.pk]
    assert overdue_signals[0].overdue_at == item.overdue_at  # sent with the flag set
    for day in (4, 5):
        recheck(item, start, day)
    assert len(overdue_signals) == 1
    assert ReportedUrl.objects.get(pk=item.pk).overdue_at == hour(start + timedelta(days=3))
    assert f'id="overdue-{item.pk}"' in analyst_page(hotline, item)
    # Removed before the period passed: never flagged.
    del hotline["web"].routes["/image.jpg"]
    settings.HOTLINE_GONE_AFTER_OFFLINE_CHECKS = 1
    other = recheck(other, start, 2)
    assert (other.state, other.overdue_at) == (HotlineState.GONE, None)
    assert len(overdue_signals) == 1


def test_a_page_that_never_finishes_gives_a_clear_state(
    hotline, django_capture_on_commit_callbacks, settings
):
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    settings.HOTLINE_FETCH_TOTAL_SECONDS = 1.0
    hotline["web"].trickle("/image.jpg", seconds_per_byte=0.2, total_bytes=100)
    item = recheck(item, start, 1)
    attempt = item.attempts.last()
    assert (attempt.outcome, attempt.error, attempt.presence) == ("error", "timeout", "")
    assert item.state == HotlineState.ILLEGAL and not item.is_checking
    assert item.next_check_at == start + timedelta(days=2)


def test_a_redirect_to_an_inward_address_is_refused_and_not_taken_for_removal(
    hotline, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_GONE_AFTER_OFFLINE_CHECKS = 1
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    hotline["web"].redirect("/image.jpg", "http://169.254.169.254/latest/meta-data/")
    item = recheck(item, start, 1)
    attempt = item.attempts.last()
    assert (attempt.outcome, attempt.error, attempt.presence) == (
        "error",
        "address_not_allowed",
        "",
    )
    assert item.state == HotlineState.ILLEGAL and not item.is_checking


def test_a_page_turned_into_something_that_is_not_html_counts_as_changed(
    hotline, django_capture_on_commit_callbacks
):
    start = timezone.now() + timedelta(minutes=1)
    item = judged_illegal(hotline, django_capture_on_commit_callbacks, "/page")
    hotline["web"].page("/page", bytes(range(256)) * 64, "text/html")  # garbage called HTML
    item = recheck(item, start, 1)
    assert (item.online_status, item.attempts.last().presence, item.offline_checks) == (
        OnlineStatus.ONLINE,
        Presence.CONTENT_CHANGED,
        1,
    )
    assert not item.is_checking and item.next_check_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory test database locks tables across threads"
)
def test_a_batch_checks_with_threads_each_address_once(
    hotline, django_capture_on_commit_callbacks, settings
):
    items = [judged_illegal(hotline, django_capture_on_commit_callbacks) for _ in range(12)]
    settings.HOTLINE_RECHECK_CONCURRENCY = 4
    later = timezone.now() + timedelta(days=1, minutes=1)
    ids = [item.pk for item in items]
    assert reported_urls_check(reported_url_ids=ids + ids, now=later) == 12
    assert FetchAttempt.objects.filter(purpose="recheck").count() == 12
    assert not ReportedUrl.objects.filter(is_checking=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has no row locks")
def test_a_re_check_does_not_wait_for_other_work_on_its_report_or_line(
    hotline, django_capture_on_commit_callbacks
):
    """An analyst's open transaction on the case, or another check of the line, holds
    the report and line rows; a re-check locks only its own address, so it goes on."""
    item = judged_illegal(hotline, django_capture_on_commit_callbacks)
    holding, release = threading.Event(), threading.Event()

    def hold_report_and_line() -> None:
        try:
            with transaction.atomic():
                report = Report.objects.select_for_update().get(pk=item.report_id)
                Line.objects.select_for_update().get(pk=report.line_id)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=hold_report_and_line)
    other.start()
    try:
        assert holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        later = timezone.now() + timedelta(days=1, minutes=1)
        assert reported_url_check(reported_url_id=item.pk, now=later) != "not due"
    finally:
        release.set()
        other.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert FetchAttempt.objects.filter(reported_url=item, purpose="recheck").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has no row locks")
def test_a_sweep_skips_an_address_someone_holds_and_checks_it_next_time(
    hotline, django_capture_on_commit_callbacks
):
    """A sweep claims a handful of addresses in one go; one that another transaction
    holds (an analyst saving it) is passed over, not waited for, and stays due."""
    held, free = (judged_illegal(hotline, django_capture_on_commit_callbacks) for _ in range(2))
    holding, release = threading.Event(), threading.Event()

    def hold_address() -> None:
        try:
            with transaction.atomic():
                ReportedUrl.objects.select_for_update().get(pk=held.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=hold_address)
    other.start()
    later = timezone.now() + timedelta(days=1, minutes=1)
    try:
        assert holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        assert reported_urls_check(reported_url_ids=[held.pk, free.pk], now=later) == 1
    finally:
        release.set()
        other.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert FetchAttempt.objects.filter(reported_url=free, purpose="recheck").count() == 1
    assert not FetchAttempt.objects.filter(reported_url=held, purpose="recheck").exists()
    assert reported_urls_check(reported_url_ids=[held.pk, free.pk], now=later) == 1
    assert FetchAttempt.objects.filter(reported_url=held, purpose="recheck").count() == 1
