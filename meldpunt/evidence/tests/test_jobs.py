"""Derivative jobs: the sealed key for the worker never outlives the job or its window,
a job whose worker died is retried or failed and the file page says which, and a
copy of the database and data directory of an installation opens no job key.

The kill tests run real ``meldpunt worker`` processes on the test's database
(SQLite file or PostgreSQL). The worker is held mid-job by a named pipe in place
of the file's blob, as a hung disk would hold it, and killed with SIGKILL.
"""

import contextlib
import io
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.test import Client, override_settings
from django.utils import timezone

from meldpunt.evidence import derivatives
from meldpunt.evidence.derivatives import derivative_jobs_expire, worker_private_key
from meldpunt.evidence.models import DerivativeJob, DerivativeStatus, EvidenceFile
from meldpunt.evidence.services import evidence_prepare, evidence_store
from meldpunt.evidence.tests import corpus
from meldpunt.testing import make_line, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import AuditEvent
from meldpunt.workers.models import WorkerHeartbeat
from meldpunt.workers.recovery import tasks_recover
from meldpunt.workers.testing import DB_TASKS, wait_until, worker_start

START_SECONDS = 90
RETRIED = "retried: the worker stopped while making them, another try waits"
STOPPED = "failed: the worker stopped while making them"
EXPIRED = "failed: no worker made them in time"


def _upload(*, analyst=None):
    """A photo of a report whose line has ``analyst``; its job waits in the database queue."""
    line = make_line()
    analyst = analyst or make_staff(lines=[line])
    key_bytes = crypto.new_data_key()
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=[analyst])
    prepared = evidence_prepare(
        source=io.BytesIO(corpus.jpeg(size=(600, 400))), name="foto.jpg", max_bytes=10**7
    )
    try:
        with override_settings(TASKS=DB_TASKS):
            evidence = evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)
    finally:
        prepared.discard()
    return evidence, analyst, key_bytes


def _page(client: Client, evidence: EvidenceFile) -> str:
    return client.get(f"/staff/evidence/{evidence.pk}/").content.decode()


def _hold_blob(evidence: EvidenceFile) -> Path:
    """Put a named pipe where the file's blob is: a worker opening it waits until killed."""
    path = Path(storages["blobs"].path(evidence.blob_name))
    held = path.with_name(path.name + ".held")
    path.rename(held)
    os.mkfifo(path)
    return held


def _release_blob(evidence: EvidenceFile, held: Path) -> None:
    path = Path(storages["blobs"].path(evidence.blob_name))
    path.unlink()
    held.rename(path)


@pytest.fixture(autouse=True)
def _no_blob_left_held():
    """Put back every blob a test held, also when the test failed before releasing it.

    The data directory lives as long as the test process: a named pipe left in
    the blob store would make a later test that reads every blob (the intake's
    "nothing kept" checks) wait on it until the time-out kills the process.
    """
    yield
    for held in Path(storages["blobs"].location).rglob("*.held"):
        pipe = held.with_name(held.name.removesuffix(".held"))
        pipe.unlink(missing_ok=True)
        held.rename(pipe)


def _status(evidence: EvidenceFile) -> str:
    evidence.refresh_from_db()
    return evidence.derivative_status


def _kill_mid_job(evidence, *, database_url, folder, workers, env=None):
    """Start a worker, let it claim the file's job, hold it on the blob and kill it."""
    held = _hold_blob(evidence)
    worker = worker_start(database_url=database_url, folder=folder, worker_id="doomed", env=env)
    workers.append(worker)
    wait_until(
        lambda: DerivativeJob.objects.filter(evidence=evidence, claimed_at__isnull=False).exists(),
        seconds=START_SECONDS,
        what=f"the worker claimed the job\n{worker.output()}",
    )
    time.sleep(0.5)  # and is opening the blob
    worker.kill()
    return held


def test_killed_worker_leaves_the_file_retried_then_the_next_worker_makes_it(
    database_url, tmp_path, workers, settings
):
    evidence, analyst, _key = _upload()
    held = _kill_mid_job(evidence, database_url=database_url, folder=tmp_path, workers=workers)
    assert _status(evidence) == DerivativeStatus.PENDING  # what a killed worker leaves

    settings.WORKER_DEAD_SECONDS = 3  # as the workers of this test
    recovery = wait_until(
        lambda: tasks_recover().retried, seconds=30, what="the dead worker's task retried"
    )
    assert recovery == 1
    assert _status(evidence) == DerivativeStatus.RETRYING
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, analyst)
    assert f"Previews: {RETRIED}" in _page(client, evidence)
    assert 'id="derivatives-request"' not in _page(client, evidence)  # a try waits already

    _release_blob(evidence, held)
    workers.append(worker_start(database_url=database_url, folder=tmp_path, worker_id="next"))
    wait_until(
        lambda: _status(evidence) == DerivativeStatus.DONE,
        seconds=START_SECONDS,
        what="the next worker made the thumbnail",
    )
    assert not DerivativeJob.objects.exists()
    assert 'id="preview"' in _page(client, evidence)


def test_killed_worker_on_the_last_attempt_fails_the_file_and_a_key_holder_asks_again(
    database_url, tmp_path, workers
):
    evidence, analyst, _key = _upload()
    once = {"MELDPUNT_TASK_ATTEMPTS": "1"}
    held = _kill_mid_job(
        evidence, database_url=database_url, folder=tmp_path, workers=workers, env=once
    )
    _release_blob(evidence, held)
    workers.append(
        worker_start(database_url=database_url, folder=tmp_path, worker_id="next", env=once)
    )
    wait_until(
        lambda: _status(evidence) == DerivativeStatus.WORKER_STOPPED,
        seconds=START_SECONDS,
        what="the file was failed",
    )
    assert not DerivativeJob.objects.exists()  # the sealed key went with the job

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, analyst)
    page = _page(client, evidence)
    assert f"Previews: {STOPPED}" in page and 'id="derivatives-request"' in page
    with override_settings(TASKS=DB_TASKS):
        client.post(f"/staff/evidence/{evidence.pk}/derivatives/")
    assert AuditEvent.objects.filter(
        action="evidence.derivatives_request", actor=analyst, target_id=str(evidence.pk)
    ).exists()
    wait_until(
        lambda: _status(evidence) == DerivativeStatus.DONE,
        seconds=START_SECONDS,
        what="the running worker made the thumbnail with the analyst's new job",
    )
    assert not DerivativeJob.objects.exists()


def test_after_a_crash_the_restarted_worker_leaves_no_job_key_older_than_the_window(
    database_url, tmp_path, workers
):
    evidence, _analyst, _key = _upload()
    held = _kill_mid_job(evidence, database_url=database_url, folder=tmp_path, workers=workers)
    _release_blob(evidence, held)
    window = 2
    time.sleep(window + 1)
    short = {"MELDPUNT_DERIVATIVE_JOB_SECONDS": str(window)}
    workers.append(
        worker_start(database_url=database_url, folder=tmp_path, worker_id="next", env=short)
    )
    wait_until(
        lambda: not DerivativeJob.objects.exists(),
        seconds=START_SECONDS,
        what="the expired job was destroyed at start",
    )
    assert _status(evidence) == DerivativeStatus.EXPIRED
    time.sleep(5)  # the dead worker's task is recovered meanwhile: it finds no key to use
    assert _status(evidence) == DerivativeStatus.EXPIRED
    assert not DerivativeJob.objects.exists()


@pytest.mark.django_db
def test_jobs_older_than_the_window_are_destroyed_even_with_no_worker(settings):
    old, analyst, _key = _upload()
    DerivativeJob.objects.filter(evidence=old).update(
        created_at=timezone.now() - timedelta(seconds=settings.EVIDENCE_DERIVATIVE_JOB_SECONDS + 1)
    )
    fresh, _other, _key = _upload()  # the web process sweeps when it makes a job
    assert list(DerivativeJob.objects.values_list("evidence_id", flat=True)) == [fresh.pk]
    assert _status(old) == DerivativeStatus.EXPIRED
    assert _status(fresh) == DerivativeStatus.PENDING
    assert derivative_jobs_expire() == 0

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, analyst)
    assert f"Previews: {EXPIRED}" in _page(client, old)
    with override_settings(TASKS=DB_TASKS):
        client.post(f"/staff/evidence/{old.pk}/derivatives/")
    assert _status(old) == DerivativeStatus.PENDING
    assert DerivativeJob.objects.filter(evidence=old).exists()
    assert AuditEvent.objects.filter(action="evidence.derivatives_request").count() == 1


@pytest.mark.django_db
def test_asking_again_is_refused_while_previews_wait_or_exist(client):
    evidence, analyst, _key = _upload()
    sign_in(client, analyst)
    with override_settings(TASKS=DB_TASKS):
        client.post(f"/staff/evidence/{evidence.pk}/derivatives/")
    assert DerivativeJob.objects.count() == 1  # no second job, no error
    assert not AuditEvent.objects.filter(action="evidence.derivatives_request").exists()


@pytest.mark.django_db
def test_unexpected_error_in_the_work_still_destroys_the_job_key(monkeypatch):
    from meldpunt.evidence import tasks

    evidence, _analyst, _key = _upload()

    def broken(*, image):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tasks, "image_thumbnail_make", broken)
    with pytest.raises(RuntimeError):
        tasks.evidence_derivatives_make.call(evidence.pk)
    assert not DerivativeJob.objects.exists()
    assert _status(evidence) == DerivativeStatus.FAILED


@pytest.mark.django_db
def test_worker_refuses_to_start_with_its_key_beside_the_database(settings):
    settings.EVIDENCE_WORKER_KEY_IN_DATA_DIR = False
    settings.TASKS = DB_TASKS
    with pytest.raises(CommandError, match="MELDPUNT_WORKER_KEY_FILE"):
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    assert not WorkerHeartbeat.objects.exists()


def _attacker_keys(copied_data_dir: Path) -> list:
    """Every worker key the copied data directory yields, the way the code derives it."""
    keys = []
    for path in copied_data_dir.rglob("*.secret"):
        try:
            keys.append(derivatives._key_from_secret(path.read_text().strip()))
        except ValueError:
            continue
    return keys


def _opens(keys: list, sealed: bytes) -> bool:
    for key in keys:
        try:
            crypto.unseal(key, sealed)
        except crypto.DecryptionError:
            continue
        return True
    return False


@pytest.mark.django_db
def test_copy_of_database_and_data_directory_opens_no_job_key_once_the_key_is_moved_out(
    settings, monkeypatch, tmp_path
):
    data = tmp_path / "data"
    monkeypatch.setenv("MELDPUNT_DATA_DIR", str(data))
    settings.EVIDENCE_WORKER_KEY_IN_DATA_DIR = True  # as the demo, before the move
    evidence, _analyst, key_bytes = _upload()
    sealed_before = bytes(DerivativeJob.objects.get(evidence=evidence).sealed_key)
    copy = tmp_path / "stolen-before"
    shutil.copytree(data, copy)
    assert _opens(_attacker_keys(copy), sealed_before)  # the demo's risk, documented

    outside = tmp_path / "credentials" / "worker-key"
    outside.parent.mkdir()
    call_command("worker_key", "move", "--out", str(outside), "--new")
    settings.EVIDENCE_WORKER_KEY_IN_DATA_DIR = False
    settings.EVIDENCE_WORKER_KEY_FILE = str(outside)
    DerivativeJob.objects.all().delete()
    second, _analyst, second_key = _upload()
    sealed = bytes(DerivativeJob.objects.get(evidence=second).sealed_key)
    stolen = tmp_path / "stolen-after"
    shutil.copytree(data, stolen)
    assert not _opens(_attacker_keys(stolen), sealed)
    assert not list(stolen.rglob("evidence-worker.secret"))
    assert crypto.unseal(worker_private_key(), sealed) == second_key  # the worker still can


def test_key_cannot_be_moved_into_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("MELDPUNT_DATA_DIR", str(tmp_path))
    with pytest.raises(CommandError, match="inside the data directory"):
        call_command("worker_key", "move", "--out", str(tmp_path / "sub" / "key"))


def test_worker_key_file_that_does_not_match_the_published_key_is_refused(
    settings, monkeypatch, tmp_path
):
    monkeypatch.setenv("MELDPUNT_DATA_DIR", str(tmp_path / "data"))
    call_command("worker_key", "move", "--out", str(tmp_path / "key"))
    (tmp_path / "other").write_text("ab" * 32)
    settings.EVIDENCE_WORKER_KEY_FILE = str(tmp_path / "other")
    with pytest.raises(ImproperlyConfigured, match="does not belong"):
        worker_private_key()


@pytest.mark.django_db
def test_a_blob_store_out_of_reach_keeps_the_job_for_a_later_try_that_makes_the_preview():
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from meldpunt.evidence import tasks

    evidence, _analyst, _key = _upload()
    uploads = list(DBTaskResult.objects.values_list("pk", flat=True))  # the upload's own task
    store = Path(storages["blobs"].location)
    aside = store.with_name(store.name + ".aside")
    store.rename(aside)
    store.write_text("a file where the store's folder was: every read and write fails")
    try:
        with override_settings(TASKS=DB_TASKS):
            answer = tasks.evidence_derivatives_make.call(evidence.pk)
    finally:
        store.unlink()
        aside.rename(store)
    assert answer == "blob store unavailable, tried again later"
    assert _status(evidence) == DerivativeStatus.RETRYING  # not failed: not the file's fault
    assert DerivativeJob.objects.get(evidence=evidence).claimed_at is None  # key kept, free
    later = DBTaskResult.objects.exclude(pk__in=uploads).get(
        task_path=tasks.evidence_derivatives_make.module_path, status=TaskResultStatus.READY
    )
    assert later.args_kwargs["args"] == [evidence.pk]
    assert later.run_after >= timezone.now() + tasks.store_retry() - timedelta(seconds=5)

    assert tasks.evidence_derivatives_make.call(evidence.pk) == DerivativeStatus.DONE
    assert evidence.previews.count() == 1
    assert not DerivativeJob.objects.exists()


@contextlib.contextmanager
def _task_queue_refusing():
    """The database refuses every new task row, as a database stopping between two writes would.

    A real failure of the insert (a trigger), on SQLite and PostgreSQL alike, at
    exactly the write that queues the task.
    """
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_task() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the task queue is out of reach'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_task BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_task()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_task BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the task queue is out of reach'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_task ON {table}")
                cursor.execute("DROP FUNCTION refuse_task()")
            else:
                cursor.execute("DROP TRIGGER refuse_task")


def _queued(evidence: EvidenceFile) -> list:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from meldpunt.evidence import tasks

    return [
        row
        for row in DBTaskResult.objects.filter(
            task_path=tasks.evidence_derivatives_make.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        if row.args_kwargs["args"] == [evidence.pk]
    ]


@pytest.mark.django_db(transaction=True)  # real commits, as a request's
def test_an_upload_whose_task_cannot_be_queued_leaves_no_job_waiting_for_ever():
    # A load run with faults once left a file "waiting for the worker" for ever:
    # its job was committed, then queueing its task (after the commit) failed.
    # Job and task are now written in one transaction: both or neither.
    with override_settings(TASKS=DB_TASKS), _task_queue_refusing():
        with pytest.raises(DatabaseError, match="out of reach"):
            _upload()
    assert not DerivativeJob.objects.exists()
    assert not EvidenceFile.objects.exists()  # not acknowledged, not kept

    with override_settings(TASKS=DB_TASKS):
        evidence, _analyst, _key = _upload()
    assert DerivativeJob.objects.filter(evidence=evidence).exists()
    assert len(_queued(evidence)) == 1


@pytest.mark.django_db
def test_a_job_given_back_whose_later_try_cannot_be_queued_is_queued_again_by_the_sweep():
    from meldpunt.evidence import tasks

    evidence, _analyst, _key = _upload()
    store = Path(storages["blobs"].location)
    aside = store.with_name(store.name + ".aside")
    store.rename(aside)
    store.write_text("a file where the store's folder was: every read and write fails")
    try:
        with override_settings(TASKS=DB_TASKS), _task_queue_refusing():
            with pytest.raises(DatabaseError, match="out of reach"):
                tasks.evidence_derivatives_make.call(evidence.pk)
    finally:
        store.unlink()
        aside.rename(store)
    # Not given back without a later try: still claimed, as by a worker that failed.
    assert DerivativeJob.objects.get(evidence=evidence).claimed_at is not None
    assert _status(evidence) == DerivativeStatus.PENDING
    for row in _queued(evidence):  # the upload's own task has run (claimed the job)
        row.set_successful("blob store unavailable")

    with override_settings(TASKS=DB_TASKS):
        assert tasks.derivative_jobs_requeue() == 1
        assert tasks.derivative_jobs_requeue() == 0  # it has its task now
    assert len(_queued(evidence)) == 1
    assert _status(evidence) == DerivativeStatus.RETRYING
    assert DerivativeJob.objects.get(evidence=evidence).claimed_at is None
    assert tasks.evidence_derivatives_make.call(evidence.pk) == DerivativeStatus.DONE
    assert evidence.previews.count() == 1
    assert not DerivativeJob.objects.exists()


@pytest.mark.django_db
def test_the_sweep_queues_a_job_left_without_a_task_once_and_leaves_queued_ones_alone():
    from meldpunt.evidence import tasks
    from meldpunt.workers.recovery import workers_sweep

    orphan, _analyst, _key = _upload()
    queued, _other, _key = _upload()
    for row in _queued(orphan):
        row.delete()  # as an earlier version could leave it: the job, no task
    with override_settings(TASKS=DB_TASKS):
        workers_sweep()  # what every worker runs at start and every minute
        assert tasks.derivative_jobs_requeue() == 0
    assert len(_queued(orphan)) == 1 and len(_queued(queued)) == 1
    assert _status(orphan) == DerivativeStatus.PENDING  # never claimed: still just waiting
    assert tasks.evidence_derivatives_make.call(orphan.pk) == DerivativeStatus.DONE
