"""Helpers for tests that run real worker processes against the test's database.

A worker is ``python -m meldpunt.cli worker`` (or ``db_worker``) in its own
process, sharing the data directory and the database with the test. On
PostgreSQL that is the test database (the test must be transactional); SQLite's
in-memory test database cannot be shared, so the test thread's default
connection is pointed at a fresh database file for as long as the test runs.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from meldpunt.testdatabases import sqlite_template

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Fast enough for a test: beats twice a second, dead after 3 s of silence,
# recovery every second.
FAST_RECOVERY = {
    "MELDPUNT_WORKER_HEARTBEAT_SECONDS": "0.5",
    "MELDPUNT_WORKER_DEAD_SECONDS": "3",
    "MELDPUNT_WORKER_RECOVERY_SECONDS": "1",
}


@contextlib.contextmanager
def shared_database(folder: Path) -> Iterator[str]:
    """The test's database as a DATABASE_URL that other processes can open."""
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        user = config["USER"] or ""
        password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
        at = f"{user}{password}@" if user else ""
        yield f"postgres://{at}{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"
        return
    path = folder / "shared.sqlite3"
    shutil.copyfile(sqlite_template(), path)
    saved = connections["default"]
    shared = type(saved)({**saved.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = saved


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    worker_id: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no signal handler, no clean-up, as the OOM killer or a power cut."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_start(
    *,
    database_url: str,
    folder: Path,
    worker_id: str,
    command: str = "worker",
    env: dict[str, str] | None = None,
) -> WorkerProcess:
    """Start a worker process on the shared database and the test's data directory."""
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        DATABASE_URL=database_url,
        MELDPUNT_DATA_DIR=str(settings.DATA_DIR),
        MELDPUNT_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHONUNBUFFERED="1",
        **FAST_RECOVERY,
    )
    environment.update(env or {})
    log = folder / f"{worker_id}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "meldpunt.cli",
                command,
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--worker-id",
                worker_id,
            ],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return WorkerProcess(process=process, worker_id=worker_id, log=log)


def wait_until(condition: Callable[[], Any], *, seconds: float, what: str) -> Any:
    """Poll ``condition`` until it is truthy; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


# Fixtures for tests that run real worker processes; import them by name.
@pytest.fixture
def database_url(transactional_db, tmp_path) -> Iterator[str]:
    """The test database, committed and shared with worker processes."""
    with shared_database(tmp_path) as url:
        yield url


@pytest.fixture
def workers() -> Iterator[list]:
    """Workers a test starts (append them); each is stopped at the end."""
    started = []
    yield started
    for worker in started:
        worker.stop()
