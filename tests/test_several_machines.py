"""Two web machines and two workers on one database, as docs/operations.md sets them up.

Each process has a data directory of its own (as separate machines would) and
shares only what the operator gives every machine: the database, the blob
folder, MELDPUNT_SECRETS_DIR (``meldpunt secrets export``) and, for workers, the
worker key. Reports go in through both web servers (waitress, as in production)
and every report, file job, notification and periodic run must happen once.
"""

import concurrent.futures
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from meldpunt.cases.models import NotificationWatermark, StaffNotification
from meldpunt.cases.tasks import send_staff_notifications
from meldpunt.evidence.models import DerivativeJob, EvidenceFile, EvidencePreview
from meldpunt.intake.models import Report
from meldpunt.intake.services import report_content
from meldpunt.testing import PASSWORD, make_category, make_staff
from meldpunt.vault.keys import data_key_open, staff_key_unlock
from meldpunt.vault.models import SharedFileFingerprint
from meldpunt.workers.testing import DB_TASKS, wait_until, worker_start
from tests.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

START_SECONDS = 90
REPORTS_PER_MACHINE = 3
MELDPUNT = str(Path(sys.executable).parent / "meldpunt")


def _machine_env(database_url: str, root: Path, name: str, **more: str) -> dict[str, str]:
    """An operator's environment for one machine: none of the suite's shortcuts."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MELDPUNT_")
        and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DATABASE_URL=database_url,
        MELDPUNT_DATA_DIR=str(root / name),
        MELDPUNT_BLOB_DIR=str(root / "shared-blobs"),
        MELDPUNT_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        MELDPUNT_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        # The suite's cheap receipt derivation (the first machine fixes it in receipt-kdf.json).
        MELDPUNT_KDF_OPSLIMIT=os.environ["MELDPUNT_KDF_OPSLIMIT"],
        MELDPUNT_KDF_MEMLIMIT=os.environ["MELDPUNT_KDF_MEMLIMIT"],
        **more,
    )
    return env


def _meldpunt(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own console script
        [MELDPUNT, *arguments], env=env, capture_output=True, text=True, timeout=120
    )


def _first_machine(database_url: str, root: Path) -> tuple[Path, Path]:
    """What the operator does once: move the worker key out, export the shared files."""
    env = _machine_env(database_url, root, "first")
    key = root / "worker.key"
    moved = _meldpunt(env, "worker_key", "move", "--out", str(key))
    assert moved.returncode == 0, moved.stderr
    exported = _meldpunt(env, "secrets", "export", str(root / "secrets"))
    assert exported.returncode == 0, exported.stderr
    return root / "secrets", key


@contextlib.contextmanager
def _web_machine(env: dict[str, str], log: Path):
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - waitress from our own environment
            [
                str(Path(sys.executable).parent / "waitress-serve"),
                f"--listen=127.0.0.1:{port}",
                "meldpunt.wsgi:application",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"not serving:\n{log.read_text()}"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=30)


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 40 % 256, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def _submit(base: str, path: str, seed: int) -> dict:
    boundary = f"b{seed}x{os.getpid()}"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="what"\r\n\r\n'
            f"Melding {seed} via {base}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="files"; filename="f{seed}.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + _jpeg(seed)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - our own server
        base + path,
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        assert response.status == 201
        return json.loads(response.read())


def _mailbox_opens(base: str, receipt: str) -> bool:
    request = urllib.request.Request(  # noqa: S310 - our own server
        base + "/api/v1/mailbox/session",
        data=json.dumps({"receipt": receipt}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status == 201
    except urllib.error.HTTPError:
        return False


def _ready_periodic_runs() -> Counter:
    return Counter(
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list(
            "task_path", flat=True
        )
    )


def test_two_web_machines_and_two_workers_do_everything_once(database_url, tmp_path, workers):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    analyst.email = "analist@example.org"
    analyst.save()
    NotificationWatermark.objects.create(pk=1)  # news from now on is mailed
    secrets_dir, worker_key = _first_machine(database_url, tmp_path)

    shared = {"MELDPUNT_SECRETS_DIR": str(secrets_dir)}
    for number in (1, 2):
        env = _machine_env(database_url, tmp_path, f"worker{number}", **shared)
        env.update(MELDPUNT_WORKER_KEY_FILE=str(worker_key))
        workers.append(
            worker_start(
                database_url=database_url, folder=tmp_path, worker_id=f"w{number}", env=env
            )
        )
    web_envs = [_machine_env(database_url, tmp_path, f"web{n}", **shared) for n in (1, 2)]
    # Both web machines start every periodic chain at the same moment.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for done in pool.map(lambda env: _meldpunt(env, "schedule"), web_envs):
            assert done.returncode == 0, done.stderr
    with (
        _web_machine(web_envs[0], tmp_path / "web1.log") as web1,
        _web_machine(web_envs[1], tmp_path / "web2.log") as web2,
    ):
        path = f"/api/v1/lines/{category.line.slug}/categories/{category.slug}/reports"
        jobs = [(web1 if n % 2 else web2, n) for n in range(2 * REPORTS_PER_MACHINE)]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda job: _submit(job[0], path, job[1]), jobs))
        receipts = [answer["receipt"] for answer in answers]
        # A receipt made on one machine opens the mailbox on the other.
        for (base, _seed), receipt in zip(jobs, receipts, strict=True):
            other = web2 if base == web1 else web1
            assert _mailbox_opens(other, receipt), f"{receipt} from {base} not open on {other}"

    submitted = 2 * REPORTS_PER_MACHINE
    assert Report.objects.count() == submitted and len(set(receipts)) == submitted
    private_key = staff_key_unlock(user=analyst, password=PASSWORD)
    texts = sorted(
        report_content(
            report=report,
            key_bytes=data_key_open(
                data_key=report.data_key, private_key=private_key, user=analyst
            ),
        )["answers"]["what"]
        for report in Report.objects.all()
    )
    assert len(set(texts)) == submitted

    def files_done() -> bool:
        return not EvidenceFile.objects.exclude(derivative_status="done").exists()

    wait_until(
        files_done,
        seconds=START_SECONDS,
        what="previews of every file\n" + "\n".join(w.output() for w in workers),
    )
    assert EvidenceFile.objects.count() == submitted
    assert not DerivativeJob.objects.exists()
    assert EvidencePreview.objects.count() == submitted  # one per file, none made twice

    # Each chain waits once, whatever started it (two schedules, two worker starts).
    ready = _ready_periodic_runs()
    assert ready[send_staff_notifications.module_path] == 1, ready
    assert len(ready) >= 5 and set(ready.values()) == {1}, ready

    # Both workers run the notification round at once, twice: one notification, one mail.
    from django.test import override_settings

    with override_settings(TASKS=DB_TASKS):
        rounds = [send_staff_notifications.enqueue() for _ in range(2)]
    wait_until(
        lambda: all(
            DBTaskResult.objects.get(pk=r.id).status == TaskResultStatus.SUCCESSFUL for r in rounds
        ),
        seconds=START_SECONDS,
        what="the notification rounds ran",
    )
    assert StaffNotification.objects.filter(user=analyst).count() == 1
    StaffNotification.objects.update(next_attempt_at=timezone.now())
    with override_settings(TASKS=DB_TASKS):
        rounds = [send_staff_notifications.enqueue() for _ in range(2)]
    wait_until(
        lambda: StaffNotification.objects.filter(sent_at__isnull=False).exists(),
        seconds=START_SECONDS,
        what="the notification was sent",
    )
    wait_until(
        lambda: all(
            DBTaskResult.objects.get(pk=r.id).status == TaskResultStatus.SUCCESSFUL for r in rounds
        ),
        seconds=START_SECONDS,
        what="the second rounds ran",
    )
    mails = sum(w.output().count("To: analist@example.org") for w in workers)
    assert mails == 1


def test_a_machine_with_other_secrets_refuses_to_start(database_url, tmp_path):
    secrets_dir, key = _first_machine(database_url, tmp_path)
    right = _machine_env(
        database_url,
        tmp_path,
        "worker1",
        MELDPUNT_SECRETS_DIR=str(secrets_dir),
        MELDPUNT_WORKER_KEY_FILE=str(key),
    )
    started = _meldpunt(right, "worker", "--batch", "--no-startup-delay")
    assert started.returncode == 0, started.stderr
    # It recorded the files at its start; the second with the same copy runs too.
    assert SharedFileFingerprint.objects.filter(name="receipt-salt.secret").exists()
    again = _meldpunt(
        {**right, "MELDPUNT_DATA_DIR": str(tmp_path / "worker2")},
        "worker",
        "--batch",
        "--no-startup-delay",
    )
    assert again.returncode == 0, again.stderr

    own = _machine_env(database_url, tmp_path, "stranger")  # its own data directory
    refused = _meldpunt(own, "worker", "--batch", "--no-startup-delay")
    assert refused.returncode != 0
    assert "differ from the installation's" in refused.stderr
    assert "receipt-salt.secret" in refused.stderr
    # It made secrets of its own in its data directory, but derived nothing with them.
    assert not Report.objects.exists()


def test_a_machine_without_a_shared_file_names_it_and_refuses_to_start(database_url, tmp_path):
    secrets_dir, _key = _first_machine(database_url, tmp_path)
    (secrets_dir / "receipt-tag-key.secret").unlink()
    env = _machine_env(database_url, tmp_path, "web1", MELDPUNT_SECRETS_DIR=str(secrets_dir))
    refused = _meldpunt(env, "worker", "--batch", "--no-startup-delay")
    assert refused.returncode != 0
    assert "receipt-tag-key.secret is not in MELDPUNT_SECRETS_DIR" in refused.stderr
    assert not (tmp_path / "web1" / "receipt-tag-key.secret").exists()
