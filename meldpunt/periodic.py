"""Periodic background tasks on django.tasks, which has no scheduler of its own.

A periodic task queues its own next run (``run_after``) when it finishes; the
chain is started once (by ``meldpunt demo``, or a management command). Before
queueing, the queue is checked for a run already waiting, so chains never
multiply, and the tasks themselves are idempotent, so an extra run does no harm.
"""

import logging
from datetime import datetime

from django.tasks import Task, TaskResultStatus

logger = logging.getLogger(__name__)


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
