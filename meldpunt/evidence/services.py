"""Turning an uploaded file into stored evidence: check, clean, hash, encrypt.

Two steps, so that slow work happens outside database transactions:
``evidence_prepare`` cleans a file into a temporary file (no database access),
``evidence_store`` encrypts it into the blob store and creates the row inside
the caller's transaction.
"""

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.models import EvidenceFile
from meldpunt.vault import blobs, crypto
from meldpunt.vault.models import DataKey


class EvidenceRejected(Exception):
    """A file that cannot be accepted; ``message`` is shown to the person who sent it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class PreparedFile:
    path: Path
    media_type: str
    original_name: str
    size: int
    hashes: dict[str, str] = field(default_factory=dict)
    is_cleaned: bool = True

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def evidence_prepare(*, source: BinaryIO, name: str, max_bytes: int) -> PreparedFile:
    """Copy, check and clean one file; raises EvidenceRejected with a clear message."""
    with tempfile.NamedTemporaryFile(delete=False, prefix="evidence-") as spool:
        shutil.copyfileobj(source, spool)
        path = Path(spool.name)
    size = path.stat().st_size
    if size > max_bytes:
        path.unlink()
        raise EvidenceRejected("too_large", str(_("This file is larger than allowed.")))
    if size == 0:
        path.unlink()
        raise EvidenceRejected("empty", str(_("This file is empty.")))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return PreparedFile(
        path=path,
        media_type="application/octet-stream",
        original_name=name[:255],
        size=size,
        hashes={"sha256": digest},
    )


def evidence_store(*, prepared: PreparedFile, data_key: DataKey, key_bytes: bytes) -> EvidenceFile:
    """Encrypt a prepared file into the blob store and record it."""
    with prepared.path.open("rb") as handle:
        stored = blobs.blob_put(key=key_bytes, source=handle)
    meta = {"name": prepared.original_name, "hashes": prepared.hashes}
    return EvidenceFile.objects.create(
        data_key=data_key,
        blob_name=stored.name,
        size=prepared.size,
        media_type=prepared.media_type,
        is_cleaned=prepared.is_cleaned,
        sealed_meta=crypto.encrypt(key_bytes, json.dumps(meta).encode(), context=b"evidence-meta"),
        created_at=timezone.now(),
    )


def evidence_meta(*, evidence: EvidenceFile, key_bytes: bytes) -> dict:
    return json.loads(
        crypto.decrypt(key_bytes, bytes(evidence.sealed_meta), context=b"evidence-meta")
    )
