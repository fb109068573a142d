"""Files chosen on the first step, held encrypted until the report is sent (issue 11 item 4).

Files are chosen before the review, so that the review shows everything that will
be sent, file names included. Between the two requests each file waits cleaned
(evidence_prepare has run: no camera or location details remain) and encrypted in
the blob store, under a key derived from a random secret that only the reporter's
form carries. The database row holds a hash of that secret, never the secret, so
neither a staged file nor its name can be read without the form, and nothing links
a staged file to the report it becomes. Sending the report removes the batch; what
is never sent is removed by the daily purge once STAGED_FOR has passed.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from meldpunt.evidence.services import PreparedFile
from meldpunt.evidence.spool import MemoryFile
from meldpunt.lines.models import Line
from meldpunt.vault import blobs, crypto

from .models import StagedFile, hour_now
from .services import IncomingFile, files_discard, files_prepare

# As long as the review form's token is valid (SubmissionForm.VALID_FOR); the daily
# purge removes a batch within a day after that.
STAGED_FOR = timedelta(hours=24)
SECRET_CHARS = 43  # secrets.token_urlsafe(32)
_META_CONTEXT = b"staged-file"


@dataclass(frozen=True)
class StagedUpload:
    """What the review step shows of one staged file."""

    position: int
    question_key: str
    name: str


def staging_secret(carried: str = "") -> str:
    """The batch secret a form carried, or a new one when it carried none we hand out."""
    return carried if _batch_and_key(carried) is not None else secrets.token_urlsafe(32)


def _batch_and_key(secret: str) -> tuple[bytes, bytes] | None:
    """The batch's lookup hash and its file key; None for a secret we never hand out."""
    if len(secret) != SECRET_CHARS or not secret.replace("-", "").replace("_", "").isalnum():
        return None
    master = hashlib.sha256(secret.encode()).digest()
    return crypto.subkey(master, b"staged-batch"), crypto.subkey(master, b"staged-file-key")


def _meta(prepared: PreparedFile) -> dict:
    return {
        "name": prepared.original_name,
        "media_type": prepared.media_type,
        "size": prepared.size,
        "format": prepared.format,
        "hashes": prepared.hashes,
        "original_hashes": prepared.original_hashes,
        "properties": prepared.properties,
        "is_cleaned": prepared.is_cleaned,
    }


def _open_meta(staged: StagedFile, key: bytes) -> dict:
    return json.loads(crypto.decrypt(key, bytes(staged.sealed_meta), context=_META_CONTEXT))


def files_staged(*, secret: str) -> list[StagedUpload]:
    """The files of a batch, in the order they were chosen; [] for an unknown secret."""
    keys = _batch_and_key(secret or "")
    if keys is None:
        return []
    batch, key = keys
    return [
        StagedUpload(staged.position, staged.question_key, _open_meta(staged, key)["name"])
        for staged in StagedFile.objects.filter(batch=batch)
    ]


def files_stage(*, secret: str, line: Line, files: list[IncomingFile]) -> list[StagedUpload]:
    """Clean and stage files, all or none; raises services.IntakeError for a refused file.

    ``secret`` comes from ``staging_secret``. Names follow the line's policy
    (services.files_prepare): on a line with neutral names the original name is
    never written anywhere.
    """
    batch, key = _batch_and_key(secret)
    start = StagedFile.objects.filter(batch=batch).count()
    prepared = files_prepare(files, line, first_number=start + 1)
    written: list[str] = []
    try:
        with transaction.atomic():
            for position, (incoming, ready) in enumerate(prepared, start=start):
                with ready.path.open("rb") as handle:
                    written.append(blobs.blob_put(key=key, source=handle).name)
                StagedFile.objects.create(
                    batch=batch,
                    position=position,
                    question_key=incoming.question_key,
                    blob_name=written[-1],
                    sealed_meta=crypto.encrypt(
                        key, json.dumps(_meta(ready)).encode(), context=_META_CONTEXT
                    ),
                )
    except BaseException:
        for name in written:
            blobs.blob_delete(name=name)
        raise
    finally:
        files_discard(prepared)
    return [
        StagedUpload(position, incoming.question_key, ready.original_name)
        for position, (incoming, ready) in enumerate(prepared, start=start)
    ]


def files_unstage(
    *, secret: str, names: dict[int, str | None]
) -> list[tuple[IncomingFile, PreparedFile]]:
    """The staged files the reporter kept, decrypted into memory under their final names.

    ``names`` maps each staged position to its final name, or None to drop the file.
    The caller stores the result (services.report_submit) and then calls
    ``staged_batch_remove``.
    """
    keys = _batch_and_key(secret)
    if keys is None:
        return []
    batch, key = keys
    unstaged: list[tuple[IncomingFile, PreparedFile]] = []
    try:
        for staged in StagedFile.objects.filter(batch=batch):
            name = names.get(staged.position)
            if name is None:
                continue
            meta = _open_meta(staged, key)
            memory = MemoryFile("staged")
            prepared = PreparedFile(
                memory=memory,
                media_type=meta["media_type"],
                original_name=name,
                size=meta["size"],
                format=meta["format"],
                hashes=meta["hashes"],
                original_hashes=meta["original_hashes"],
                properties=meta["properties"],
                is_cleaned=meta["is_cleaned"],
            )
            unstaged.append((IncomingFile(memory.file, name, staged.question_key), prepared))
            for chunk in blobs.blob_read(key=key, name=staged.blob_name):
                memory.file.write(chunk)
            memory.seal()
    except BaseException:
        files_discard(unstaged)
        raise
    return unstaged


def _delete(staged_files: list[StagedFile]) -> None:
    names = [staged.blob_name for staged in staged_files]
    StagedFile.objects.filter(pk__in=[staged.pk for staged in staged_files]).delete()
    for name in names:
        blobs.blob_delete(name=name)


def staged_batch_remove(*, secret: str) -> None:
    """Remove a batch: its rows and its encrypted blobs."""
    keys = _batch_and_key(secret or "")
    if keys is not None:
        _delete(list(StagedFile.objects.filter(batch=keys[0])))


def staged_files_purge() -> int:
    """Remove every staged file older than STAGED_FOR; returns how many."""
    expired = list(StagedFile.objects.filter(created_at__lt=hour_now() - STAGED_FOR))
    _delete(expired)
    return len(expired)
