"""Periodic background tasks on django.tasks, which has no scheduler of its own.

A periodic task queues its own next run (``run_after``) when it finishes; the
chain is started once (``periodic_schedule_all``, called by ``meldpunt demo``,
or an app's own management command). Before
queueing, the queue is checked for a run already waiting, so chains never
multiply, and the tasks themselves are idempotent, so an extra run does no harm.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.tasks import Task, TaskResultStatus

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
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def periodic_schedule(task: Task, *, run_after: datetime) -> datetime | None:
    """Queue the task's next run; None when the backend cannot defer or a run is queued."""
    if not task.get_backend().supports_defer:
        logger.warning("The task backend cannot defer %s; run it from cron.", task.name)
        return None
    if periodic_is_queued(task):
        return None
    task.using(run_after=run_after).enqueue()
    return run_after
