"""Retention purge: exactly the expired reports become unreadable, statistics stay."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from meldpunt.evidence.models import (
    DerivativeJob,
    EvidenceFile,
    EvidenceMatch,
    EvidencePreview,
    MatchSubject,
)
from meldpunt.evidence.tasks import evidence_derivatives_make
from meldpunt.hashes.models import MatchMethod
from meldpunt.intake.models import Message, PurgedMaterialCount, Report, ReportStatus
from meldpunt.intake.retention import (
    report_kept_until,
    reports_due_for_purge,
    reports_purge,
    retention_wiper_register,
    retention_wiper_unregister,
)
from meldpunt.intake.retention_tasks import purge_expired_reports, purge_schedule
from meldpunt.intake.services import (
    IncomingFile,
    mailbox_open,
    report_content,
    report_key_for_staff,
    report_submit,
    reporter_message_post,
    staff_message_post,
)
from meldpunt.testing import PASSWORD, make_category, make_line, make_staff
from meldpunt.vault.audit import audit_verify
from meldpunt.vault.keys import NoKeyError, staff_key_unlock
from meldpunt.vault.models import AuditEvent, KeyGrant

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


class World:
    """Two lines with different retention, a staff member and reports of every kind."""

    def __init__(self) -> None:
        self.short_line = make_line(retention_days_after_close=30, retention_days_open=90)
        self.long_line = make_line(retention_days_after_close=365, retention_days_open=1095)
        self.short = make_category(line=self.short_line)
        self.long = make_category(line=self.long_line)
        self.analyst = make_staff(lines=[self.short_line, self.long_line])
        self.private_key = staff_key_unlock(user=self.analyst, password=PASSWORD)
        self.receipts: dict[int, str] = {}
        now = timezone.now()
        # Expired: closed 40 days ago on a 30-day line, with a file and a dialogue.
        self.closed_old = self.report(self.short, closed=now - timedelta(days=40), files=2)
        # Closed 10 days ago: still within 30 days.
        self.closed_young = self.report(self.short, closed=now - timedelta(days=10), files=1)
        # Never closed, nothing happened for 100 days on a 90-day line.
        self.open_stale = self.report(self.short, activity=now - timedelta(days=100))
        # Received long ago but the reporter wrote 5 days ago.
        self.open_active = self.report(
            self.short, received=now - timedelta(days=200), activity=now - timedelta(days=5)
        )
        # Closed 40 days ago, but someone added something 2 days ago: the clock restarted.
        self.closed_then_active = self.report(
            self.short, closed=now - timedelta(days=40), activity=now - timedelta(days=2)
        )
        # Closed 40 days ago on a line that keeps a year.
        self.long_kept = self.report(self.long, closed=now - timedelta(days=40))
        self.expired = {self.closed_old.pk, self.open_stale.pk}
        # One file of each report with files gets its thumbnail from the worker;
        # the other file of the expired report keeps its pending job, which
        # holds the data key sealed for the worker.
        for report in (self.closed_old, self.closed_young):
            first = EvidenceFile.objects.filter(data_key=report.data_key).order_by("pk").first()
            assert evidence_derivatives_make.call(first.pk) == "done"
        assert DerivativeJob.objects.filter(evidence__data_key=self.closed_old.data_key).exists()

    def report(self, category, *, closed=None, activity=None, received=None, files=0) -> Report:
        submission = report_submit(
            category=category,
            answers={"what": "De buurman verkoopt drugs"},
            questions={"what": "Wat weet u?"},
            municipality_code="GM0363",
            files=[IncomingFile(source=io.BytesIO(_png()), name=f"{n}.png") for n in range(files)],
        )
        report = submission.report
        key = self.key(report)
        staff_message_post(report=report, actor=self.analyst, key_bytes=key, body="Welke straat?")
        reporter_message_post(
            access=mailbox_open(receipt=submission.receipt), body="De Dorpsstraat"
        )
        activity = activity or closed
        received = received or activity or timezone.now()
        Report.objects.filter(pk=report.pk).update(
            received_at=received,
            last_activity_at=activity or received,
            closed_at=closed,
            status=ReportStatus.CLOSED if closed else ReportStatus.IN_PROGRESS,
        )
        self.receipts[report.pk] = submission.receipt
        report.refresh_from_db()
        return report

    def key(self, report: Report) -> bytes:
        return report_key_for_staff(report=report, user=self.analyst, private_key=self.private_key)


@pytest.fixture
def world() -> World:
    return World()


def statistics() -> list[dict]:
    """The anonymous figures the statistics pages count: per line, category, status, month."""
    return list(
        Report.objects.annotate(month=TruncMonth("received_at"))
        .values("line", "category", "status", "municipality_code", "month")
        .annotate(reports=Count("pk"))
        .order_by("line", "category", "status", "month")
    )


def blob_names(report: Report) -> list[str]:
    """The report's files and their previews in the blob store."""
    files = EvidenceFile.objects.filter(data_key=report.data_key)
    previews = EvidencePreview.objects.filter(evidence__in=files)
    return [
        *files.values_list("blob_name", flat=True),
        *previews.values_list("blob_name", flat=True),
    ]


def assert_unreadable(world: World, report: Report) -> None:
    report.refresh_from_db()
    assert report.destroyed_at is not None
    with pytest.raises(NoKeyError):
        world.key(report)
    assert not KeyGrant.objects.filter(data_key=report.data_key).exists()
    assert mailbox_open(receipt=world.receipts[report.pk]) is None
    assert report.receipt_tag is None  # a found receipt cannot confirm its holder reported
    assert bytes(report.sealed_content) == b""
    assert {bytes(body) for body in report.messages.values_list("sealed_body", flat=True)} == {b""}
    for evidence in EvidenceFile.objects.filter(data_key=report.data_key):
        assert evidence.destroyed_at is not None
        assert not storages["blobs"].exists(evidence.blob_name)
    assert not DerivativeJob.objects.filter(evidence__data_key=report.data_key).exists()
    assert not EvidencePreview.objects.filter(evidence__data_key=report.data_key).exists()
    assert not EvidenceMatch.objects.filter(evidence__data_key=report.data_key).exists()


def known_match(report: Report) -> EvidenceMatch:
    """Record that one of the report's files matched a list of known material."""
    return EvidenceMatch.objects.create(
        evidence=EvidenceFile.objects.filter(data_key=report.data_key).first(),
        list_name="bekend materiaal",
        subject=MatchSubject.ORIGINAL,
        method=MatchMethod.SHA256,
        matched_at=timezone.now(),
    )


def assert_readable(world: World, report: Report) -> None:
    report.refresh_from_db()
    assert report.destroyed_at is None
    key = world.key(report)
    assert report_content(report=report, key_bytes=key)["answers"]["what"].startswith("De buur")
    assert mailbox_open(receipt=world.receipts[report.pk]) is not None
    for name in blob_names(report):
        assert storages["blobs"].exists(name)


def test_purge_destroys_exactly_the_expired_reports_and_keeps_statistics(world):
    before = statistics()
    old_blobs = blob_names(world.closed_old)
    assert len(old_blobs) == 3  # two files and one thumbnail
    assert len(blob_names(world.closed_young)) == 2
    known_match(world.closed_old)
    kept_match = known_match(world.closed_young)

    result = reports_purge()

    assert set(result.destroyed) == world.expired
    assert result.skipped == []
    for report in Report.objects.all():
        if report.pk in world.expired:
            assert_unreadable(world, report)
        else:
            assert_readable(world, report)
    assert not any(storages["blobs"].exists(name) for name in old_blobs)
    assert list(EvidenceMatch.objects.all()) == [kept_match]
    # The destroyed report's match lives on as a counter that names no report.
    received = timezone.localtime(world.closed_old.received_at).date().replace(day=1)
    assert sorted(
        PurgedMaterialCount.objects.values_list("line", "month", "list_name", "reports")
    ) == [
        (world.short_line.pk, received, "", 1),
        (world.short_line.pk, received, "bekend materiaal", 1),
    ]
    assert statistics() == before
    assert Report.objects.count() == 6 and Message.objects.count() == 12
    destroyed_events = AuditEvent.objects.filter(action="report.destroyed")
    assert {int(e.target_id) for e in destroyed_events} == world.expired
    assert all(e.actor is None for e in destroyed_events)
    assert audit_verify().is_intact


def test_running_twice_changes_nothing_the_second_time(world):
    reports_purge()
    events = AuditEvent.objects.count()
    rows = list(
        Report.objects.values_list("pk", "destroyed_at", "sealed_content", "receipt_lookup")
    )

    again = reports_purge()

    assert again.destroyed == [] and again.skipped == []
    assert AuditEvent.objects.count() == events
    assert (
        list(Report.objects.values_list("pk", "destroyed_at", "sealed_content", "receipt_lookup"))
        == rows
    )


def test_dry_run_lists_what_would_go_and_changes_nothing(world):
    contents = dict(Report.objects.values_list("pk", "sealed_content"))
    grants = KeyGrant.objects.count()
    out = io.StringIO()

    call_command("purge", "--dry-run", stdout=out)

    output = out.getvalue()
    assert world.closed_old.reference in output and world.open_stale.reference in output
    for kept in (world.closed_young, world.open_active, world.closed_then_active, world.long_kept):
        assert kept.reference not in output
    assert "2 report(s) would be destroyed" in output
    assert dict(Report.objects.values_list("pk", "sealed_content")) == contents
    assert KeyGrant.objects.count() == grants
    assert not Report.objects.filter(destroyed_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="report.destroyed").exists()


def test_command_purges_and_reports_progress(world):
    out, err = io.StringIO(), io.StringIO()

    call_command("purge", stdout=out, stderr=err)

    assert "Destroyed the content of 2 report(s)" in out.getvalue()
    assert "2/2" in err.getvalue()
    assert set(Report.objects.filter(destroyed_at__isnull=False).values_list("pk", flat=True)) == (
        world.expired
    )


def test_activity_during_a_run_saves_the_report(world):
    """A reporter who writes while the purge runs must never lose the report."""
    first, last = sorted(world.expired)
    receipt = world.receipts[last]

    def reporter_writes_meanwhile(candidate, destroyed):
        if candidate.pk == first:
            # The run has listed both reports already; now the reporter adds something.
            reporter_message_post(access=mailbox_open(receipt=receipt), body="Nog iets")

    result = reports_purge(on_progress=reporter_writes_meanwhile)

    assert result.destroyed == [first]
    assert result.skipped == [last]
    assert_readable(world, Report.objects.get(pk=last))
    assert not reports_due_for_purge().filter(pk=last).exists()


def test_apps_above_intake_can_wipe_their_own_ciphertext(world):
    wiped = []

    def wipe_case_notes(report):
        assert report.destroyed_at is not None  # called inside the report's transaction
        wiped.append(report.pk)

    retention_wiper_register(wipe_case_notes)
    try:
        reports_purge()
    finally:
        retention_wiper_unregister(wipe_case_notes)
    assert set(wiped) == world.expired


def test_kept_until_follows_closing_and_activity(world):
    today = timezone.localdate()
    assert report_kept_until(world.closed_young) == today + timedelta(days=20)
    assert report_kept_until(world.open_active) == today + timedelta(days=85)
    assert report_kept_until(world.closed_then_active) == today + timedelta(days=28)
    reports_purge()
    world.closed_old.refresh_from_db()
    assert report_kept_until(world.closed_old) is None


def test_mailbox_shows_until_when_the_report_is_kept(client, world):
    report = world.closed_young
    assert client.post("/en/mailbox/", {"receipt": world.receipts[report.pk]}).status_code == 302

    page = client.get("/en/mailbox/messages/").content.decode()

    kept_until = report_kept_until(report)
    assert 'id="kept-until"' in page
    assert f"{kept_until.day} {kept_until:%B} {kept_until.year}" in page


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_task_purges_and_cannot_schedule_on_an_immediate_backend(world):
    result = purge_expired_reports.enqueue()

    assert result.return_value == 2
    assert set(Report.objects.filter(destroyed_at__isnull=False).values_list("pk", flat=True)) == (
        world.expired
    )
    assert purge_schedule() is None


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_schedule_queues_one_daily_run():
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("purge", "--schedule", stdout=out)
    run_after = DBTaskResult.objects.get(task_path=purge_expired_reports.module_path).run_after

    assert f"Next purge queued for {timezone.localtime(run_after):%Y-%m-%d %H:%M}" in out.getvalue()
    assert run_after > timezone.now()
    assert run_after - timezone.now() <= timedelta(days=1)
    assert timezone.localtime(run_after).strftime("%H:%M") == "03:30"
    assert purge_schedule() is None, "a second chain must not be started"
    assert DBTaskResult.objects.filter(task_path=purge_expired_reports.module_path).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
# Committed transactions would run the immediate backend's evidence tasks at once;
# World expects them queued, as the real database backend leaves them.
@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_workers_running_at_once_destroy_each_report_exactly_once():
    world = World()
    start = threading.Barrier(3)
    results = []

    def worker():
        start.wait()
        try:
            results.append(reports_purge())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    destroyed = sorted(pk for result in results for pk in result.destroyed)
    assert destroyed == sorted(world.expired)
    assert AuditEvent.objects.filter(action="report.destroyed").count() == len(world.expired)
    assert audit_verify().is_intact
