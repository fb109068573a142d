"""A pytest plugin, loaded with ``-p`` before pytest-django reads the settings.

It gives the test run a fresh data directory, Argon2id at libsodium's minimum
cost (same code paths, cheaper parameters), the immediate task backend and
the worker key in the data directory, as in the demo.
Anything already set in the environment wins, except that each pytest-xdist
worker gets a data directory of its own instead of the one this plugin made
for the controlling process (workers inherit its environment).
"""

import os
import sys
import tempfile


def _data_dir_fresh() -> None:
    """Make a data directory unless the operator named one or this process has one."""
    made = os.environ.get("MELDPUNT_TESTENV_DATA_DIR")
    if "MELDPUNT_DATA_DIR" in os.environ and os.environ["MELDPUNT_DATA_DIR"] != made:
        return
    if made and not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    os.environ["MELDPUNT_DATA_DIR"] = tempfile.mkdtemp(prefix="meldpunt-test-")
    os.environ["MELDPUNT_TESTENV_DATA_DIR"] = os.environ["MELDPUNT_DATA_DIR"]


def _bytecode_cached() -> None:
    """Keep compiled bytecode between processes, outside the checkout.

    Some machines set PYTHONDONTWRITEBYTECODE, so every process of a run (each
    xdist worker, each worker or sandbox process a test starts) compiled the
    project's modules again and pytest rewrote every test module's asserts again:
    about 6 s of CPU per worker just to collect. The cache goes to one folder in
    the temporary directory, so the checkout stays as it was.
    """
    if not sys.dont_write_bytecode and not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    prefix = os.environ.setdefault(
        "PYTHONPYCACHEPREFIX", os.path.join(tempfile.gettempdir(), "meldpunt-test-pycache")
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False


def _commits_unflushed() -> None:
    """PostgreSQL: a commit returns before its WAL record reaches the disk.

    A commit waits about 3 ms for the disk here and 0.3 ms without; the suite
    and the worker and web processes its tests start commit thousands of times.
    Only a crash of the PostgreSQL server itself could lose the last commits, and
    the suite's databases are thrown away. The load-and-fault test, which stops
    its own server, gives its processes an operator's environment without this.
    """
    options = os.environ.get("PGOPTIONS", "")
    if "synchronous_commit" not in options:
        os.environ["PGOPTIONS"] = f"{options} -c synchronous_commit=off".strip()


_data_dir_fresh()
_commits_unflushed()
_bytecode_cached()
os.environ.setdefault("MELDPUNT_KDF_OPSLIMIT", "1")
os.environ.setdefault("MELDPUNT_KDF_MEMLIMIT", str(8 * 1024))
os.environ.setdefault("MELDPUNT_PASSWORD_TIME_COST", "1")
os.environ.setdefault("MELDPUNT_PASSWORD_MEMORY_KIB", "64")
os.environ.setdefault("MELDPUNT_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
# Tasks run inline, in the test process: it is the worker, with the demo's key.
os.environ.setdefault("MELDPUNT_WORKER_KEY_IN_DATA_DIR", "1")


# Fixtures that open the test database; a test with none of them (and no django_db
# mark) runs the same on every engine.
_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "admin_client",
    "admin_user",
    "django_user_model",
}


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL, run only the tests that open the database.

    The README's test command runs the suite on SQLite, with every test; the
    PostgreSQL pass (``DATABASE_URL=postgres://…``, as ``.ci/run`` does it) adds what
    could differ: tests that never open the database (file parsing, the demo, which
    always runs on its own SQLite file) would only run a second time unchanged.
    """
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    kept, engine_free = [], []
    for item in items:
        opens = item.get_closest_marker("django_db") or _DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        (kept if opens else engine_free).append(item)
    if engine_free:
        config.hook.pytest_deselected(items=engine_free)
        items[:] = kept


def pytest_configure(config) -> None:
    """Test databases are copies of a migrated template (``meldpunt.testdatabases``).

    On PostgreSQL, the tables are emptied after a transactional test with DELETE.

    Django flushes with one TRUNCATE of all ~90 tables, which makes a new file per
    table and takes 1–3 s each time on PostgreSQL; the few rows a test leaves are
    deleted in milliseconds. Foreign keys are deferred (Django makes them
    DEFERRABLE), so the order does not matter within the flush's transaction.
    A flush that also resets sequences keeps Django's own statement.
    """
    from django.db.models.signals import post_migrate

    from meldpunt.testdatabases import templates_for_test_databases

    templates_for_test_databases()
    post_migrate.connect(seeded_rows_restore, dispatch_uid="meldpunt.testenv.seeded_rows")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"DELETE FROM {self.quote_name(table)};"  # noqa: S608 - Django's table names
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


def seeded_rows_restore(sender, using: str, **kwargs) -> None:
    """Give the rows a data migration seeds back after a test's flush.

    A transactional test ends with a flush that empties every table. Django's
    own ``post_migrate`` receivers then make content types and permissions
    again, but the INHOPE country list (``network`` migration 0009) stays gone,
    and a later test in the same process that reads it (the admin permission
    matrix) fails. Which test follows which is a matter of scheduling, most of
    all when xdist replaces a crashed worker. Only after a flush: ``migrate``
    sends ``plan`` and fills the table itself.
    """
    if sender.label != "network" or "plan" in kwargs:
        return
    import importlib
    import json

    from meldpunt.network.models import PartnerCountry

    if PartnerCountry.objects.using(using).exists():
        return
    migration = importlib.import_module(
        "meldpunt.network.migrations.0009_partner_hotline_countries"
    )
    PartnerCountry.objects.using(using).bulk_create(
        PartnerCountry(code=row["code"], name=row["name"], member_hotlines=row["member_hotlines"])
        for row in json.loads(migration.COUNTRIES.read_text(encoding="utf-8"))
    )


def pytest_runtest_teardown(item) -> None:
    """Forget this process's hash indexes and active language after each test.

    A test's rows are rolled back and, on SQLite, their ids handed out again
    to the next test's rows; an index that takes in only rows after the last
    id it holds (hashes.indexes.PdqIndex) would mix both tests' hashes.

    Django's locale middleware activates a request's language in the thread and
    never restores it, so a test client's request would leave its language to
    whichever test the process runs next (tests then passed or failed by order).
    Imported late: Django is set up by then, and only then.
    """
    import sys

    matching = sys.modules.get("meldpunt.hashes.matching")
    if matching is not None:
        matching.indexes_forget()
    translation = sys.modules.get("django.utils.translation")
    if translation is not None:
        translation.deactivate()
