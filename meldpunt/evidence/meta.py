"""The sealed metadata of a file: original name, format, hashes, properties.

Sealed under the report's data key like the file itself, so that only staff
who may read the report learn what the file was called or which hashes it has.
"""

import json

from meldpunt.evidence.models import EvidenceFile
from meldpunt.vault import crypto

META_CONTEXT = b"evidence-meta"


def seal_meta(meta: dict, key_bytes: bytes) -> bytes:
    return crypto.encrypt(key_bytes, json.dumps(meta).encode(), context=META_CONTEXT)


def evidence_meta(*, evidence: EvidenceFile, key_bytes: bytes) -> dict:
    """The sealed name, format, hashes and properties of a file."""
    return json.loads(crypto.decrypt(key_bytes, bytes(evidence.sealed_meta), context=META_CONTEXT))


def evidence_meta_update(
    *,
    evidence: EvidenceFile,
    key_bytes: bytes,
    hashes: dict | None = None,
    properties: dict | None = None,
) -> None:
    """Add what the worker found later to the sealed metadata: hashes (vPDQ), properties.

    A property given as None is removed (a preview problem that a later try solved).
    """
    meta = evidence_meta(evidence=evidence, key_bytes=key_bytes)
    meta["hashes"] |= hashes or {}
    merged = (meta.get("properties") or {}) | (properties or {})
    meta["properties"] = {name: value for name, value in merged.items() if value is not None}
    evidence.sealed_meta = seal_meta(meta, key_bytes)
    evidence.save(update_fields=["sealed_meta"])
