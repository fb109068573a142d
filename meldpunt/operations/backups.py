"""Backups: one encrypted, verifiable archive of an installation, and its restore.

An archive holds everything an installation needs to be set up again elsewhere:
every row of the database (Django's JSON-lines serialisation, one part per
model, so SQLite and PostgreSQL read each other's), the blob store (the blobs
are ciphertext already and go in unchanged) and the files of the data
directory (receipt salt and cost, receipt and exchange keys, Django's secret,
the worker key when it lives there).

The file is a short plain header (format and the Argon2id parameters of the
passphrase) followed by one libsodium secretstream: each frame is
authenticated and bound to the frames before it and to the header, and the
last one carries the FINAL tag, so a changed, reordered, shortened or extended
archive fails to decrypt. Inside, records name a part, carry its bytes and end
it; the last record is the manifest with the SHA-256 and size of every part.
A restore reads the whole archive once without writing anything and only then
restores, so that a damaged archive or a wrong passphrase changes nothing.
"""

import hashlib
import json
import os
import secrets
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import BinaryIO

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from meldpunt.datadir import shared_dir, shared_files
from meldpunt.privacy.hours import path_times_to_hour
from meldpunt.vault import crypto
from meldpunt.vault.blobs import (
    blob_delete,
    blob_names,
    blob_stored_exists,
    blob_stored_put,
    blob_stored_read,
)

MAGIC = b"MELDPUNT-BACKUP\n"
FORMAT = 1
PASSPHRASE_MIN_LENGTH = 12
# Plaintext bytes per frame; a frame read back may not claim to be larger than this.
FRAME_BYTES = 1024 * 1024
_FRAME_LENGTH = struct.Struct(">I")
_HEADER_MAX_BYTES = 4096
# The header is not secret and is read before anything is authenticated: limits keep a
# doctored one from making the derivation take all memory or all night.
_KDF_MAX_OPSLIMIT = 20
_KDF_MAX_MEMLIMIT = 4 * 1024 * 1024 * 1024
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
# Record types inside the stream.
_PART, _DATA, _END, _MANIFEST = b"P", b"D", b"E", b"M"
# Rows a fresh `meldpunt migrate` makes: an installation holding only these is empty.
MIGRATION_FILLED = {"contenttypes.ContentType", "auth.Permission", "network.PartnerCountry"}
# Files of the data directory that a restore never copies in or counts as content:
# Django's secret is made by every process at start, even a restore's.
_FRESH_FILES = {"django.secret"}

Progress = Callable[[str], None]


class ArchiveError(Exception):
    """The archive cannot be used: wrong passphrase, damaged, truncated or not an archive.

    The message is for the operator, and always says that nothing was restored
    when that is so.
    """


class TargetNotEmpty(Exception):
    """The installation to restore into holds data of its own."""


@dataclass
class Part:
    name: str
    kind: str  # "file", "table" or "blob"
    chunks: Iterator[bytes]
    sha256: str = ""
    size: int = 0


@dataclass
class BackupSummary:
    rows: int = 0
    tables: int = 0
    blobs: int = 0
    blob_bytes: int = 0
    files: list[str] = field(default_factory=list)
    missing_blobs: list[str] = field(default_factory=list)


def _silent(message: str) -> None:
    pass


# --- keys and the header -------------------------------------------------------------


def _header_make() -> bytes:
    return json.dumps(
        {
            "format": FORMAT,
            "kdf": "argon2id",
            "salt": secrets.token_hex(crypto.KDF_SALT_BYTES),
            "opslimit": settings.VAULT_KDF_OPSLIMIT,
            "memlimit": settings.VAULT_KDF_MEMLIMIT,
        },
        sort_keys=True,
    ).encode()


def _key_from(passphrase: str, header: bytes) -> bytes:
    """The archive key: Argon2id of the passphrase with the header's salt and cost."""
    try:
        fields = json.loads(header)
        salt = bytes.fromhex(fields["salt"])
        opslimit, memlimit = int(fields["opslimit"]), int(fields["memlimit"])
        if fields["format"] != FORMAT or fields["kdf"] != "argon2id":
            raise ValueError("unknown format")
    except (ValueError, KeyError, TypeError) as error:
        raise ArchiveError("This is not a meldpunt backup of a known format.") from error
    if not (
        nacl.pwhash.argon2id.OPSLIMIT_MIN <= opslimit <= _KDF_MAX_OPSLIMIT
        and nacl.pwhash.argon2id.MEMLIMIT_MIN <= memlimit <= _KDF_MAX_MEMLIMIT
        and len(salt) == crypto.KDF_SALT_BYTES
    ):
        raise ArchiveError("The archive's header is damaged (key derivation out of range).")
    return crypto.derive_key(passphrase.encode(), salt, opslimit=opslimit, memlimit=memlimit)


# --- writing -------------------------------------------------------------------------


class _ArchiveWriter:
    """Records into secretstream frames, each written as its length and ciphertext."""

    def __init__(self, handle: BinaryIO, passphrase: str) -> None:
        self.handle = handle
        self.header = _header_make()
        handle.write(MAGIC + _FRAME_LENGTH.pack(len(self.header)) + self.header)
        self.state = sodium.crypto_secretstream_xchacha20poly1305_state()
        key = _key_from(passphrase, self.header)
        handle.write(sodium.crypto_secretstream_xchacha20poly1305_init_push(self.state, key))
        self.parts: list[dict] = []

    def _record(self, kind: bytes, payload: bytes, *, tag: int = _TAG_MESSAGE) -> None:
        frame = sodium.crypto_secretstream_xchacha20poly1305_push(
            self.state, kind + payload, self.header, tag
        )
        self.handle.write(_FRAME_LENGTH.pack(len(frame)) + frame)

    def part(self, *, name: str, kind: str, chunks: Iterable[bytes]) -> dict:
        """Write one part from its chunks (any sizes) and note it for the manifest."""
        self._record(_PART, json.dumps({"name": name, "kind": kind}).encode())
        digest, size, buffer = hashlib.sha256(), 0, bytearray()
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            buffer += chunk
            while len(buffer) >= FRAME_BYTES:
                self._record(_DATA, bytes(buffer[:FRAME_BYTES]))
                del buffer[:FRAME_BYTES]
        if buffer:
            self._record(_DATA, bytes(buffer))
        self._record(_END, b"")
        entry = {"name": name, "kind": kind, "sha256": digest.hexdigest(), "size": size}
        self.parts.append(entry)
        return entry

    def finish(self, manifest: dict) -> None:
        body = json.dumps({**manifest, "parts": self.parts}, sort_keys=True).encode()
        self._record(_MANIFEST, body, tag=_TAG_FINAL)


class _TextSink:
    """A text stream for Django's serialiser whose writes become chunks of a part."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []

    def write(self, text: str) -> None:
        self.pending.append(text.encode())

    def take(self) -> bytes:
        data = b"".join(self.pending)
        self.pending.clear()
        return data


def _models_in_order() -> list[type[models.Model]]:
    """Every concrete model, each after the models its relations point to.

    A restore loads in one transaction with foreign keys checked at commit (both
    engines), so the order is not needed for loading; it keeps the archive
    readable part by part (a row's references come before it, cycles aside) and
    its layout stable from one backup to the next.
    """
    concrete = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    remaining = {model._meta.label: model for model in concrete}
    depends = {
        label: {
            related._meta.concrete_model._meta.label
            for related in (
                field.related_model
                for field in [*model._meta.concrete_fields, *model._meta.local_many_to_many]
                if field.is_relation and field.related_model is not None
            )
            if related is not model
        }
        & remaining.keys()
        for label, model in remaining.items()
    }
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = sorted(label for label in remaining if not depends[label] & remaining.keys())
        if not ready:  # a cycle: break it at the first model by name
            ready = [min(remaining)]
        for label in ready:
            ordered.append(remaining.pop(label))
    return ordered


def _table_chunks(model: type[models.Model], counter: list[int]) -> Iterator[bytes]:
    """A model's rows as JSON lines, a few hundred rows at a time, never all in memory."""
    sink = _TextSink()
    rows = model._base_manager.order_by("pk").iterator(chunk_size=500)
    serializer = serializers.get_serializer("jsonl")()
    batch: list[models.Model] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 500:
            serializer.serialize(batch, stream=sink)
            counter[0] += len(batch)
            batch.clear()
            yield sink.take()
    if batch:
        serializer.serialize(batch, stream=sink)
        counter[0] += len(batch)
        yield sink.take()


def _database_file() -> Path | None:
    config = settings.DATABASES["default"]
    if config["ENGINE"] != "django.db.backends.sqlite3":
        return None
    return Path(config["NAME"]).resolve()


def _data_dir_files() -> list[Path]:
    """The files of the data directory an installation needs: its secrets and settings.

    Its folders are not (blobs/ goes through the blob store, tmp/ holds work in
    progress, static/ is made by collectstatic), nor is the SQLite database in
    use (its rows go in as the database parts).
    """
    database = _database_file()
    skipped = set()
    if database is not None:
        skipped = {database.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    found = {
        path.name: path
        for path in Path(settings.DATA_DIR).iterdir()
        if path.is_file() and not path.is_symlink() and path.name not in skipped
    }
    # On several machines the shared files in use are MELDPUNT_SECRETS_DIR's; a
    # restore puts them in the data directory (docs/operations.md, Backups).
    for name in shared_files():
        if (shared_dir() / name).is_file():
            found[name] = shared_dir() / name
    return [found[name] for name in sorted(found)]


def _applied_migrations() -> list[list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted([app, name] for app, name in applied)


@contextmanager
def _snapshot() -> Iterator[None]:
    """Read the whole database as of one moment, without holding up the site.

    PostgreSQL: a REPEATABLE READ transaction. SQLite (WAL): a deferred read
    transaction, which sees one snapshot and, unlike the IMMEDIATE transactions
    the settings give Django's atomic blocks, does not block writers. Inside a
    transaction already (a test's), that transaction is the snapshot.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic():
        yield


def backup_write(*, out: Path, passphrase: str, progress: Progress = _silent) -> BackupSummary:
    """Write the archive of this installation to ``out`` (made anew, owner-only).

    The archive is written under a temporary name beside ``out`` and renamed
    only when complete, so a failed backup never leaves something that looks
    like an archive.
    """
    if len(passphrase) < PASSPHRASE_MIN_LENGTH:
        raise ArchiveError(f"The passphrase must be at least {PASSPHRASE_MIN_LENGTH} characters.")
    summary = BackupSummary()
    out = out.resolve()
    descriptor, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            writer = _ArchiveWriter(handle, passphrase)
            for path in _data_dir_files():
                writer.part(name=f"datadir/{path.name}", kind="file", chunks=[path.read_bytes()])
                summary.files.append(path.name)
            progress(f"data directory: {len(summary.files)} files")
            rows: dict[str, int] = {}
            with _snapshot():
                migrations = _applied_migrations()
                ordered = _models_in_order()
                for number, model in enumerate(ordered, start=1):
                    counter = [0]
                    label = model._meta.label
                    writer.part(name=label, kind="table", chunks=_table_chunks(model, counter))
                    rows[label] = counter[0]
                    summary.rows += counter[0]
                    if counter[0] >= 10_000 or number == len(ordered):
                        progress(
                            f"database: {number}/{len(ordered)} tables, {summary.rows} rows"
                            f" (last: {label}, {counter[0]} rows)"
                        )
            summary.tables = len(ordered)
            names = list(blob_names())
            _blobs_write(writer, names, summary, progress)
            writer.finish(
                {
                    "format": FORMAT,
                    "meldpunt": version("meldpunt"),
                    "database_vendor": connection.vendor,
                    "migrations": migrations,
                    "rows": rows,
                    "blob_storage": settings.STORAGES["blobs"]["BACKEND"],
                    "missing_blobs": summary.missing_blobs,
                }
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return summary


def _blobs_write(
    writer: _ArchiveWriter, names: list[str], summary: BackupSummary, progress: Progress
) -> None:
    total = len(names)
    step = max(1, min(1000, total // 20))  # every 5 %, and at least every 1000 blobs
    progress(f"blobs: {total} to copy")
    for number, name in enumerate(names, start=1):
        try:
            chunks = blob_stored_read(name=name)
        except FileNotFoundError:
            # Deleted (a retention purge) between the listing and now: gone, not damaged.
            summary.missing_blobs.append(name)
            continue
        entry = writer.part(name=name, kind="blob", chunks=chunks)
        summary.blobs += 1
        summary.blob_bytes += entry["size"]
        if number % step == 0 or number == total:
            progress(
                f"blobs: {number}/{total} ({100 * number // total} %),"
                f" {summary.blob_bytes / 1048576:.1f} MiB"
            )


# --- reading -------------------------------------------------------------------------


def _read_exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    while len(data) < size:
        more = handle.read(size - len(data))
        if not more:
            break
        data += more
    return data


def _truncated() -> ArchiveError:
    return ArchiveError("The archive is incomplete (cut off before its end); nothing was restored.")


def _records(handle: BinaryIO, passphrase: str) -> Iterator[tuple[bytes, bytes]]:
    """Yield (type, payload) of every record, each only once it authenticated.

    Ends after the FINAL record; raises ArchiveError on a wrong passphrase, a
    changed byte anywhere, a missing end or anything after it.
    """
    if _read_exactly(handle, len(MAGIC)) != MAGIC:
        raise ArchiveError("This is not a meldpunt backup.")
    (length,) = _FRAME_LENGTH.unpack(_read_exactly(handle, _FRAME_LENGTH.size).rjust(4, b"\0"))
    if length > _HEADER_MAX_BYTES:
        raise ArchiveError("The archive's header is damaged.")
    header = _read_exactly(handle, length)
    key = _key_from(passphrase, header)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    stream_header = _read_exactly(handle, crypto.STREAM_HEADER_BYTES)
    if len(stream_header) < crypto.STREAM_HEADER_BYTES:
        raise _truncated()
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, stream_header, key)
    first = True
    while True:
        prefix = _read_exactly(handle, _FRAME_LENGTH.size)
        if len(prefix) < _FRAME_LENGTH.size:
            raise _truncated()
        (length,) = _FRAME_LENGTH.unpack(prefix)
        if length > FRAME_BYTES + 1 + crypto.STREAM_OVERHEAD_BYTES:
            raise ArchiveError(
                "The archive was altered (a frame is too long); nothing was restored."
            )
        frame = _read_exactly(handle, length)
        if len(frame) < length:
            raise _truncated()
        try:
            plaintext, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, frame, header)
        except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
            if first:
                raise ArchiveError(
                    "The passphrase is wrong, or the archive was altered; nothing was restored."
                ) from error
            raise ArchiveError("The archive was altered; nothing was restored.") from error
        first = False
        kind, payload = plaintext[:1], plaintext[1:]
        if (tag == _TAG_FINAL) != (kind == _MANIFEST):
            raise ArchiveError("The archive is malformed; nothing was restored.")
        if tag == _TAG_FINAL:
            if handle.read(1):  # checked before the manifest is handed out
                raise ArchiveError(
                    "The archive has data after its end (altered); nothing was restored."
                )
            yield kind, payload
            return
        yield kind, payload


def archive_parts(handle: BinaryIO, passphrase: str, manifest: dict) -> Iterator[Part]:
    """Yield the parts of an archive in order; ``manifest`` is filled at the end.

    Each part must be read to its end before the next is asked for. The parts
    are checked against the manifest (name, kind, SHA-256, size) when it comes,
    after the last part: the caller must treat what it got as valid only once
    this iterator finished.
    """
    records = _records(handle, passphrase)
    seen: list[dict] = []
    for kind, payload in records:
        if kind == _MANIFEST:
            body = json.loads(payload)
            if body.get("parts") != seen:
                raise ArchiveError(
                    "The archive does not match its manifest (a part's hash differs);"
                    " nothing was restored."
                )
            manifest.update(body)
            return
        if kind != _PART:
            raise ArchiveError("The archive is malformed; nothing was restored.")
        info = json.loads(payload)
        part = Part(name=info["name"], kind=info["kind"], chunks=iter(()))
        part.chunks = _part_chunks(records, part)
        yield part
        for _ in part.chunks:  # whatever the caller left unread
            pass
        seen.append(
            {"name": part.name, "kind": part.kind, "sha256": part.sha256, "size": part.size}
        )
    raise _truncated()


def _part_chunks(records: Iterator[tuple[bytes, bytes]], part: Part) -> Iterator[bytes]:
    """A part's bytes up to its end record; its hash and size are set once all were read."""
    digest, size = hashlib.sha256(), 0
    for kind, data in records:
        if kind == _END:
            part.sha256, part.size = digest.hexdigest(), size
            return
        if kind != _DATA:
            raise ArchiveError("The archive is malformed; nothing was restored.")
        digest.update(data)
        size += len(data)
        yield data
    raise _truncated()


def _blob_digest_matches(part: Part) -> bool:
    return part.name.rsplit("/", 1)[-1] == part.sha256


def archive_verify(*, path: Path, passphrase: str, progress: Progress = _silent) -> dict:
    """Read the whole archive, checking every frame, every part and the manifest.

    Writes nothing. Returns the manifest; raises ArchiveError otherwise.
    """
    manifest: dict = {}
    blobs = 0
    with path.open("rb") as handle:
        for part in archive_parts(handle, passphrase, manifest):
            for _ in part.chunks:
                pass
            if part.kind == "blob":
                blobs += 1
                if not _blob_digest_matches(part):
                    raise ArchiveError(f"Blob {part.name} does not match its name.")
                if blobs % 1000 == 0:
                    progress(f"verified {blobs} blobs")
    return manifest


# --- restoring -----------------------------------------------------------------------


def _code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def restore_check_compatible(manifest: dict) -> None:
    """Refuse an archive of a database at another migration state than this code's."""
    archived = {tuple(pair) for pair in manifest["migrations"]}
    code = _code_migrations()
    if archived - code:
        raise ArchiveError(
            "The archive was made by a newer version of meldpunt (its database has migrations "
            "this version does not know); install that version to restore it. Nothing was restored."
        )
    if code - archived:
        raise ArchiveError(
            "The archive was made by an older version of meldpunt; restore it with that version, "
            "then upgrade (meldpunt migrate). Nothing was restored."
        )


def target_contents() -> list[str]:
    """What the installation to restore into already holds; empty when it is empty."""
    found = []
    tables = set(connection.introspection.table_names())
    for model in _models_in_order():
        label = model._meta.label
        if label in MIGRATION_FILLED or model._meta.db_table not in tables:
            continue
        count = model._base_manager.count()
        if count:
            found.append(f"{count} {label} rows")
    for name in blob_names():
        found.append(f"blobs in the blob store ({name}, ...)")
        break
    files = [path.name for path in _data_dir_files() if path.name not in _FRESH_FILES]
    if files:
        found.append(f"files in the data directory ({', '.join(files)})")
    return found


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line.decode()
    if pending:
        yield pending.decode()


def _tables_empty(model_list: list[type[models.Model]]) -> None:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def archive_restore(
    *, path: Path, passphrase: str, is_forced: bool = False, progress: Progress = _silent
) -> dict:
    """Restore an archive into this installation, which must be empty unless forced.

    First the whole archive is verified (nothing written); then the database is
    migrated, emptied and loaded in one transaction while the blobs are written;
    the data-directory files are written last, once the rows are committed. A
    failure on the way rolls the rows back and deletes the blobs this restore
    added. Returns the manifest.
    """
    progress("verifying the archive ...")
    manifest = archive_verify(path=path, passphrase=passphrase, progress=progress)
    restore_check_compatible(manifest)
    contents = target_contents()
    if contents and not is_forced:
        raise TargetNotEmpty("; ".join(contents))
    progress("archive verified; migrating the database ...")
    call_command("migrate", interactive=False, verbosity=0)
    written_blobs: list[str] = []
    files: dict[str, bytes] = {}
    blob_total = sum(1 for part in manifest["parts"] if part["kind"] == "blob")
    step = max(1, min(1000, blob_total // 20))
    count = 0
    try:
        with transaction.atomic(), connection.constraint_checks_disabled():
            _tables_empty(_models_in_order())
            loaded: list[type[models.Model]] = []
            with path.open("rb") as handle:
                for part in archive_parts(handle, passphrase, {}):
                    if part.kind == "file":
                        files[part.name.removeprefix("datadir/")] = b"".join(part.chunks)
                    elif part.kind == "table":
                        loaded.append(apps.get_model(part.name))
                        objects = serializers.deserialize("jsonl", _lines(part.chunks))
                        for deserialized in objects:
                            deserialized.save()
                        if len(loaded) % 20 == 0:
                            progress(f"database: {len(loaded)} tables loaded")
                    elif part.kind == "blob":
                        is_new = not blob_stored_exists(name=part.name)
                        blob_stored_put(name=part.name, chunks=part.chunks)
                        if is_new:
                            written_blobs.append(part.name)
                        count += 1
                        if count % step == 0 or count == blob_total:
                            progress(f"blobs: {count}/{blob_total} ({100 * count // blob_total} %)")
            connection.check_constraints()
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                    cursor.execute(statement)
    except BaseException:
        for name in written_blobs:
            blob_delete(name=name)
        raise
    finally:
        ContentType.objects.clear_cache()
    # Statistics for the query planner: the first statistics count after a restore
    # would otherwise be planned for empty tables (on PostgreSQL 100 times slower).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _data_dir_files_write(files)
    progress(
        f"restored: {sum(manifest['rows'].values())} rows, {len(written_blobs)} blobs written,"
        f" {len(files)} data-directory files"
    )
    return manifest


def _data_dir_files_write(files: dict[str, bytes]) -> None:
    """Put the data-directory files in place, owner-only, each replaced at once."""
    folder = Path(settings.DATA_DIR)
    for name, data in files.items():
        if "/" in name or name.startswith("."):
            continue  # not a file name this code writes
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, folder / name)
        path_times_to_hour(folder / name, folder)
