"""Turning an uploaded file into stored evidence: check, clean, hash, encrypt.

Two steps, so that slow work happens outside database transactions:
``evidence_prepare`` cleans a file into a temporary file (no database access),
``evidence_store`` encrypts it into the blob store and creates the row inside
the caller's transaction.

The original is never stored: only the cleaned file is encrypted, and of the
file as it arrived only its exact hashes are kept (sealed), for the hotline.
"""

import logging
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from meldpunt.evidence import formats
from meldpunt.evidence.derivatives import derivative_job_create
from meldpunt.evidence.documents import clean_pdf, clean_text
from meldpunt.evidence.errors import EvidenceRejected, RejectionCode
from meldpunt.evidence.hashing import copy_with_digests, file_digests
from meldpunt.evidence.images import clean_image
from meldpunt.evidence.known import evidence_matches_record
from meldpunt.evidence.media import clean_media
from meldpunt.evidence.meta import evidence_meta, seal_meta
from meldpunt.evidence.models import DERIVATIVE_FAILURES, DerivativeStatus, EvidenceFile
from meldpunt.evidence.tasks import evidence_derivatives_make
from meldpunt.vault import blobs
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import DataKey, StaffUser, hour_now

__all__ = [
    "EvidenceRejected",
    "PreparedFile",
    "evidence_meta",
    "evidence_derivatives_request",
    "evidence_prepare",
    "evidence_store",
]

logger = logging.getLogger(__name__)


@dataclass
class PreparedFile:
    """A cleaned file waiting in a private temporary file to be stored (or discarded)."""

    path: Path
    media_type: str
    original_name: str
    size: int
    format: str = ""
    hashes: dict[str, Any] = field(default_factory=dict)
    original_hashes: dict[str, str] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    is_cleaned: bool = True

    @property
    def needs_derivatives(self) -> bool:
        """Images get a thumbnail, videos a contact sheet and vPDQ hashes."""
        return self.media_type.startswith(("image/", "video/"))

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _private_temp_file(prefix: str) -> Path:
    """A new owner-only file in the data directory, not in a shared /tmp."""
    descriptor, name = tempfile.mkstemp(prefix=prefix, dir=settings.FILE_UPLOAD_TEMP_DIR)
    os.close(descriptor)
    return Path(name)


def _clean(fmt: formats.Format, raw: Path, cleaned: Path) -> tuple[str, dict, dict]:
    """Run the cleaner of one kind; returns media type, extra hashes and properties."""
    if fmt.kind == formats.Kind.IMAGE:
        image = clean_image(source=raw, target=cleaned, fmt=fmt)
        return (
            image.format.media_type,
            {"pdq": image.pdq, "pdq_quality": image.pdq_quality},
            {"width": image.width, "height": image.height},
        )
    if fmt.kind == formats.Kind.MEDIA:
        media = clean_media(source=raw, target=cleaned, fmt=fmt)
        properties = {"duration_seconds": round(media.duration_seconds, 3)}
        if media.has_video:
            properties |= {"width": media.width, "height": media.height}
        return media.media_type, {}, properties
    if fmt.kind == formats.Kind.PDF:
        return fmt.media_type, {}, {"pages": clean_pdf(source=raw, target=cleaned)}
    clean_text(source=raw, target=cleaned)
    return "text/plain; charset=utf-8", {}, {}


def _sniff(raw: Path, allowed_formats: Collection[str] | None) -> formats.Format:
    with raw.open("rb") as handle:
        fmt = formats.sniff(handle.read(formats.HEAD_BYTES)) or formats.TEXT
    if allowed_formats is not None and fmt.name not in allowed_formats:
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
    return fmt


def _clean_or_refuse(fmt: formats.Format, raw: Path, cleaned: Path) -> tuple[str, dict, dict]:
    """Run the cleaner; every failure becomes an EvidenceRejected."""
    try:
        return _clean(fmt, raw, cleaned)
    except EvidenceRejected:
        raise
    except MemoryError as error:
        raise EvidenceRejected(RejectionCode.TOO_COMPLEX) from error
    except Exception as error:
        # Parsers of hostile files fail in many ways (OSError, ValueError,
        # pikepdf.PdfError, av.FFmpegError, struct.error, ...). For the sender
        # every one of them means the same thing; the caller must never crash.
        logger.debug("evidence refused as corrupt: %s", type(error).__name__)
        raise EvidenceRejected(RejectionCode.CORRUPT) from error


# Refusals a line may turn into "kept encrypted, not cleaned, for staff only".
# Files over the limits are never kept: the limits protect staff machines too.
_KEEPABLE = {RejectionCode.TYPE_NOT_ALLOWED, RejectionCode.CORRUPT, RejectionCode.ENCRYPTED}


def evidence_prepare(
    *,
    source: BinaryIO,
    name: str,
    max_bytes: int,
    allowed_formats: Collection[str] | None = None,
    keep_uncleaned: bool = False,
) -> PreparedFile:
    """Copy, check and clean one file; raises EvidenceRejected with a clear message.

    ``allowed_formats`` holds names from formats.FORMATS_BY_NAME (a line's
    allow-list); None allows every supported format. With ``keep_uncleaned``
    (a line's policy) a file that cannot be cleaned (unknown type, damaged,
    password-protected) is kept as it came, flagged ``is_cleaned=False``, so
    staff can still receive it; a type the line excludes is still refused.
    No database access, so it is safe to call before opening a transaction.
    """
    raw = _private_temp_file("evidence-raw-")
    cleaned = _private_temp_file("evidence-")
    keep: Path | None = None  # the one temporary file that outlives this call
    try:
        with raw.open("wb") as spool:
            size, original_digests = copy_with_digests(source, spool, limit=max_bytes)
        if size == 0:
            raise EvidenceRejected(RejectionCode.EMPTY)
        if size > max_bytes:
            raise EvidenceRejected(RejectionCode.TOO_LARGE)
        fmt = _sniff(raw, allowed_formats)
        try:
            media_type, extra_hashes, properties = _clean_or_refuse(fmt, raw, cleaned)
        except EvidenceRejected as refusal:
            if not (keep_uncleaned and refusal.code in _KEEPABLE):
                raise
            keep = raw
            return PreparedFile(
                path=raw,
                media_type="application/octet-stream",
                original_name=name[:255],
                size=size,
                hashes=original_digests.hexdigests(),
                original_hashes=original_digests.hexdigests(),
                properties={"refusal": refusal.code},
                is_cleaned=False,
            )
        keep = cleaned
    finally:
        for path in (raw, cleaned):
            if path != keep:
                path.unlink(missing_ok=True)
    return PreparedFile(
        path=cleaned,
        media_type=media_type,
        original_name=name[:255],
        size=cleaned.stat().st_size,
        format=fmt.name,
        hashes=file_digests(cleaned) | extra_hashes,
        original_hashes=original_digests.hexdigests(),
        properties=properties,
    )


def evidence_store(*, prepared: PreparedFile, data_key: DataKey, key_bytes: bytes) -> EvidenceFile:
    """Encrypt a prepared file into the blob store and record it.

    Images and videos get a derivative job (thumbnail, contact sheet, vPDQ)
    that the worker picks up once the caller's transaction commits. The file's
    hashes are matched against the known-material lists here, so a match is
    recorded before anyone can open the file (known.py).
    """
    with prepared.path.open("rb") as handle:
        stored = blobs.blob_put(key=key_bytes, source=handle)
    meta = {
        "name": prepared.original_name,
        "format": prepared.format,
        "hashes": prepared.hashes,
        "original_hashes": prepared.original_hashes,
        "properties": prepared.properties,
    }
    with transaction.atomic():
        evidence = EvidenceFile.objects.create(
            data_key=data_key,
            blob_name=stored.name,
            size=prepared.size,
            media_type=prepared.media_type,
            is_cleaned=prepared.is_cleaned,
            sealed_meta=seal_meta(meta, key_bytes),
            derivative_status=(
                DerivativeStatus.PENDING
                if prepared.needs_derivatives
                else DerivativeStatus.NOT_NEEDED
            ),
            created_at=hour_now(),  # reporter-caused: the hour only
        )
        evidence_matches_record(
            evidence=evidence, original_hashes=prepared.original_hashes, hashes=prepared.hashes
        )
        if prepared.needs_derivatives:
            _derivatives_schedule(evidence=evidence, key_bytes=key_bytes)
    return evidence


def _derivatives_schedule(*, evidence: EvidenceFile, key_bytes: bytes) -> None:
    derivative_job_create(evidence=evidence, key_bytes=key_bytes)
    transaction.on_commit(lambda: evidence_derivatives_make.enqueue(evidence.pk))


def evidence_derivatives_request(
    *, evidence: EvidenceFile, key_bytes: bytes, actor: StaffUser
) -> bool:
    """Ask the worker again for the previews of a file whose job failed or ran out of time.

    The worker's own copy of the key is gone by then (derivatives.py), so the
    staff member's unlocked key seals a new one. False (nothing done) unless
    the previews failed. Audited.
    """
    with transaction.atomic():
        locked = (
            EvidenceFile.objects.select_for_update()
            .filter(pk=evidence.pk, destroyed_at__isnull=True)
            .first()
        )
        if locked is None or locked.derivative_status not in DERIVATIVE_FAILURES:
            return False
        locked.derivative_status = DerivativeStatus.PENDING
        locked.save(update_fields=["derivative_status"])
        _derivatives_schedule(evidence=locked, key_bytes=key_bytes)
        audit_record(actor=actor, action="evidence.derivatives_request", target=locked)
    return True
