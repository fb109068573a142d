"""Background work of the hotline: the first check of a new address and the daily re-check."""

from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone

from meldpunt.hotline.checking import reported_url_check, reported_urls_check, reported_urls_due
from meldpunt.periodic import periodic_schedule

# How often the sweep looks for due addresses; each address is due once a day
# (HOTLINE_RECHECK_HOURS), so the daily load spreads over the hours.
SWEEP_INTERVAL = timedelta(hours=1)


@task()
def reported_url_check_task(reported_url_id: int) -> str:
    """Check one address (first check or re-check); does nothing when it is not due.

    Idempotent: the check claims the address first, so a duplicate task or a
    second worker returns "not due".
    """
    return reported_url_check(reported_url_id=reported_url_id)


@task()
def reported_urls_check_task(reported_url_ids: list[int]) -> int:
    """Check a batch of due addresses, HOTLINE_RECHECK_CONCURRENCY at a time; returns how many.

    Idempotent like the single check: each address is claimed first.
    """
    return reported_urls_check(reported_url_ids=reported_url_ids)


@task()
def hotline_recheck() -> int:
    """Queue the due addresses in batches, then queue the next sweep; returns how many."""
    due = 0
    for batch in reported_urls_due():
        reported_urls_check_task.enqueue(batch)
        due += len(batch)
    hotline_recheck_schedule()
    return due


def hotline_recheck_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next sweep unless one is waiting (meldpunt.periodic)."""
    return periodic_schedule(hotline_recheck, run_after=(now or timezone.now()) + SWEEP_INTERVAL)
