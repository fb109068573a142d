"""Background work of the evidence app."""

import io
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.tasks import task

from meldpunt.evidence.derivatives import derivative_job_claim, video_derivatives_make
from meldpunt.evidence.known import evidence_video_matches_record
from meldpunt.evidence.meta import evidence_meta_update
from meldpunt.evidence.models import DerivativeStatus, EvidenceFile, EvidencePreview, PreviewKind
from meldpunt.evidence.previews import thumbnail_make
from meldpunt.vault import blobs
from meldpunt.vault.crypto import DecryptionError
from meldpunt.vault.models import hour_now

logger = logging.getLogger(__name__)


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
    descriptor, name = tempfile.mkstemp(prefix="evidence-video-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as plain:
            for chunk in blobs.blob_read(key=key_bytes, name=evidence.blob_name):
                plain.write(chunk)
        made = video_derivatives_make(video=path)
    finally:
        path.unlink(missing_ok=True)
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
    A file that cannot be decoded is marked failed; the worker carries on.
    """
    key_bytes = derivative_job_claim(evidence_id=evidence_id)
    if key_bytes is None:
        return "claimed elsewhere"
    evidence = EvidenceFile.objects.get(pk=evidence_id)
    status = DerivativeStatus.DONE
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
            status = DerivativeStatus.FAILED
    except (DecryptionError, OSError, ValueError) as error:
        logger.warning("derivatives of evidence %s failed: %s", evidence_id, type(error).__name__)
        status = DerivativeStatus.FAILED
    if EvidenceFile.objects.filter(pk=evidence_id, destroyed_at__isnull=False).exists():
        _previews_discard(evidence)
        return "destroyed meanwhile"
    evidence.derivative_status = status
    evidence.save(update_fields=["derivative_status"])
    return status


def _previews_discard(evidence: EvidenceFile) -> None:
    """The retention purge ran while we worked: leave nothing of ours behind."""
    for preview in EvidencePreview.objects.filter(evidence=evidence):
        blobs.blob_delete(name=preview.blob_name)
        preview.delete()
