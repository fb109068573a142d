"""Repeat the attacks of issue 10 (items 2 and 4) on real installations; print what held.

    .venv/bin/python benchmarks/attack_jobs.py [--real-bounds]

Two fresh installations (SQLite in a temporary data directory), each in its own
process: "production" (the worker key moved out with ``meldpunt worker_key move``,
``MELDPUNT_WORKER_KEY_FILE`` set for the worker) and "demo" (the key in the data
directory, as ``meldpunt demo`` keeps it). In each, a photo is uploaded, a real
``meldpunt worker`` claims its job and is killed with SIGKILL while it works (a
named pipe in place of the blob holds it), and then:

1. the attacker copies the database and the data directory and tries to open the
   file's data key with every worker key the copy yields;
2. a worker is started with the key beside the database and no permission;
3. a worker is restarted: the dead worker's job must be retried (or failed) within
   the bound, and the file must say so;
4. after the job window, no sealed job key may remain in the database.

The demo is expected to give the key away in point 1: it is the documented price
of a one-command demo. ``--real-bounds`` uses the production timings (a worker is
dead after 60 s of silence, recovery every 60 s); by default they are 3 s and 1 s.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WINDOW_SECONDS = 20  # the job window of these installations (production default: 3600)


def _run_mode(mode: str, real_bounds: bool) -> dict[str, str]:
    root = Path(tempfile.mkdtemp(prefix=f"meldpunt-attack-{mode}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDPUNT_")}
    env.pop("DATABASE_URL", None)
    env.update(
        MELDPUNT_DATA_DIR=str(root / "data"),
        MELDPUNT_KDF_OPSLIMIT="1",
        MELDPUNT_KDF_MEMLIMIT=str(8 * 1024),
        MELDPUNT_DERIVATIVE_JOB_SECONDS=str(WINDOW_SECONDS),
    )
    command = [sys.executable, __file__, "--child", mode, "--root", str(root)]
    if real_bounds:
        command.append("--real-bounds")
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        return {"set-up": f"BROKEN (the run failed)\n{finished.stdout}\n{finished.stderr}"}
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _child(mode: str, root: Path, real_bounds: bool) -> dict[str, str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ["DJANGO_SETTINGS_MODULE"] = "meldpunt.settings"
    import django

    django.setup()
    import io

    from django.utils import translation

    translation.activate("en")

    from django.conf import settings
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.db import connections
    from django.test import override_settings

    from meldpunt.evidence.derivatives import _key_from_secret
    from meldpunt.evidence.models import DerivativeJob, DerivativeStatus, EvidenceFile
    from meldpunt.evidence.services import evidence_prepare, evidence_store
    from meldpunt.evidence.tests import corpus
    from meldpunt.testing import make_line, make_staff
    from meldpunt.vault import crypto
    from meldpunt.vault.keys import data_key_create
    from meldpunt.workers import testing

    call_command("migrate", verbosity=0)
    database_url = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    worker_env = {"MELDPUNT_WORKER_KEY_IN_DATA_DIR": "1"}
    if mode == "production":
        key_file = root / "credentials" / "worker-key"  # e.g. systemd's $CREDENTIALS_DIRECTORY
        key_file.parent.mkdir(mode=0o700)
        call_command("worker_key", "move", "--out", str(key_file), stdout=io.StringIO())
        worker_env = {"MELDPUNT_WORKER_KEY_FILE": str(key_file)}
    if real_bounds:
        worker_env |= {
            "MELDPUNT_WORKER_HEARTBEAT_SECONDS": "10",
            "MELDPUNT_WORKER_DEAD_SECONDS": "60",
            "MELDPUNT_WORKER_RECOVERY_SECONDS": "60",
        }
    line = make_line()
    make_staff(lines=[line])

    def upload() -> EvidenceFile:
        """A reporter uploads a photo; its job waits in the database queue."""
        key_bytes = crypto.new_data_key()
        data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[])
        prepared = evidence_prepare(
            source=io.BytesIO(corpus.jpeg(size=(600, 400))), name="foto.jpg", max_bytes=10**7
        )
        with override_settings(TASKS=testing.DB_TASKS):
            stored = evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)
        prepared.discard()
        return stored

    evidence = upload()

    # A worker takes the job and is killed while it works.
    blob = Path(storages["blobs"].path(evidence.blob_name))
    held = blob.with_name(blob.name + ".held")
    blob.rename(held)
    os.mkfifo(blob)
    doomed = testing.worker_start(
        database_url=database_url, folder=root, worker_id="doomed", env=worker_env
    )
    testing.wait_until(
        lambda: DerivativeJob.objects.filter(claimed_at__isnull=False).exists(),
        seconds=120,
        what="the worker claimed the job",
    )
    time.sleep(0.5)
    doomed.kill()
    killed_at = time.monotonic()
    blob.unlink()
    held.rename(blob)
    results = {}

    # 1. The attacker copies the database and the data directory after the crash.
    stolen = root / "stolen"
    # Reading the database file in this process would drop this process's POSIX
    # locks on it (SQLite's well-known pitfall): close our connection first.
    connections.close_all()
    shutil.copytree(settings.DATA_DIR, stolen)
    sealed = [bytes(job.sealed_key) for job in DerivativeJob.objects.all()]
    candidates = []
    for path in stolen.rglob("*.secret"):
        try:
            candidates.append(_key_from_secret(path.read_text().strip()))
        except ValueError:
            continue
    opened = 0
    for box in sealed:
        for key in candidates:
            try:
                crypto.unseal(key, box)
            except crypto.DecryptionError:
                continue
            opened += 1
            break
    results["copy of database + data directory opens a job key"] = (
        f"BROKEN ({opened} of {len(sealed)} sealed job keys opened)"
        if opened
        else f"held (0 of {len(sealed)} sealed job keys opened, {len(candidates)} keys tried)"
    )

    # 2. A worker with its key beside the database and no permission must not start.
    refused = testing.worker_start(database_url=database_url, folder=root, worker_id="unsafe")
    code = refused.process.wait(timeout=120)
    results["worker refuses a key beside the database"] = (
        "held (exit code 1)" if code != 0 else "BROKEN (it started)"
    )

    # 3. Restart: the dead worker's job is retried or failed within the bound.
    bound = 2 * 60 + 60 if real_bounds else 3 + 1 + 60
    restarted = testing.worker_start(
        database_url=database_url, folder=root, worker_id="restarted", env=worker_env
    )

    def ended() -> str:
        status = EvidenceFile.objects.get(pk=evidence.pk).derivative_status
        return status if status not in (DerivativeStatus.PENDING,) else ""

    try:
        testing.wait_until(ended, seconds=bound, what="the file left 'pending'")
        label = EvidenceFile.objects.get(pk=evidence.pk).get_derivative_status_display()
        results["job of a killed worker retried or failed in time"] = (
            f"held ({time.monotonic() - killed_at:.1f} s, bound {bound} s, file: {label})"
        )
    except AssertionError:
        results["job of a killed worker retried or failed in time"] = (
            f"BROKEN (still pending after {bound} s)"
        )

    # 4. A file uploaded while no worker runs: its key must not outlive the window.
    restarted.kill()
    waiting = upload()
    time.sleep(WINDOW_SECONDS + 1)
    unprocessed = DerivativeJob.objects.filter(evidence=waiting).count()
    last = testing.worker_start(
        database_url=database_url, folder=root, worker_id="last", env=worker_env
    )
    try:
        testing.wait_until(
            lambda: not DerivativeJob.objects.exists(), seconds=120, what="the job expired"
        )
        label = EvidenceFile.objects.get(pk=waiting.pk).get_derivative_status_display()
        results["no sealed job key older than the window"] = (
            f"held ({unprocessed} left while no worker ran and nothing was uploaded; "
            f"destroyed when a worker started; file: {label})"
        )
    except AssertionError:
        results["no sealed job key older than the window"] = "BROKEN (a job outlived it)"
    last.stop()
    shutil.rmtree(root, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real-bounds", action="store_true")
    parser.add_argument("--child", choices=["production", "demo"])
    parser.add_argument("--root", type=Path)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(_child(arguments.child, arguments.root, arguments.real_bounds)))
        return
    for mode in ("production", "demo"):
        print(f"{mode}:")
        for point, outcome in _run_mode(mode, arguments.real_bounds).items():
            print(f"  {point}: {outcome}")
    print("(the demo keeps its worker key in the data directory by design: docs/security.md)")


if __name__ == "__main__":
    main()
