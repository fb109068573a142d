"""An encrypted, content-addressed blob store behind Django's storage API.

Files are encrypted while they stream in (libsodium secretstream under the
report's data key) and named by the SHA-256 of their ciphertext, so a blob
cannot be swapped or altered unnoticed and the store can be any Django storage
backend (local disk by default, S3-compatible in larger installations).
"""

import hashlib
import re
import secrets
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from meldpunt.privacy.hours import path_times_to_hour
from meldpunt.vault import crypto


@dataclass(frozen=True)
class StoredBlob:
    name: str
    size: int  # ciphertext bytes


class BlobStoreUnavailable(OSError):
    """The store did not take, give back or delete a blob: a full disk, an object
    store that is down, refuses the keys or lost its bucket, an upload cut off.

    One error for every backend, so that a page can say "try again later" and
    nothing above this module needs to know the object store's own errors.
    """


def _store_errors() -> tuple[type[BaseException], ...]:
    """OSError for every backend, plus boto3's errors once the S3 backend has loaded them.

    Checked when an error happens, not at import: boto3 costs a process some
    80 MiB, and without the S3 backend nothing has imported it, so none of its
    errors can occur.
    """
    if "botocore" not in sys.modules:
        return (OSError,)
    from boto3.exceptions import Boto3Error  # noqa: PLC0415 (only with the S3 backend)
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    return (OSError, Boto3Error, BotoCoreError, ClientError)


@contextmanager
def _store_call() -> Iterator[None]:
    """Turn the backend's failures into BlobStoreUnavailable; a missing blob stays
    FileNotFoundError (a different problem: the store answered)."""
    try:
        yield
    except (BlobStoreUnavailable, FileNotFoundError):
        raise
    except Exception as error:
        if isinstance(error, _store_errors()):
            raise BlobStoreUnavailable(str(error)) from error
        raise


def _storage():
    return storages["blobs"]


def blob_store_writable() -> bool:
    """Whether the store takes a small object and gives it back, through its own backend.

    For a health check: a full or read-only disk, or an object store that
    refuses writes or lost its bucket, fails here. The probe holds nothing and
    is deleted at once.
    """
    storage = _storage()
    try:
        with _store_call():
            name = storage.save(f"health/probe-{secrets.token_hex(8)}", ContentFile(b"ok"))
            try:
                with storage.open(name) as handle:
                    return handle.read() == b"ok"
            finally:
                storage.delete(name)
    except OSError:
        return False


def _name_for(digest: str) -> str:
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


class _Spool(File):
    """Finished ciphertext in a named temporary file.

    Offering ``temporary_file_path`` (as Django's TemporaryUploadedFile does) lets
    the file-system storage move the file into place instead of copying it once
    more; other storages just read it.
    """

    def temporary_file_path(self) -> str:
        return self.file.name


def blob_put(*, key: bytes, source: BinaryIO) -> StoredBlob:
    """Encrypt source into the store and return its name.

    The name is the hash of the ciphertext, known only at the end, so the
    ciphertext is spooled to a temporary file first (never the plaintext).
    Blobs are written because a reporter sent something, so the times of the
    new file and of the directories it touched are set to the hour. Raises
    BlobStoreUnavailable when the store does not take it; an S3 store then
    holds nothing under the name, as an object appears only once its upload
    completed (tests/test_s3.py).
    """
    return _spooled_store(crypto.encrypt_stream(key, source))


def _spooled_store(chunks: Iterable[bytes], *, name: str | None = None) -> StoredBlob:
    """Spool ciphertext to a temporary file, then store it under the hash of its content.

    ``name``, when given, must be that hash (DecryptionError otherwise, nothing stored).
    """
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR, prefix="blob-") as spool:
        for chunk in chunks:
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
        named = _name_for(digest.hexdigest())
        if name is not None and named != name:
            raise crypto.DecryptionError(f"blob {name} does not match its name")
        spool.flush()
        spool.seek(0)
        storage = _storage()
        with _store_call():
            if not storage.exists(named):
                storage.save(named, _Spool(spool))
                _times_to_hour(storage, named)
    path_times_to_hour(settings.FILE_UPLOAD_TEMP_DIR)
    return StoredBlob(name=named, size=size)


def _times_to_hour(storage, name: str, *, is_deleted: bool = False) -> None:
    """Round the times of a blob and its folders, on storages that have files on disk.

    After a deletion only the folders are left; their times changed with it.
    """
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        return  # a remote store keeps its own times (docs/operations.md)
    root = Path(storage.path(""))
    folders = [folder for folder in path.parents if folder.is_relative_to(root)]
    path_times_to_hour(*(folders if is_deleted else [path, *folders]))


class _HashingReader:
    """Passes reads through while hashing them, to check a blob's name on the way."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        with _store_call():  # an object store fetches the blob on the first read
            data = self.source.read(size)
        self.digest.update(data)
        return data


def blob_read(*, key: bytes, name: str) -> Iterator[bytes]:
    """Yield the decrypted content; raises crypto.DecryptionError if it was altered.

    Chunks are yielded as they authenticate, so a consumer must treat what it got
    as valid only once the iterator finishes. The name check at the end catches a
    blob replaced by another one encrypted under the same key (say, another file
    of the same report), which authentication alone would accept.
    """
    with _store_call():
        handle = _storage().open(name, "rb")
    with handle:
        reader = _HashingReader(handle)
        yield from crypto.decrypt_stream(key, reader)
        if _name_for(reader.digest.hexdigest()) != name:
            raise crypto.DecryptionError("blob content does not match its name")


def blob_read_all(*, key: bytes, name: str) -> bytes:
    return b"".join(blob_read(key=key, name=name))


def blob_delete(*, name: str) -> None:
    """Delete a blob. A reporter can cause a deletion (sending a report removes its
    staged files), so the times of the folders it was in are set to the hour."""
    storage = _storage()
    with _store_call():
        storage.delete(name)
    _times_to_hour(storage, name, is_deleted=True)


BLOB_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


def blob_names() -> Iterator[str]:
    """Every blob in the store, by name, whatever the backend (for backups).

    Only content-addressed names count: the health probe's objects and anything
    else an operator left in the store are not blobs.
    """
    storage = _storage()

    def walk(folder: str) -> Iterator[str]:
        with _store_call():
            folders, files = storage.listdir(folder)
        for name in sorted(files):
            path = f"{folder}/{name}" if folder else name
            if BLOB_NAME.match(path):
                yield path
        for sub in sorted(folders):
            yield from walk(f"{folder}/{sub}" if folder else sub)

    try:
        yield from walk("")
    except FileNotFoundError:
        return  # a local store nothing was written to yet has no folder


def blob_stored_read(*, name: str) -> Iterator[bytes]:
    """A blob's ciphertext as stored, in chunks, checked against its name at the end.

    A backup copies blobs unchanged, without their keys; a blob that no longer
    matches its name raises crypto.DecryptionError rather than being copied.
    The blob is opened at once, so a missing one raises FileNotFoundError here
    rather than on the first chunk.
    """
    with _store_call():
        handle = _storage().open(name, "rb")

    def chunks() -> Iterator[bytes]:
        with handle:
            reader = _HashingReader(handle)
            while chunk := reader.read(crypto.STREAM_CHUNK_BYTES):
                yield chunk
            if _name_for(reader.digest.hexdigest()) != name:
                raise crypto.DecryptionError(f"blob {name} does not match its name")

    return chunks()


def blob_stored_exists(*, name: str) -> bool:
    with _store_call():
        return _storage().exists(name)


def blob_stored_put(*, name: str, chunks: Iterable[bytes]) -> None:
    """Store ciphertext under its name unchanged (a restore); the name must be its hash.

    Like blob_put, the ciphertext is spooled first so that a store never holds a
    blob whose content does not match its name.
    """
    if not BLOB_NAME.match(name):
        raise ValueError(f"not a blob name: {name!r}")
    _spooled_store(chunks, name=name)
