"""Test databases cloned from one migrated template instead of migrated in every process.

Migrating the ~90 tables from nothing costs 11–13 s of CPU; every pytest-xdist
worker did it for its own test database, and on SQLite once more for the file
that tests with worker processes share (``meldpunt.workers.testing``). Now the
first process to need one migrates a template under a lock, named after a digest
of every migration file, and every test database is a copy of it: PostgreSQL's
``CREATE DATABASE … TEMPLATE``, SQLite's online backup into the in-memory
database. Django's own ``migrate`` still runs on the copy and finds nothing to do,
so the post-migrate rows and any migration added since are as before.

A template is built under a temporary name and renamed when complete, so a run
that dies half-way leaves nothing that a later run would take for finished.
"""

import contextlib
import fcntl
import functools
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.core.management import call_command
from django.db import connections

# A run touches its template when it starts; one untouched for a day is no run's.
STALE_TEMPLATE_SECONDS = 24 * 3600

# Keeps each in-memory test database alive: SQLite drops a shared-cache memory
# database when its last connection closes.
_memory_holders: list[sqlite3.Connection] = []


@functools.cache
def migrations_digest() -> str:
    """A digest of every migration file of every installed app."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.blake2b(digest_size=8)
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        digest.update(
            Path(sys.modules[loader.disk_migrations[key].__module__].__file__).read_bytes()
        )
    return digest.hexdigest()


@contextlib.contextmanager
def _default_connection_to(name: str) -> Iterator[None]:
    """Point the default connection at database ``name`` for a while."""
    saved = connections["default"]
    swapped = type(saved)({**saved.settings_dict, "NAME": name}, alias="default")
    connections["default"] = swapped
    try:
        yield
    finally:
        swapped.close()
        connections["default"] = saved


@functools.cache
def sqlite_template() -> Path:
    """A migrated, empty SQLite file for this run's migrations, made once per machine."""
    folder = Path(tempfile.gettempdir()) / "meldpunt-test-templates"
    folder.mkdir(exist_ok=True)
    path = folder / f"{migrations_digest()}.sqlite3"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            building = path.with_suffix(f".{os.getpid()}.building")
            with _default_connection_to(str(building)):
                call_command("migrate", verbosity=0, interactive=False)
            # Closing the only connection checkpointed the write-ahead log into the file.
            os.replace(building, path)
        path.touch()  # in use: see below
        # Templates of other migrations may belong to a run of another checkout that is
        # still going (deleting one made its tests fail); only unused ones are removed.
        for stale in folder.glob("*.sqlite3"):
            if time.time() - stale.stat().st_mtime > STALE_TEMPLATE_SECONDS:
                stale.unlink(missing_ok=True)
    return path


def _sqlite_fill(name: str) -> None:
    """Copy the template into the in-memory test database ``name`` and keep it alive."""
    memory = sqlite3.connect(name, uri=True, check_same_thread=False)
    with contextlib.closing(sqlite3.connect(sqlite_template())) as template:
        template.backup(memory)
    _memory_holders.append(memory)


def _postgresql_template(creation) -> str:
    """The name of a migrated template database, made under an advisory lock if missing."""
    # From the configured name, not the test database's: every xdist worker shares it.
    name = f"test_{creation.connection.settings_dict['NAME']}_template_{migrations_digest()}"
    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                _postgresql_template_build(cursor, creation, name)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
    return name


def _postgresql_template_build(cursor, creation, name: str) -> None:
    quote = creation.connection.ops.quote_name
    building = f"{name[:50]}_building"
    cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)}")
    cursor.execute(f"CREATE DATABASE {quote(building)}")
    with _default_connection_to(building):
        call_command("migrate", verbosity=0, interactive=False)
    cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")


def templates_for_test_databases() -> None:
    """Make Django's test database creation copy a migrated template."""
    from django.db.backends.postgresql.creation import DatabaseCreation as PostgreSQLCreation
    from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation

    sqlite_create = SQLiteCreation._create_test_db
    postgresql_create = PostgreSQLCreation._create_test_db

    def sqlite_create_from_template(self, verbosity, autoclobber, keepdb=False):
        name = sqlite_create(self, verbosity, autoclobber, keepdb)
        if self.is_in_memory_db(name) and not keepdb:
            _sqlite_fill(name)
        return name

    def postgresql_create_from_template(self, verbosity, autoclobber, keepdb=False):
        if not keepdb:
            self.connection.settings_dict["TEST"]["TEMPLATE"] = _postgresql_template(self)
        return postgresql_create(self, verbosity, autoclobber, keepdb)

    SQLiteCreation._create_test_db = sqlite_create_from_template
    PostgreSQLCreation._create_test_db = postgresql_create_from_template
