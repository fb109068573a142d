"""Exact hashes of files, computed while the bytes stream past.

MD5 and SHA-1 are weak as cryptography but are what hotlines, INHOPE and
police hash lists exchange, so they are computed next to SHA-256.
"""

import hashlib
from pathlib import Path
from typing import BinaryIO

EXACT_ALGORITHMS = ("sha256", "sha1", "md5")
_CHUNK = 1024 * 1024


class Digests:
    """SHA-256, SHA-1 and MD5 over the same bytes, in one pass."""

    def __init__(self) -> None:
        self._hashers = {
            name: hashlib.new(name, usedforsecurity=False) for name in EXACT_ALGORITHMS
        }

    def update(self, chunk: bytes) -> None:
        for hasher in self._hashers.values():
            hasher.update(chunk)

    def hexdigests(self) -> dict[str, str]:
        return {name: hasher.hexdigest() for name, hasher in self._hashers.items()}


def file_digests(path: Path) -> dict[str, str]:
    digests = Digests()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digests.update(chunk)
    return digests.hexdigests()


def copy_with_digests(source: BinaryIO, target: BinaryIO, *, limit: int) -> tuple[int, Digests]:
    """Copy at most limit + 1 bytes, hashing them; the caller refuses anything over limit."""
    digests = Digests()
    size = 0
    while size <= limit:
        chunk = source.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        digests.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digests
