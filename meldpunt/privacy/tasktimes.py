"""Task rows that keep no time finer than the hour.

A task queued because a reporter sent something (making a file's thumbnail,
checking a reported address) would otherwise pin that moment to the
millisecond in ``django_tasks_db``: ``enqueued_at`` when it was queued, and
``started_at`` and ``finished_at`` seconds later, when a worker ran it. Every
task row is written with these times rounded down to the hour, whoever caused
it; the order within an hour is by priority and the row's place in the table.
``run_after`` is kept as asked: the reporter-caused task that waits (the first
check of an address) waits a random time counted from the report's hour.

Finished rows are deleted by the hourly clean-up (``meldpunt.privacy.tasks``).
"""

from typing import Any

from django.tasks import Task
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from meldpunt.privacy.hours import hour_floor
from meldpunt.privacy.logging import reporter_task_paths, running_reporter_task


def reporter_task_register(task: Task) -> None:
    """Mark a task as caused by reporters: nothing is logged by or about its runs."""
    reporter_task_paths.add(task.module_path)


class HourlyDatabaseBackend(DatabaseBackend):
    """django_tasks_db's backend, writing ``enqueued_at`` to the hour.

    The model sets ``enqueued_at`` itself (``auto_now_add``) while saving, so the
    row is built here and inserted as given (``raw``): the exact time is never
    written, not even for an instant.
    """

    def _task_to_db_task(self, task: Task, args: Any, kwargs: Any) -> DBTaskResult:
        result = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after or get_date_max(),
            backend_name=self.alias,
            enqueued_at=hour_floor(timezone.now()),
        )
        result.save_base(raw=True, force_insert=True)
        return result

    async def _atask_to_db_task(self, task: Task, args: Any, kwargs: Any) -> DBTaskResult:
        from asgiref.sync import sync_to_async

        return await sync_to_async(self._task_to_db_task)(task, args, kwargs)


def task_row_times_round(sender: type, instance: DBTaskResult, **kwargs: Any) -> None:
    """pre_save of every task row: the worker's start and finish times to the hour.

    The worker (django_tasks_db's ``db_worker``) sets them to the microsecond just
    before it saves; this runs between the two, so the exact times never reach
    the database.
    """
    for field in ("started_at", "finished_at"):
        moment = getattr(instance, field)
        if moment is not None:
            setattr(instance, field, hour_floor(moment))


def reporter_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    path = task_result.task.module_path
    running_reporter_task.set(path if path in reporter_task_paths else None)


def reporter_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    running_reporter_task.set(None)


def task_times_connect() -> None:
    """Connect the receivers above (PrivacyConfig.ready)."""
    from django.db.models.signals import pre_save

    pre_save.connect(task_row_times_round, sender=DBTaskResult, dispatch_uid="task-row-hours")
    task_started.connect(reporter_task_started, dispatch_uid="reporter-task-started")
    task_finished.connect(reporter_task_finished, dispatch_uid="reporter-task-finished")
