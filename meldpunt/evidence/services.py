"""Turning an uploaded file into stored evidence: check, clean, hash, encrypt.

Two steps, so that slow work happens outside database transactions:
``evidence_prepare`` cleans a file into a memory file (no database access),
``evidence_store`` encrypts it into the blob store and creates the row inside
the caller's transaction.

The original is never stored: only the cleaned file is encrypted, and of the
file as it arrived only its exact hashes are kept (sealed), for the hotline.
Plaintext stays in memory files (spool.py) until it is encrypted, and every
parser runs in the sandbox (sandbox.py) within a memory and time budget.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction

from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.derivatives import PAGED_FORMATS, derivative_job_create
from meldpunt.evidence.errors import EvidenceRejected, RejectionCode
from meldpunt.evidence.hashing import copy_with_digests, file_digests
from meldpunt.evidence.known import evidence_matches_record
from meldpunt.evidence.meta import evidence_meta, seal_meta
from meldpunt.evidence.models import DERIVATIVE_FAILURES, DerivativeStatus, EvidenceFile
from meldpunt.evidence.sandbox import SandboxRefused, sandbox_run
from meldpunt.evidence.spool import MemoryFile
from meldpunt.evidence.tasks import evidence_derivatives_enqueue
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
    """A cleaned file waiting in memory (never on disk) to be stored or discarded."""

    memory: MemoryFile
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
        """Images get a thumbnail, videos a contact sheet and vPDQ hashes, documents their
        first pages or text."""
        return self.media_type.startswith(("image/", "video/")) or self.media_type in PAGED_FORMATS

    @property
    def path(self) -> Path:
        """A path that opens the file, for code that wants one; valid until discard()."""
        return self.memory.path

    def discard(self) -> None:
        self.memory.close()


def _sniff(raw: MemoryFile, allowed_formats: Collection[str] | None) -> formats.Format:
    raw.file.seek(0)
    fmt = formats.sniff(raw.file.read(formats.HEAD_BYTES)) or formats.TEXT
    if not _may_be_allowed(fmt, allowed_formats):
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
    return fmt


def _may_be_allowed(fmt: formats.Format, allowed_formats: Collection[str] | None) -> bool:
    """Whether the line may accept this file; for a ZIP or OLE file, whether any office type.

    Which office document a ZIP is shows only once its parts are read (in the
    sandbox); the cleaned format is checked again then.
    """
    if allowed_formats is None or fmt.name in allowed_formats:
        return True
    if fmt in (formats.OFFICE_ZIP, formats.OLE):
        return any(office.name in allowed_formats for office in formats.OFFICE_FORMATS)
    return False


def _clean_or_refuse(fmt: formats.Format, raw: MemoryFile, cleaned: MemoryFile) -> dict[str, Any]:
    """Clean in the sandbox; media type, extra hashes and properties, or EvidenceRejected.

    The cleaned copy may be larger than the original (a HEIC photo becomes a
    JPEG), but not without bound: EVIDENCE_PARSER_OUTPUT_FACTOR times it.
    """
    raw.seal()
    try:
        return sandbox_run(
            job="clean",
            parameters={
                "format": fmt.name,
                "source": raw.descriptor,
                "target": cleaned.descriptor,
                "output_bytes": raw.size * evidence_setting("EVIDENCE_PARSER_OUTPUT_FACTOR")
                + 1024 * 1024,
            },
            descriptors=[raw.descriptor, cleaned.descriptor],
            memory_bytes=evidence_setting("EVIDENCE_PARSER_MEMORY_BYTES"),
            seconds=evidence_setting("EVIDENCE_PARSER_SECONDS"),
        )
    except SandboxRefused as refusal:
        logger.debug("evidence refused in the sandbox: %s", refusal.code)
        raise EvidenceRejected(refusal.code) from refusal


def _as_damaged_if_claimed(
    refusal: EvidenceRejected, fmt: formats.Format, name: str
) -> EvidenceRejected:
    """A file named like a photo, video or PDF whose bytes are no known format is damaged.

    Its signature is what broke (or it was cut off before it), so "this kind of
    file is not accepted" would send its sender looking for another format. So
    is a ZIP named like an office document that cannot be opened as one (cut
    off before its directory); a ZIP named otherwise is an archive, refused.
    """
    if (
        refusal.code == RejectionCode.TYPE_NOT_ALLOWED
        and fmt in (formats.TEXT, formats.OFFICE_ZIP)
        and formats.claims_binary_format(name)
    ):
        return EvidenceRejected(RejectionCode.CORRUPT)
    return refusal


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
    refuse_tracked_changes: bool = False,
) -> PreparedFile:
    """Copy, check and clean one file; raises EvidenceRejected with a clear message.

    ``allowed_formats`` holds names from formats.FORMATS_BY_NAME (a line's
    allow-list); None allows every supported format. With ``keep_uncleaned``
    (a line's policy) a file that cannot be cleaned (unknown type, damaged,
    password-protected) is kept as it came, flagged ``is_cleaned=False``, so
    staff can still receive it; a type the line excludes is still refused.
    With ``refuse_tracked_changes`` (a line's policy) a document with tracked
    changes is refused, so that its sender decides which version is sent,
    instead of being stored with the changes accepted; it is never kept
    uncleaned either. No database access, so it is safe to call before opening a transaction.
    """
    if not getattr(source, "is_complete", True):  # spool.MemoryUploadedFile cut it off
        raise EvidenceRejected(RejectionCode.TOO_LARGE)
    max_bytes = min(max_bytes, evidence_setting("EVIDENCE_UPLOAD_MAX_FILE_BYTES"))
    raw, cleaned = MemoryFile("evidence-raw"), MemoryFile("evidence")
    keep: MemoryFile | None = None  # the one memory file that outlives this call
    try:
        size, original_digests = copy_with_digests(source, raw.file, limit=max_bytes)
        if size == 0:
            raise EvidenceRejected(RejectionCode.EMPTY)
        if size > max_bytes:
            raise EvidenceRejected(RejectionCode.TOO_LARGE)
        fmt = _sniff(raw, allowed_formats)
        try:
            result = _clean_or_refuse(fmt, raw, cleaned)
        except EvidenceRejected as refusal:
            refusal = _as_damaged_if_claimed(refusal, fmt, name)
            if not (keep_uncleaned and refusal.code in _KEEPABLE):
                raise refusal
            keep = raw
            return PreparedFile(
                memory=raw,
                media_type="application/octet-stream",
                original_name=name[:255],
                size=size,
                hashes=original_digests.hexdigests(),
                original_hashes=original_digests.hexdigests(),
                properties={"refusal": refusal.code},
                is_cleaned=False,
            )
        final_format = result.get("format", fmt.name)
        if allowed_formats is not None and final_format not in allowed_formats:
            raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
        if refuse_tracked_changes and any(
            result["properties"].get(count) for count in formats.TRACKED_CHANGE_COUNTS
        ):
            raise EvidenceRejected(RejectionCode.TRACKED_CHANGES)
        keep = cleaned
    finally:
        for memory in (raw, cleaned):
            if memory is not keep:
                memory.close()
    cleaned.seal()
    return PreparedFile(
        memory=cleaned,
        media_type=result["media_type"],
        original_name=name[:255],
        size=cleaned.size,
        format=final_format,
        hashes=file_digests(cleaned.path) | result["hashes"],
        original_hashes=original_digests.hexdigests(),
        properties=result["properties"],
    )


def evidence_store(*, prepared: PreparedFile, data_key: DataKey, key_bytes: bytes) -> EvidenceFile:
    """Encrypt a prepared file into the blob store and record it.

    Images, videos and documents get a derivative job (thumbnail, contact
    sheet, vPDQ, first pages)
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
    evidence_derivatives_enqueue(evidence.pk)  # in the same transaction as the job


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
