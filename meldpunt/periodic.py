"""Periodic background tasks on django.tasks, which has no scheduler of its own.

A periodic task queues its own next run (``run_after``) when it finishes; the
chain is started once (``periodic_schedule_all``, called by ``meldpunt demo``,
or an app's own management command). Before
queueing, the queue is checked for a run already waiting, under a lock that
several workers starting at once respect, so chains never multiply; the tasks
themselves are idempotent, so an extra run would do no harm.
"""

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.tasks import Task, TaskResultStatus
from django.utils import timezone

logger = logging.getLogger(__name__)

# Each app registers the function that starts its chain, from AppConfig.ready().
_chain_starters: list[Callable[[], datetime | None]] = []


def periodic_register(start: Callable[[], datetime | None]) -> None:
    """Have ``periodic_schedule_all`` start this chain (e.g. the daily purge)."""
    if start not in _chain_starters:
        _chain_starters.append(start)


def periodic_schedule_all() -> None:
    """Start every registered chain that is not already waiting in the queue."""
    for start in _chain_starters:
        start()


def periodic_is_queued(task: Task) -> bool:
    """Whether a future run of the task already waits in the database queue."""
    return _waiting_runs(task).exists()


def _waiting_runs(task: Task) -> QuerySet:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return DBTaskResult.objects.none()
    return DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)


def periodic_schedule(task: Task, *, run_after: datetime) -> datetime | None:
    """Queue the task's next run; None when the backend cannot defer or a run is queued."""
    if not task.get_backend().supports_defer:
        logger.warning("The task backend cannot defer %s; run it from cron.", task.name)
        return None
    with transaction.atomic():
        _chain_lock(task)
        if periodic_is_queued(task):
            return None
        task.using(run_after=run_after).enqueue()
    return run_after


def periodic_run_soon(task: Task) -> bool:
    """Have a worker run the task now; whether the backend can (a worker's queue).

    The chain's waiting run is brought forward rather than a second one queued
    beside it (after every deployment's ``migrate``), so chains never multiply.
    """
    if not task.get_backend().supports_defer:
        return False
    with transaction.atomic():
        _chain_lock(task)
        if not _waiting_runs(task).update(run_after=timezone.now()):
            task.enqueue()
    return True


def _chain_lock(task: Task) -> None:
    """Hold the right to queue the task's next run until the transaction ends.

    Several workers start a chain at once (each worker at start, on every machine);
    without the lock each sees none queued and queues one. PostgreSQL: an advisory
    lock per task. SQLite: its transactions hold the write lock from their start
    (settings: transaction_mode IMMEDIATE), which serialises them already.
    """
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(task.module_path.encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, signed=True)])
