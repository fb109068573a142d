"""The load-and-fault run of benchmarks/load_faults.py, shortened for the suite.

Two web processes (waitress) and two workers on a PostgreSQL cluster of the
script's own, two clients mixing reports (API and no-JavaScript form), mailbox
log-ins, staff and partner pages and hash checks, while a web process and a
worker are killed with SIGKILL, the blob store's disk is filled and PostgreSQL
is stopped for 3 s and started. Every acknowledged report must then be present
once, readable with a staff key and its mailbox open with its receipt; every
file job done once; the only errors those the faults explain, and never a 500.

Kept cheap for CI: 16 seconds of load, two clients, the cluster made while
Django starts, the four processes started side by side, the suite's cheap
Argon2id (the script's own setting), a file whose preview waited for the full
disk tried again 2 s later instead of 20 (MELDPUNT_STORE_RETRY_SECONDS). Most
of the rest is ``migrate`` on the new cluster.
On a loaded machine the first reports can take all 16 seconds, so the clients go on
past them (at most 90 s more) until one report is acknowledged.

It does not use the suite's database (the PostgreSQL pass of the suite leaves
it out, as every test that opens none: meldpunt/testenv.py), so it runs once, in
the SQLite pass. It needs root (a tmpfs for the blob store, the cluster run as
the ``postgres`` user) and PostgreSQL's server programs; without them it fails
on CI (``CI=true``) and is skipped elsewhere.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import on_ci

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "load_faults.py"

MISSING = [
    reason
    for missing, reason in (
        (os.geteuid() != 0, "needs root for the blob store's tmpfs"),
        (
            not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
            "needs PostgreSQL's server programs",
        ),
    )
    if missing
]
# On CI (as root, with PostgreSQL installed) a missing tool fails the test, never skips it.
pytestmark = pytest.mark.skipif(bool(MISSING) and not on_ci(), reason="; ".join(MISSING))


def test_killed_processes_a_full_disk_and_a_database_restart_lose_no_acknowledged_report():
    assert not MISSING, "; ".join(MISSING)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MELDPUNT_")
        and name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SCRIPT.parents[1]), env.get("PYTHONPATH")])
    )
    run = subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(SCRIPT),
            "--seconds=16",
            "--clients=2",
            "--faults=web,worker,disk,db",
            "--db-down-seconds=3",
            "--store-retry-seconds=2",
            "--blob-mib=64",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=280,  # within the suite's five minutes a test, to report what it saw
    )
    lines = run.stdout.strip().splitlines()
    assert lines, run.stderr[-5000:]
    figures = json.loads(lines[-1])
    invariants = figures["invariants"]
    context = f"{lines[-1]}\n{run.stderr[-3000:]}"

    assert set(figures["faults"]) == {"web", "worker", "disk", "db"}, context
    assert figures["machines"]["web1"]["starts"] >= 2, context  # killed and started again
    assert figures["machines"]["worker1"]["starts"] >= 2, context
    assert invariants["acknowledged"] > 0 and invariants["files"] > 0, context
    assert invariants["acknowledged_missing"] == 0, context
    assert invariants["acknowledged_mailbox_not_opening"] == 0, context
    assert invariants["acknowledged_without_file"] == 0, context
    assert invariants["duplicated"] == 0, context
    assert invariants["files_unreadable"] == 0, context
    assert invariants["jobs_drained"] and invariants["files_not_done"] == 0, context
    assert invariants["files_with_previews"] == {"1": invariants["files"]}, context
    assert invariants["derivative_jobs_left"] == 0 and invariants["tasks_failed"] == 0, context
    # Not rescued by the sweep either: each job's task was written with it.
    assert invariants["jobs_requeued_by_sweep"] == 0, context
    assert figures["server_errors_500"] == 0, context
    assert figures["errors_unexplained"] == {}, context
    assert figures["ok"] and run.returncode == 0, context
    print(lines[-1])  # the figures, for `pytest -rP`
