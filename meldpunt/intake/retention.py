"""Retention and destruction of report content (crypto-shredding).

Each line says how long content is kept after a report is closed, and how long
at most while it is still open. When that time has passed, the report's data
key is destroyed (every sealed copy deleted), its files are deleted from the
blob store and the ciphertext in the database is wiped. The report row itself
stays with its plaintext metadata (line, category, status, dates, municipality)
so the anonymous statistics of earlier years do not change. The known-material
matches go with the files; whether the report had any is added to plaintext
counters first (``PurgedMaterialCount``), which name no report.

Activity resets the clock: retention counts from the later of closing and the
last message, because deleting a report right after its reporter added
something is exactly the failure the reporting point must never make. The
decision is checked again under a row lock just before destruction, so activity
that arrives while a purge run is underway always wins.

The purge lives in intake (not privacy) because intake owns the Report; privacy
is a foundation app and must not import the apps above it.
"""

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from meldpunt.evidence.destruction import evidence_files_destroy
from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
from meldpunt.lines.models import Line
from meldpunt.vault import blobs
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_destroy

from .models import ANY_LIST, Message, PurgedMaterialCount, Report

# Apps above intake (cases, chat) keep their own ciphertext under a report's
# data key. They register a function here from AppConfig.ready(), and the purge
# calls it inside the report's transaction to wipe that ciphertext too; intake
# cannot import them. Crypto-shredding already makes such data unreadable.
ReportContentWiper = Callable[[Report], None]
_content_wipers: list[ReportContentWiper] = []


def retention_wiper_register(wiper: ReportContentWiper) -> None:
    """Have the purge call ``wiper(report)`` for every report it destroys."""
    if wiper not in _content_wipers:
        _content_wipers.append(wiper)


def retention_wiper_unregister(wiper: ReportContentWiper) -> None:
    if wiper in _content_wipers:
        _content_wipers.remove(wiper)


# Apps above intake that keep content of their own outside any report (chat
# transcripts without a receipt) register a purge here; the daily purge task runs
# each one after the reports. A purge returns how many items it destroyed.
ExtraPurge = Callable[[], int]
_extra_purges: list[ExtraPurge] = []


def retention_purge_register(purge: ExtraPurge) -> None:
    """Have the daily purge task also run ``purge()`` (idempotent, safe on many workers)."""
    if purge not in _extra_purges:
        _extra_purges.append(purge)


def retention_extra_purges_run() -> int:
    """Run every registered purge; returns how many items they destroyed together."""
    return sum(purge() for purge in _extra_purges)


# Reports are fetched and destroyed in batches so a purge of millions of rows
# never holds them all in memory or in one transaction.
PURGE_BATCH_SIZE = 500


def report_expires_at(report: Report) -> datetime | None:
    """The moment the report's content may be destroyed; None once it has been.

    Closed reports count ``retention_days_after_close`` from the later of
    closing and the last activity; open ones ``retention_days_open`` from the
    last activity.
    """
    if report.destroyed_at is not None:
        return None
    line = report.line
    if report.closed_at is not None:
        start = max(report.closed_at, report.last_activity_at)
        return start + timedelta(days=line.retention_days_after_close)
    return report.last_activity_at + timedelta(days=line.retention_days_open)


def report_kept_until(report: Report) -> date | None:
    """The last day (local time) the report is kept as things stand, for the reporter."""
    expires_at = report_expires_at(report)
    return timezone.localdate(expires_at) if expires_at is not None else None


def _due_condition(now: datetime) -> Q | None:
    """One condition per line, since every line has its own retention periods."""
    conditions = []
    for line_pk, days_after_close, days_open in Line.objects.values_list(
        "pk", "retention_days_after_close", "retention_days_open"
    ):
        closed_limit = now - timedelta(days=days_after_close)
        open_limit = now - timedelta(days=days_open)
        conditions.append(
            Q(line_id=line_pk)
            & (
                Q(closed_at__lte=closed_limit, last_activity_at__lte=closed_limit)
                | Q(closed_at__isnull=True, last_activity_at__lte=open_limit)
            )
        )
    return reduce(or_, conditions) if conditions else None


def reports_due_for_purge(*, now: datetime | None = None) -> QuerySet[Report]:
    """Reports whose content has outlived its line's retention period."""
    condition = _due_condition(now or timezone.now())
    if condition is None:
        return Report.objects.none()
    return Report.objects.filter(condition, destroyed_at__isnull=True).order_by("pk")


@dataclass(frozen=True)
class PurgeCandidate:
    """What the dry run shows: enough to recognise a report, no content."""

    pk: int
    reference: str
    line: str
    status: str
    is_closed: bool
    expired_at: datetime


def _as_candidate(report: Report) -> PurgeCandidate:
    return PurgeCandidate(
        pk=report.pk,
        reference=report.reference,
        line=report.line.slug,
        status=report.status,
        is_closed=report.closed_at is not None,
        expired_at=report_expires_at(report),
    )


def purge_candidates(*, now: datetime | None = None) -> Iterator[PurgeCandidate]:
    """What a purge at ``now`` would destroy, in batches by primary key; changes nothing."""
    now = now or timezone.now()
    after_pk = 0
    while True:
        due = reports_due_for_purge(now=now).filter(pk__gt=after_pk).select_related("line")
        batch = [_as_candidate(report) for report in due[:PURGE_BATCH_SIZE]]
        if not batch:
            return
        yield from batch
        after_pk = batch[-1].pk


def report_destroy(*, report_pk: int, now: datetime | None = None) -> bool:
    """Destroy one report's content if it is still due; True when it was destroyed.

    The row is locked and the due condition checked again inside the
    transaction: a report that received activity after the candidates were
    listed, that another worker holds (SKIP LOCKED) or that is already
    destroyed is left alone, which makes the purge idempotent and safe to run
    on many workers at once. SQLite serialises writers itself.
    """
    now = now or timezone.now()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("line", "data_key")
            .filter(pk=report_pk)
            .first()
        )
        expires_at = report_expires_at(report) if report is not None else None
        if expires_at is None or expires_at > now:
            return False
        # Before anything deletes the matches (the files below, the wipers after).
        purged_material_count(report)
        destroyed = evidence_files_destroy(
            files=list(EvidenceFile.objects.filter(data_key=report.data_key, destroyed_at=None)),
            now=now,
        )
        wiped_messages = Message.objects.filter(report=report).update(sealed_body=b"")
        data_key_destroy(data_key=report.data_key)
        report.sealed_content = b""
        report.destroyed_at = now
        # The receipt's lookup value and tag would let whoever finds a receipt
        # confirm that its holder reported (line, category, dates); they go.
        report.receipt_lookup = secrets.token_bytes(32)
        report.receipt_tag = None
        report.save(
            update_fields=["sealed_content", "destroyed_at", "receipt_lookup", "receipt_tag"]
        )
        for wiper in _content_wipers:
            wiper(report)
        audit_record(
            actor=None,
            action="report.destroyed",
            target=report,
            details={
                "files": destroyed.files,
                "previews": destroyed.previews,
                "messages": wiped_messages,
            },
        )
        # Last, so a failure above rolls back before anything irreversible
        # happens; deleting a blob that is already gone is a no-op, so a
        # retry after a failed commit finishes the job.
        for name in destroyed.blob_names:
            blobs.blob_delete(name=name)
    return True


def purged_material_count(report: Report) -> None:
    """Add the report to the known-material counters if any of its files matched a list.

    Called by the purge inside the report's transaction, before the matches are
    deleted, so *reports with known material* for the report's month stays what
    it was (docs/statistics.md, "After the retention purge"). The files are the
    ones under the report's data key, as the statistics count them.
    """
    lists = set(
        EvidenceMatch.objects.filter(evidence__data_key_id=report.data_key_id).values_list(
            "list_name", flat=True
        )
    )
    if not lists:
        return
    month = timezone.localtime(report.received_at).date().replace(day=1)
    for list_name in [ANY_LIST, *sorted(lists - {ANY_LIST})]:
        _count_add(line_id=report.line_id, month=month, list_name=list_name)


def _count_add(*, line_id: int, month: date, list_name: str) -> None:
    """Add one to a counter, creating it; safe when two purges add to the same one."""
    key = {"line_id": line_id, "month": month, "list_name": list_name}
    if PurgedMaterialCount.objects.filter(**key).update(reports=F("reports") + 1):
        return
    try:
        with transaction.atomic():
            PurgedMaterialCount.objects.create(**key, reports=1)
    except IntegrityError:
        # Another purge created it meanwhile (PostgreSQL waited for its commit).
        PurgedMaterialCount.objects.filter(**key).update(reports=F("reports") + 1)


@dataclass
class PurgeResult:
    destroyed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def reports_purge(
    *,
    now: datetime | None = None,
    on_progress: Callable[[PurgeCandidate, bool], None] | None = None,
) -> PurgeResult:
    """Destroy the content of every report that is due, one transaction per report.

    ``skipped`` lists candidates that were no longer due under lock (new
    activity) or were taken by another worker. ``on_progress`` is called after
    each candidate with whether it was destroyed.
    """
    now = now or timezone.now()
    result = PurgeResult()
    for candidate in purge_candidates(now=now):
        destroyed = report_destroy(report_pk=candidate.pk, now=now)
        (result.destroyed if destroyed else result.skipped).append(candidate.pk)
        if on_progress is not None:
            on_progress(candidate, destroyed)
    return result
