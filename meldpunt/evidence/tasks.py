"""Background work of the evidence app."""

import io
import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from meldpunt.evidence.derivatives import (
    derivative_job_claim,
    derivative_job_end,
    derivative_job_release,
    video_derivatives_make,
)
from meldpunt.evidence.known import evidence_video_matches_record
from meldpunt.evidence.meta import evidence_meta_update
from meldpunt.evidence.models import DerivativeStatus, EvidenceFile, EvidencePreview, PreviewKind
from meldpunt.evidence.previews import thumbnail_make
from meldpunt.evidence.spool import MemoryFile
from meldpunt.vault import blobs
from meldpunt.vault.crypto import DecryptionError
from meldpunt.vault.models import hour_now

logger = logging.getLogger(__name__)
# A full disk or an object store that is down is not the file's fault: try again
# this much later, until the job's window (EVIDENCE_DERIVATIVE_JOB_SECONDS) ends.
STORE_RETRY = timedelta(seconds=20)


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


def _video_derivatives(evidence: EvidenceFile, key_bytes: bytes) -> bool:
    """Store the contact sheet and vPDQ that could be made; True when both were."""
    plain = MemoryFile("evidence-video")  # decrypted: memory only, never the disk
    try:
        for chunk in blobs.blob_read(key=key_bytes, name=evidence.blob_name):
            plain.file.write(chunk)
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


@task()
def evidence_derivatives_make(evidence_id: int) -> str:
    """Make the thumbnail (images) or contact sheet and vPDQ hashes (video) of a file.

    A video's vPDQ hashes are matched against the known-material lists as soon
    as they exist.

    Idempotent: the first worker to claim the job does the work, others return.
    A file that cannot be decoded is marked failed; the worker carries on. The
    job (the sealed key) is destroyed however the work ends, an unexpected error
    included; only a worker killed outright leaves it, for recovery to retry or
    end (derivatives.derivative_job_recover), and a blob store that is out of
    reach (a full disk) keeps it for another try later (test_jobs.py).
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
        derivative_job_release(evidence_id=evidence_id)
        evidence_derivatives_make.using(run_after=timezone.now() + STORE_RETRY).enqueue(evidence_id)
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
    try:
        if evidence.media_type.startswith("image/"):
            image = blobs.blob_read_all(key=key_bytes, name=evidence.blob_name)
            _preview_store(
                evidence=evidence,
                kind=PreviewKind.THUMBNAIL,
                jpeg=thumbnail_make(image),
                key_bytes=key_bytes,
            )
        elif not _video_derivatives(evidence, key_bytes):
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
