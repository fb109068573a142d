"""Every write to the hash store: lists, imports, removal, switching lists on and off.

Each write that changes which hashes can match bumps the store's revision
token in the same transaction, so every process rebuilds its PDQ index before
its next query (matching.py).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from meldpunt.hashes.hashfile import MAX_REPORTED_ERRORS, HashFileInvalid, LineError, hashes_read
from meldpunt.hashes.models import Algorithm, HashList, HashStoreRevision, KnownHash

IMPORT_BATCH = 5000


def _insert_sql() -> str:
    """One row, skipped when the list already has it (SQLite and PostgreSQL syntax alike).

    Plain SQL rather than ``bulk_create``: building a model instance per hash
    made the ORM, not the database, the cost of importing millions of hashes.
    """
    table = connection.ops.quote_name(KnownHash._meta.db_table)  # our own model, not input
    return (
        f"INSERT INTO {table} "  # noqa: S608
        "(hash_list_id, algorithm, value, added_at) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (hash_list_id, algorithm, value) DO NOTHING"
    )


def hash_revision_bump() -> None:
    """Tell every process that the matchable hashes changed; call inside the change."""
    HashStoreRevision.objects.update_or_create(
        pk=1, defaults={"token": secrets.token_hex(16), "changed_at": timezone.now()}
    )


@transaction.atomic
def hash_list_create(
    *,
    name: str,
    description: str = "",
    source: str = "",
    source_reference: str = "",
    public_label: str = "",
) -> HashList:
    """A new, active, empty list; raises ValidationError for a bad or taken name."""
    hash_list = HashList(
        name=name,
        description=description,
        source=source,
        source_reference=source_reference,
        public_label=public_label.strip(),
    )
    hash_list.full_clean()
    hash_list.save()
    return hash_list


@dataclass(frozen=True)
class ImportResult:
    read: int
    added: int

    @property
    def already_present(self) -> int:
        return self.read - self.added


def hash_file_check(path: Path, *, algorithm: Algorithm | None = None) -> int:
    """Read the whole file; the number of hashes, or HashFileInvalid naming the bad lines."""
    errors: list[LineError] = []
    total_errors = count = 0
    for item in hashes_read(path, algorithm=algorithm):
        if isinstance(item, LineError):
            total_errors += 1
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append(item)
        else:
            count += 1
    if total_errors:
        raise HashFileInvalid(errors, total_errors)
    return count


def hash_list_import(
    *,
    hash_list: HashList,
    path: Path,
    algorithm: Algorithm | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Add the hashes of a file to a list, all or nothing; importing again adds nothing.

    The file is read twice, streaming: once to check every line (so a bad line
    300,000 refuses the file before anything is written), then to insert in
    batches inside one transaction. ``progress`` is called with the number of
    hashes of each batch written. Raises HashFileInvalid or OSError.
    """
    read = hash_file_check(path, algorithm=algorithm)
    added_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        before = KnownHash.objects.filter(hash_list=hash_list).count()
        batch: list[tuple] = []

        def flush() -> None:
            cursor.executemany(_insert_sql(), batch)
            if progress:
                progress(len(batch))
            batch.clear()

        for item in hashes_read(path, algorithm=algorithm):
            if isinstance(item, LineError):  # the file changed since it was checked
                raise HashFileInvalid([item], 1)
            _number, chosen, value = item
            batch.append((hash_list.pk, chosen.value, value, added_at))
            if len(batch) >= IMPORT_BATCH:
                flush()
        if batch:
            flush()
        added = KnownHash.objects.filter(hash_list=hash_list).count() - before
        hash_list.imported_at = timezone.now()
        hash_list.save(update_fields=["imported_at"])
        if added:
            hash_revision_bump()
    return ImportResult(read=read, added=added)


@transaction.atomic
def hash_list_remove(*, hash_list: HashList) -> int:
    """Delete a list and its hashes; returns how many hashes went.

    Matches already recorded against files keep the list's name (evidence
    stores it), so a file once matched stays hidden from casual viewing.
    """
    # One DELETE statement: known hashes have no relations or signals to collect.
    count, _by_model = KnownHash.objects.filter(hash_list=hash_list).delete()
    hash_list.delete()
    hash_revision_bump()
    return count


def hash_list_label(*, hash_list: HashList, public_label: str) -> None:
    """Set what hash-check clients are told for this list; read per request, no index change."""
    hash_list.public_label = public_label.strip()
    hash_list.full_clean()
    hash_list.save(update_fields=["public_label"])


@transaction.atomic
def hash_list_activate(*, hash_list: HashList, is_active: bool) -> None:
    """Switch a list on or off for matching without losing its hashes."""
    hash_list.is_active = is_active
    hash_list.save(update_fields=["is_active"])
    hash_revision_bump()
