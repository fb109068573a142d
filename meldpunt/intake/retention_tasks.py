"""The periodic retention purge as a background task.

The task schedules its next run itself (meldpunt.periodic); ``meldpunt purge
--schedule`` starts the chain once. Running it more often than planned, or on
many workers at once, does no harm: the purge is idempotent and every report is
destroyed in its own locked transaction.
"""

import logging
from datetime import datetime, time, timedelta

from django.tasks import task
from django.utils import timezone

from meldpunt.periodic import periodic_schedule

from .retention import reports_purge, retention_extra_purges_run
from .staging import staged_files_purge

logger = logging.getLogger(__name__)

# Local time of the daily run: quiet hours, so few reporters are active.
PURGE_TIME = time(3, 30)


def _next_run(now: datetime) -> datetime:
    local = timezone.localtime(now)
    run = timezone.make_aware(datetime.combine(local.date(), PURGE_TIME))
    return run if run > now else run + timedelta(days=1)


def purge_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next daily run; None when the backend cannot defer or one is queued."""
    return periodic_schedule(purge_expired_reports, run_after=_next_run(now or timezone.now()))


@task()
def purge_expired_reports() -> int:
    """Destroy the content of every report past its retention, and remove files that
    were chosen but never sent (intake.staging); returns how many reports."""
    result = reports_purge()
    staged = staged_files_purge()
    others = retention_extra_purges_run()
    logger.info(
        "Retention purge: %d destroyed, %d skipped, %d unsent files removed, %d other items.",
        len(result.destroyed),
        len(result.skipped),
        staged,
        others,
    )
    purge_schedule()
    return len(result.destroyed)
