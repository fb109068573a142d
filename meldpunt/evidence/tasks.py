"""Background work of the evidence app."""

import io
import logging
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.derivatives import (
    PAGED_FORMATS,
    derivative_job_claim,
    derivative_job_end,
    derivative_job_release,
    image_thumbnail_make,
    page_preview_make,
    video_derivatives_make,
)
from meldpunt.evidence.known import evidence_video_matches_record
from meldpunt.evidence.meta import evidence_meta_update
from meldpunt.evidence.models import (
    DerivativeJob,
    DerivativeStatus,
    EvidenceFile,
    EvidencePreview,
    PreviewKind,
)
from meldpunt.evidence.spool import MemoryFile
from meldpunt.vault import blobs
from meldpunt.vault.crypto import DecryptionError
from meldpunt.vault.models import hour_now

logger = logging.getLogger(__name__)


def store_retry() -> timedelta:
    """How much later a job the blob store could not serve is tried again (conf.py)."""
    return timedelta(seconds=evidence_setting("EVIDENCE_STORE_RETRY_SECONDS"))


def _preview_store(*, evidence: EvidenceFile, kind: str, jpeg: bytes, key_bytes: bytes) -> None:
    stored = blobs.blob_put(key=key_bytes, source=io.BytesIO(jpeg))
    EvidencePreview.objects.update_or_create(
        evidence=evidence,
        kind=kind,
        defaults={
            "blob_name": stored.name,
            "media_type": "image/jpeg",
            "created_at": hour_now(),  # caused by an upload: the hour only
        },
    )


def _decrypted(evidence: EvidenceFile, key_bytes: bytes, name: str) -> MemoryFile:
    """The stored (cleaned) file, decrypted into memory: never the disk."""
    plain = MemoryFile(name)
    try:
        for chunk in blobs.blob_read(key=key_bytes, name=evidence.blob_name):
            plain.file.write(chunk)
    except BaseException:
        plain.close()
        raise
    return plain


def _video_derivatives(evidence: EvidenceFile, key_bytes: bytes) -> bool:
    """Store the contact sheet and vPDQ that could be made; True when both were."""
    plain = _decrypted(evidence, key_bytes, "evidence-video")
    try:
        made = video_derivatives_make(video=plain)
    finally:
        plain.close()
    if made.contact_sheet:
        _preview_store(
            evidence=evidence,
            kind=PreviewKind.CONTACT_SHEET,
            jpeg=made.contact_sheet,
            key_bytes=key_bytes,
        )
    if made.vpdq is not None:
        evidence_meta_update(evidence=evidence, key_bytes=key_bytes, hashes={"vpdq": made.vpdq})
        evidence_video_matches_record(evidence=evidence, vpdq=made.vpdq)
    return made.is_complete


def _thumbnail(evidence: EvidenceFile, key_bytes: bytes) -> bytes | None:
    plain = _decrypted(evidence, key_bytes, "evidence-image")
    try:
        return image_thumbnail_make(image=plain)
    finally:
        plain.close()


def _page_preview(evidence: EvidenceFile, key_bytes: bytes) -> bool:
    """Store a document's first pages (or text) as its preview; False, with the reason, if not.

    The reason is a property in the sealed metadata (``preview_problem``), for
    the file page to say why there is no preview.
    """
    plain = _decrypted(evidence, key_bytes, "evidence-document")
    try:
        made = page_preview_make(document=plain, fmt=PAGED_FORMATS[evidence.media_type])
    finally:
        plain.close()
    if made.jpeg:
        _preview_store(evidence=evidence, kind=made.kind, jpeg=made.jpeg, key_bytes=key_bytes)
    evidence_meta_update(
        evidence=evidence, key_bytes=key_bytes, properties={"preview_problem": made.problem or None}
    )
    return not made.problem


@task()
def evidence_derivatives_make(evidence_id: int) -> str:
    """Make the thumbnail (images), contact sheet and vPDQ hashes (video) or first pages
    (PDF, TIFF; the text of office documents) of a file.

    A video's vPDQ hashes are matched against the known-material lists as soon
    as they exist.

    Idempotent: the first worker to claim the job does the work, others return.
    A file that cannot be decoded is marked failed; the worker carries on. The
    job (the sealed key) is destroyed however the work ends, an unexpected error
    included; only a worker killed outright leaves it, for recovery to retry or
    end (derivatives.derivative_job_recover), and a blob store that is out of
    reach (a full disk) keeps it for another try later (test_jobs.py), queued in
    the transaction that gives the job back.
    """
    key_bytes = derivative_job_claim(evidence_id=evidence_id)
    if key_bytes is None:
        return "claimed elsewhere"
    evidence = EvidenceFile.objects.get(pk=evidence_id)
    try:
        status = _derivatives_make(evidence, key_bytes)
    except blobs.BlobStoreUnavailable as error:
        logger.warning("derivatives of evidence %s wait: %s", evidence_id, type(error).__name__)
        if not evidence_derivatives_make.get_backend().supports_defer:  # no later to wait for
            derivative_job_end(evidence_id=evidence_id, status=DerivativeStatus.FAILED)
            return DerivativeStatus.FAILED
        # One transaction: a job given back always has its later try queued. Should
        # this fail (the database gone too), the job stays claimed without a task
        # and the sweep (derivative_jobs_requeue) queues it again.
        with transaction.atomic():
            derivative_job_release(evidence_id=evidence_id)
            evidence_derivatives_enqueue(evidence_id, run_after=timezone.now() + store_retry())
        return "blob store unavailable, tried again later"
    except BaseException:
        derivative_job_end(evidence_id=evidence_id, status=DerivativeStatus.FAILED)
        raise
    # A destroyed file keeps its status (derivative_job_end skips it).
    derivative_job_end(evidence_id=evidence_id, status=status)
    if EvidenceFile.objects.filter(pk=evidence_id, destroyed_at__isnull=False).exists():
        _previews_discard(evidence)
        return "destroyed meanwhile"
    return status


def _derivatives_make(evidence: EvidenceFile, key_bytes: bytes) -> str:
    is_image = evidence.media_type.startswith("image/")
    try:
        if is_image:
            if not (thumbnail := _thumbnail(evidence, key_bytes)):
                return DerivativeStatus.FAILED
            _preview_store(
                evidence=evidence, kind=PreviewKind.THUMBNAIL, jpeg=thumbnail, key_bytes=key_bytes
            )
        if evidence.media_type in PAGED_FORMATS:  # a TIFF too: its pages, readable
            if not _page_preview(evidence, key_bytes):
                return DerivativeStatus.FAILED
        elif not is_image and not _video_derivatives(evidence, key_bytes):
            return DerivativeStatus.FAILED
    except blobs.BlobStoreUnavailable:
        raise
    except (DecryptionError, OSError, ValueError) as error:
        logger.warning("derivatives of evidence %s failed: %s", evidence.pk, type(error).__name__)
        return DerivativeStatus.FAILED
    return DerivativeStatus.DONE


def _previews_discard(evidence: EvidenceFile) -> None:
    """The retention purge ran while we worked: leave nothing of ours behind."""
    for preview in EvidencePreview.objects.filter(evidence=evidence):
        blobs.blob_delete(name=preview.blob_name)
        preview.delete()


def queue_is_transactional() -> bool:
    """True when a task is queued as a row of this database, inside the caller's transaction.

    Then a job and its task are written together or not at all. Other backends
    (the suite's immediate one) queue after the commit instead.
    """
    return isinstance(
        evidence_derivatives_make.get_backend(), DatabaseBackend
    ) and router.db_for_write(DBTaskResult) in (None, DEFAULT_DB_ALIAS)


def evidence_derivatives_enqueue(evidence_id: int, *, run_after: datetime | None = None) -> None:
    """Queue the task of a file's derivative job, as part of the transaction that made the job.

    Queued after the commit instead (as it once was on every backend), a job
    whose commit succeeded but whose task was never written (the database
    stopped in between, the web process killed) waited for a task that would
    never come (tests/test_load_faults.py found one).
    """
    made = evidence_derivatives_make
    if run_after is not None:
        made = made.using(run_after=run_after)
    if queue_is_transactional():
        made.enqueue(evidence_id)
    else:
        transaction.on_commit(lambda: made.enqueue(evidence_id))


def derivative_jobs_requeue() -> int:
    """Queue a task again for every job that has none waiting or running; returns how many.

    Since a job and its task are written in one transaction this finds nothing
    in a sound run; it is there for what one transaction cannot cover: a job
    given back whose transaction failed (the job stays claimed), jobs left
    without a task by an earlier version, a task row deleted by hand. A job
    claimed by a live worker has its RUNNING task; one of a dead worker is
    recovery's (workers.recovery). Rows are locked while looked at, so two
    workers sweeping at once do not both queue; a spare task would only find
    the job claimed or gone. Registered with workers.recovery as a sweep, so
    every worker runs it at start and every minute; only the database queue
    can be looked at like this.
    """
    if not queue_is_transactional():
        return 0
    module_path = evidence_derivatives_make.module_path
    with transaction.atomic():
        jobs = dict(
            DerivativeJob.objects.select_for_update(skip_locked=True).values_list(
                "evidence_id", "claimed_at"
            )
        )
        if not jobs:
            return 0
        queued = {
            args_kwargs["args"][0]
            for args_kwargs in DBTaskResult.objects.filter(
                task_path=module_path,
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            ).values_list("args_kwargs", flat=True)
            if args_kwargs.get("args")
        }
        orphans = sorted(set(jobs) - queued)
        for evidence_id in orphans:
            if jobs[evidence_id] is not None:
                derivative_job_release(evidence_id=evidence_id)
            evidence_derivatives_enqueue(evidence_id)
    if orphans:
        logger.warning("%d derivative job(s) had no task; queued again.", len(orphans))
    return len(orphans)
