"""The periodic retention purge as a background task.

django.tasks has no scheduler of its own, so the task schedules its next run
itself (``run_after``) when the backend supports deferred tasks; ``meldpunt
purge --schedule`` starts the chain once. Running it more often than planned, or
on many workers at once, does no harm: the purge is idempotent and every report
is destroyed in its own locked transaction.
"""

import logging
from datetime import datetime, time, timedelta

from django.tasks import TaskResultStatus, task
from django.utils import timezone

from .retention import reports_purge

logger = logging.getLogger(__name__)

# Local time of the daily run: quiet hours, so few reporters are active.
PURGE_TIME = time(3, 30)


def _next_run(now: datetime) -> datetime:
    local = timezone.localtime(now)
    run = timezone.make_aware(datetime.combine(local.date(), PURGE_TIME))
    return run if run > now else run + timedelta(days=1)


def _is_scheduled() -> bool:
    """Whether a future run already waits in the database queue (so chains do not multiply)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(purge_expired_reports.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=purge_expired_reports.module_path, status=TaskResultStatus.READY
    ).exists()


def purge_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next daily run; None when the backend cannot defer or one is queued."""
    if not purge_expired_reports.get_backend().supports_defer:
        logger.warning("The task backend cannot defer tasks; schedule `meldpunt purge` instead.")
        return None
    if _is_scheduled():
        return None
    run_after = _next_run(now or timezone.now())
    purge_expired_reports.using(run_after=run_after).enqueue()
    return run_after


@task()
def purge_expired_reports() -> int:
    """Destroy the content of every report past its retention; returns how many."""
    result = reports_purge()
    logger.info(
        "Retention purge: %d destroyed, %d skipped.", len(result.destroyed), len(result.skipped)
    )
    purge_schedule()
    return len(result.destroyed)
