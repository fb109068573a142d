"""The periodic recovery: any live worker finds the tasks of dead ones within a minute."""

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from meldpunt.periodic import periodic_schedule
from meldpunt.workers.recovery import workers_sweep


@task()
def workers_recover() -> int:
    """Retry or fail tasks of dead workers, run the sweeps, queue the next run; returns how many."""
    recovery = workers_sweep()
    workers_recover_schedule()
    return recovery.retried + recovery.failed


def workers_recover_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next run unless one is waiting (meldpunt.periodic)."""
    interval = timedelta(seconds=settings.WORKER_RECOVERY_SECONDS)
    return periodic_schedule(workers_recover, run_after=(now or timezone.now()) + interval)
