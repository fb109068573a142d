"""A task whose worker is killed (SIGKILL) mid-task is retried or failed within the bound.

Real worker processes on the test's database (SQLite file or PostgreSQL), a
task that blocks until released, ``kill -9``, and a second worker.
"""

import time
from datetime import timedelta

from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.workers.models import WorkerHeartbeat
from meldpunt.workers.recovery import Recovery, tasks_recover
from meldpunt.workers.testing import DB_TASKS, wait_until, worker_start
from meldpunt.workers.tests.blocking import wait_for_release

# Dead after 3 s of silence, recovery every second (FAST_RECOVERY), generous for
# a busy machine: the production bound is a minute of silence plus a minute.
RECOVERY_BOUND_SECONDS = 45
START_SECONDS = 90


def _status(result_id) -> str:
    return DBTaskResult.objects.get(pk=result_id).status


def _started(folder) -> list:
    return sorted(folder.glob("started-*"))


def test_task_of_a_killed_worker_is_run_again_by_another_worker(database_url, tmp_path, workers):
    with override_settings(TASKS=DB_TASKS):
        result = wait_for_release.enqueue(str(tmp_path))
    first = worker_start(database_url=database_url, folder=tmp_path, worker_id="first")
    workers.append(first)
    wait_until(lambda: _started(tmp_path), seconds=START_SECONDS, what="the task started")
    first.kill()
    killed_at = time.monotonic()
    assert _status(result.id) == TaskResultStatus.RUNNING  # what a killed worker leaves

    second = worker_start(database_url=database_url, folder=tmp_path, worker_id="second")
    workers.append(second)
    wait_until(
        lambda: len(_started(tmp_path)) == 2,
        seconds=START_SECONDS + RECOVERY_BOUND_SECONDS,
        what=f"the task ran again\n{second.output()}",
    )
    recovered_after = time.monotonic() - killed_at
    (tmp_path / "release").touch()
    wait_until(
        lambda: _status(result.id) == TaskResultStatus.SUCCESSFUL,
        seconds=30,
        what="the retried task finished",
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.worker_ids == ["first", "second"]
    assert row.return_value == second.process.pid
    assert recovered_after < START_SECONDS + RECOVERY_BOUND_SECONDS


def test_last_attempt_of_a_killed_worker_fails_when_it_restarts(database_url, tmp_path, workers):
    with override_settings(TASKS=DB_TASKS):
        result = wait_for_release.enqueue(str(tmp_path))
    once = {"MELDPUNT_TASK_ATTEMPTS": "1"}
    first = worker_start(database_url=database_url, folder=tmp_path, worker_id="w1", env=once)
    workers.append(first)
    wait_until(lambda: _started(tmp_path), seconds=START_SECONDS, what="the task started")
    first.kill()
    # The same worker comes back (systemd restarts it under its name): it cannot be
    # running anything yet, so it fails what it left at once.
    again = worker_start(database_url=database_url, folder=tmp_path, worker_id="w1", env=once)
    workers.append(again)
    wait_until(
        lambda: _status(result.id) == TaskResultStatus.FAILED,
        seconds=START_SECONDS,
        what=f"the task failed\n{again.output()}",
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.exception_class_path == "meldpunt.workers.recovery.WorkerStopped"
    assert "the worker stopped" in row.traceback
    assert len(_started(tmp_path)) == 1  # not run again


def test_task_of_a_killed_plain_db_worker_is_recovered_after_the_time_bound(
    database_url, tmp_path, workers, settings
):
    """django_tasks_db's own worker records no heartbeat: only the time bound can tell."""
    with override_settings(TASKS=DB_TASKS):
        result = wait_for_release.enqueue(str(tmp_path))
    plain = worker_start(
        database_url=database_url, folder=tmp_path, worker_id="plain", command="db_worker"
    )
    workers.append(plain)
    wait_until(lambda: _started(tmp_path), seconds=START_SECONDS, what="the task started")
    plain.kill()
    assert not WorkerHeartbeat.objects.filter(worker_id="plain").exists()
    settings.TASK_MAX_SECONDS = 600
    assert tasks_recover().retried == 0  # it may still be working, for all we know
    # Its start is stored to the hour, so the bound counts from the hour after it.
    assert tasks_recover(now=timezone.now() + timedelta(seconds=601)).retried == 0
    later = timezone.now() + timedelta(hours=1, seconds=601)
    assert tasks_recover(now=later).retried == 1
    assert _status(result.id) == TaskResultStatus.READY


def test_task_of_a_live_worker_is_left_alone(database_url, tmp_path, workers):
    with override_settings(TASKS=DB_TASKS):
        result = wait_for_release.enqueue(str(tmp_path))
    live = worker_start(database_url=database_url, folder=tmp_path, worker_id="live")
    workers.append(live)
    wait_until(lambda: _started(tmp_path), seconds=START_SECONDS, what="the task started")
    time.sleep(5)  # longer than WORKER_DEAD_SECONDS: the heartbeat keeps it alive
    assert tasks_recover() == Recovery(retried=0, failed=0)
    assert _status(result.id) == TaskResultStatus.RUNNING
    (tmp_path / "release").touch()
    wait_until(
        lambda: _status(result.id) == TaskResultStatus.SUCCESSFUL, seconds=30, what="finished"
    )
    assert DBTaskResult.objects.get(pk=result.id).worker_ids == ["live"]
