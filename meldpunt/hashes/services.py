"""Every write to the hash store: lists, imports, removal, switching lists on and off,
retiring and restoring single hashes.

Each write that changes which hashes can match bumps the store's revision
token in the same transaction, so every process rebuilds its PDQ index before
its next query (matching.py).
"""

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.hashes.checking import CheckItem, check_item_parse
from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.hashfile import MAX_REPORTED_ERRORS, HashFileInvalid, LineError, hashes_read
from meldpunt.hashes.models import (
    HEX_LENGTHS,
    Algorithm,
    HashList,
    HashStoreRevision,
    KnownHash,
    OwnListEntry,
)
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser

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


def hash_revision_lock() -> None:
    """Hold the revision row until this transaction ends; the first thing every writer does.

    Writers that add hashes then run one after the other, so their rows commit
    in id order: a process that has read every row up to some id can never
    later see a row with a smaller one appear, which is what lets the PDQ
    index take in only the rows after its last (indexes.PdqIndex.refresh).
    The other writers of the store take it first too, so that no two
    transactions ever wait for each other's locks in opposite orders.
    """
    # Made with the token of a store that never changed (""), so making it changes nothing.
    HashStoreRevision.objects.get_or_create(
        pk=1, defaults={"token": "", "changed_at": timezone.now()}
    )
    HashStoreRevision.objects.select_for_update().filter(pk=1).values_list("pk").first()


@transaction.atomic
def hash_list_create(
    *,
    name: str,
    description: str = "",
    source: str = "",
    source_reference: str = "",
    public_label: str = "",
    actor: StaffUser | None = None,
) -> HashList:
    """A new, active, empty list; raises ValidationError for a bad or taken name.

    Like every change to what matches, audited (``hashes.list_create``); ``actor``
    is None on the command line.
    """
    hash_list = HashList(
        name=name,
        description=description,
        source=source,
        source_reference=source_reference,
        public_label=public_label.strip(),
    )
    hash_list.full_clean()
    hash_list.save()
    _hash_list_audit(hash_list, action="hashes.list_create", actor=actor)
    return hash_list


def _hash_list_audit(
    hash_list: HashList, *, action: str, actor: StaffUser | None, **details: object
) -> None:
    audit_record(
        actor=actor, action=action, target=hash_list, details={"list": hash_list.name, **details}
    )


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
    actor: StaffUser | None = None,
) -> ImportResult:
    """Add the hashes of a file to a list, all or nothing; importing again adds nothing.

    The file is read twice, streaming: once to check every line (so a bad line
    300,000 refuses the file before anything is written), then to insert in
    batches inside one transaction. ``progress`` is called with the number of
    hashes of each batch written. Audited in the same transaction
    (``hashes.list_import``, with the counts). Raises HashFileInvalid or OSError.
    """
    read = hash_file_check(path, algorithm=algorithm)
    added_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        hash_revision_lock()
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
        _hash_list_audit(
            hash_list, action="hashes.list_import", actor=actor, read=read, added=added
        )
    return ImportResult(read=read, added=added)


@transaction.atomic
def hash_list_remove(*, hash_list: HashList, actor: StaffUser | None = None) -> int:
    """Delete a list and its hashes; returns how many hashes went.

    Matches already recorded against files keep the list's name (evidence
    stores it), so a file once matched stays hidden from casual viewing.
    Audited (``hashes.list_remove``, with the count), the list named by id and name.
    """
    hash_revision_lock()  # first, as every writer of the store: one lock order
    # One DELETE statement: known hashes have no relations or signals to collect.
    count, _by_model = KnownHash.objects.filter(hash_list=hash_list).delete()
    _hash_list_audit(hash_list, action="hashes.list_remove", actor=actor, hashes=count)
    hash_list.delete()
    hash_revision_bump()
    return count


def hash_list_label(
    *, hash_list: HashList, public_label: str, actor: StaffUser | None = None
) -> None:
    """Set what hash-check clients are told for this list; read per request, no index change."""
    hash_list.public_label = public_label.strip()
    hash_list.full_clean()
    with transaction.atomic():
        hash_list.save(update_fields=["public_label"])
        _hash_list_audit(
            hash_list, action="hashes.list_label", actor=actor, label=hash_list.public_label
        )


@transaction.atomic
def hash_list_activate(*, hash_list: HashList, is_active: bool, actor: StaffUser | None) -> bool:
    """Switch a list on or off for matching without losing its hashes; False if it already was.

    A compare-and-set, so that two switches at once (the command line and the
    admin) record one change, not two. Audited (``hashes.list_activate`` or
    ``hashes.list_deactivate``); ``actor`` is None on the command line.
    """
    hash_revision_lock()  # first, as every writer of the store: one lock order
    changed = (
        HashList.objects.filter(pk=hash_list.pk)
        .exclude(is_active=is_active)
        .update(is_active=is_active)
    )
    hash_list.is_active = is_active
    if not changed:
        return False
    hash_revision_bump()
    action = "hashes.list_activate" if is_active else "hashes.list_deactivate"
    _hash_list_audit(hash_list, action=action, actor=actor)
    return True


class KnownHashRefused(Exception):
    """A hash that cannot be retired or restored as asked; ``message`` is for staff.

    ``code`` is one of the hash-check item codes for a malformed hash
    (``unknown_algorithm``, ``value_missing``, ``not_hex``, ``wrong_length``),
    or ``not_on_list``, ``own_list``, ``retired``, ``not_retired``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def _known_hash_find(*, hash_list: HashList, algorithm: str, value: str) -> KnownHash:
    """The row of one hash on one list, checked the way the hash-check API checks a hash."""
    parsed = check_item_parse({"algorithm": algorithm, "value": value})
    if not isinstance(parsed, CheckItem):
        raise KnownHashRefused(parsed.code, parsed.message)
    if hash_list.is_own:
        # Own-list hashes are retired with their entries (own_entry_retire), which keep
        # the provenance; retiring a hash here would be undone by restoring an entry.
        raise KnownHashRefused(
            "own_list",
            _("Hashes of the own list are retired and restored with their entries."),
        )
    known = KnownHash.objects.filter(
        hash_list=hash_list, algorithm=parsed.algorithm, value=parsed.value
    ).first()
    if known is None:
        raise KnownHashRefused(
            "not_on_list",
            _("This %(algorithm)s hash is not on the list %(list)s.")
            % {"algorithm": parsed.algorithm.label, "list": hash_list.name},
        )
    known.hash_list = hash_list
    return known


def _known_hash_audit(known: KnownHash, *, action: str, actor: StaffUser | None, **extra) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=known,
        details={
            "list": known.hash_list.name,
            "algorithm": known.algorithm,
            "value": known.value,
            **extra,
        },
    )


@transaction.atomic
def known_hash_retire(
    *,
    hash_list: HashList,
    algorithm: str,
    value: str,
    actor: StaffUser | None,
    reason: str = "",
) -> KnownHash:
    """Stop matching one hash of a list (a supplier withdrew it, a false positive), keeping it.

    Faster and more precise than removing and re-importing the list, and
    reversible: ``known_hash_restore`` puts it back. The row stays, so
    importing the supplier's file again does not bring a retired hash back.
    A compare-and-set on "not retired yet"; bumps the store's revision, so
    every process stops matching it at its next query; audited
    (``hashes.hash_retire`` with the reason). Raises KnownHashRefused.
    """
    hash_revision_lock()  # first, as every writer of the store: one lock order
    known = _known_hash_find(hash_list=hash_list, algorithm=algorithm, value=value)
    if not KnownHash.objects.filter(pk=known.pk, is_retired=False).update(is_retired=True):
        raise KnownHashRefused("retired", _("This hash has already been retired."))
    known.is_retired = True
    hash_revision_bump()
    _known_hash_audit(known, action="hashes.hash_retire", actor=actor, reason=reason[:200])
    return known


@transaction.atomic
def known_hash_restore(
    *, hash_list: HashList, algorithm: str, value: str, actor: StaffUser | None
) -> KnownHash:
    """Match a retired hash again; audited as ``hashes.hash_restore``. Raises KnownHashRefused."""
    hash_revision_lock()  # first, as every writer of the store: one lock order
    known = _known_hash_find(hash_list=hash_list, algorithm=algorithm, value=value)
    if not KnownHash.objects.filter(pk=known.pk, is_retired=True).update(is_retired=False):
        raise KnownHashRefused("not_retired", _("This hash is not retired."))
    known.is_retired = False
    hash_revision_bump()
    _known_hash_audit(known, action="hashes.hash_restore", actor=actor)
    return known


OWN_LIST_NAME = "own"


class OwnListRefused(Exception):
    """A change to the own list that cannot be made now; ``message`` is for staff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def own_list() -> HashList:
    """The installation's own list, made on first use (active, matched like any other).

    Two first uses at once both try to create it; the unique constraint lets one
    win and the other takes its list.
    """
    found = HashList.objects.filter(is_own=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return HashList.objects.create(
                name=OWN_LIST_NAME,
                is_own=True,
                source="own hotline",
                description="Items this installation's analysts confirmed illegal.",
            )
    except IntegrityError:
        return HashList.objects.get(is_own=True)


def _own_values(
    hashes: Iterable[tuple[str, str]], pdq_quality: int | None
) -> list[tuple[str, str]]:
    """The well-formed (algorithm, value) pairs to add, once each; a PDQ hash only of
    good quality, since a featureless picture's hash would match every other one."""
    pairs: dict[tuple[str, str], None] = {}
    for name, raw in hashes:
        value = (raw or "").strip().lower()
        if name not in Algorithm.values or len(value) != HEX_LENGTHS[Algorithm(name)]:
            continue
        if value.strip("0123456789abcdef"):
            continue
        if name == Algorithm.PDQ and (
            pdq_quality is None or pdq_quality < hashes_setting("HASHES_PDQ_MIN_QUALITY")
        ):
            continue
        pairs[(name, value)] = None
    return list(pairs)


@transaction.atomic
def own_list_add(
    *,
    hashes: Iterable[tuple[str, str]],
    pdq_quality: int | None,
    source: str,
    reference: str,
    actor: StaffUser,
) -> OwnListEntry:
    """Put the hashes of an item confirmed illegal on the own list, with where it came from.

    ``hashes`` are (algorithm, hex value) pairs (``sha256`` of the file as
    found and of the cleaned file, ``pdq`` with its quality); malformed values
    are skipped, and an item without one usable hash is refused. A value already on
    the list (the same picture confirmed twice) is shared by both entries and
    matched again if it was retired. Staff action: the exact time is kept.
    """
    pairs = _own_values(hashes, pdq_quality)
    if not pairs:
        raise OwnListRefused("no_hashes", _("This item has no hash that could be put on a list."))
    hash_list = own_list()
    hash_revision_lock()
    now = timezone.now()
    entry = OwnListEntry.objects.create(
        hash_list=hash_list, source=source, reference=reference, added_by=actor, added_at=now
    )
    known = []
    for algorithm, value in pairs:
        row, _created = KnownHash.objects.get_or_create(
            hash_list=hash_list, algorithm=algorithm, value=value, defaults={"added_at": now}
        )
        known.append(row)
    entry.hashes.set(known)
    KnownHash.objects.filter(pk__in=[row.pk for row in known]).update(is_retired=False)
    hash_revision_bump()
    audit_record(
        actor=actor,
        action="hashes.own_add",
        target=entry,
        details={
            "source": source,
            "reference": reference,
            "algorithms": [algorithm for algorithm, _value in pairs],
        },
    )
    return entry


def _retired_update(entry: OwnListEntry) -> None:
    """A hash is matched while any entry that added it is not retired."""
    for row in entry.hashes.all():
        row.is_retired = not row.own_entries.filter(retired_at=None).exists()
        row.save(update_fields=["is_retired"])
    hash_revision_bump()


@transaction.atomic
def own_entry_retire(*, entry: OwnListEntry, actor: StaffUser, reason: str) -> OwnListEntry:
    """Take an entry added by mistake off the list for matching, keeping it to restore.

    A compare-and-set on "not retired yet": retiring twice (two staff, an old
    page) changes nothing the second time and says so.
    """
    hash_revision_lock()  # first, as every writer of the store: one lock order
    now = timezone.now()
    changed = OwnListEntry.objects.filter(pk=entry.pk, retired_at=None).update(
        retired_at=now, retired_by=actor, retire_reason=reason[:200]
    )
    if not changed:
        raise OwnListRefused("retired", _("This entry has already been retired."))
    entry.refresh_from_db()
    _retired_update(entry)
    audit_record(
        actor=actor,
        action="hashes.own_retire",
        target=entry,
        details={"reference": entry.reference, "reason": entry.retire_reason},
    )
    return entry


@transaction.atomic
def own_entry_restore(*, entry: OwnListEntry, actor: StaffUser) -> OwnListEntry:
    """Put a retired entry back: its hashes are matched again."""
    hash_revision_lock()  # first, as every writer of the store: one lock order
    changed = (
        OwnListEntry.objects.filter(pk=entry.pk)
        .exclude(retired_at=None)
        .update(retired_at=None, retired_by=None, retire_reason="")
    )
    if not changed:
        raise OwnListRefused("not_retired", _("This entry is not retired."))
    entry.refresh_from_db()
    _retired_update(entry)
    audit_record(
        actor=actor,
        action="hashes.own_restore",
        target=entry,
        details={"reference": entry.reference},
    )
    return entry
