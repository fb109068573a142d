"""Django set-up shared by the benchmark scripts that fill a database of their own.

Run as ``python benchmarks/<name>.py``: this directory is then on sys.path, so
the scripts import this module by its plain name.
"""

import os
import sys
from pathlib import Path


def django_setup(name: str) -> None:
    """Configure and start Django on a benchmark database that is kept between runs.

    SQLite lives in /var/tmp/meldpunt-<name>; with DATABASE_URL set, the
    PostgreSQL database it names is created when missing. Key derivation is
    made cheap: staff set-up only, the measured pages derive no keys.
    """
    suffix = "-pg" if os.environ.get("DATABASE_URL") else ""
    os.environ.setdefault("MELDPUNT_DATA_DIR", f"/var/tmp/meldpunt-{name}{suffix}")
    os.environ.setdefault("MELDPUNT_KDF_OPSLIMIT", "1")
    os.environ.setdefault("MELDPUNT_KDF_MEMLIMIT", str(8 * 1024))
    os.environ["MELDPUNT_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    _create_postgres_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()


def postgres_server_execute(url: str, statement: str, params: list | None = None) -> object:
    """Run ``statement`` on the server of the PostgreSQL database ``url`` names.

    Connected to the ``postgres`` database with autocommit, as CREATE and DROP
    DATABASE need; ``{name}`` in the statement stands for the named database.
    Returns the first row, if any.
    """
    import psycopg
    from dj_database_url import parse

    config = parse(url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        cursor = connection.execute(statement.format(name=config["NAME"]), params)
        return cursor.fetchone() if cursor.description else None


def _create_postgres_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    exists = "SELECT 1 FROM pg_database WHERE datname = %s"
    from dj_database_url import parse

    if not postgres_server_execute(url, exists, [parse(url)["NAME"]]):
        postgres_server_execute(url, 'CREATE DATABASE "{name}"')
