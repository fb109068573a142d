"""Hourly clean-up of what would outlive its use and tell when reporters were active.

Expired sessions (Django never deletes them by itself) and finished task rows
are deleted every hour. Failed task rows are kept a week, with their traceback
and their times to the hour, because nothing is logged about reporter-caused
tasks (meldpunt.privacy.logging) and an operator needs to see why one failed.
"""

from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from meldpunt.periodic import periodic_schedule
from meldpunt.privacy.hours import HOUR, hour_floor, path_times_to_hour

FAILED_TASKS_KEPT = timedelta(days=7)


def data_folder_times_round(**kwargs: Any) -> None:
    """After each request and task: the times of the data and upload folders to the hour.

    Uploads are spooled in the upload folder and deleted when the request is
    closed; SQLite creates and removes its ``-wal`` file beside the database
    when the first connection opens and the last one closes. Each sets the
    folder's modification time to the microsecond.
    """
    path_times_to_hour(settings.DATA_DIR, settings.FILE_UPLOAD_TEMP_DIR)


def traces_clear(*, now: datetime | None = None) -> int:
    """Delete expired sessions and finished task rows; returns how many task rows."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    finished = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL) | (
        DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__lt=now - FAILED_TASKS_KEPT
        )
    )
    return finished.delete()[0]


@task()
def traces_clear_task() -> int:
    """The hourly run of ``traces_clear``; queues the next one."""
    deleted = traces_clear()
    traces_clear_schedule()
    return deleted


def traces_clear_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next run at the start of the next hour, unless one is waiting."""
    return periodic_schedule(traces_clear_task, run_after=hour_floor(now or timezone.now()) + HOUR)
