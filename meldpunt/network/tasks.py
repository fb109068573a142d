"""Background work of the forwarding network: telling partners a forward waits,
delivering it, and destroying the partners' copies after their retention period."""

import logging
from datetime import datetime, time, timedelta

from django.tasks import task
from django.utils import timezone

from meldpunt.periodic import periodic_schedule

from .delivery import deliveries_send
from .notifications import forward_notifications_deliver, forward_notifications_retry_at
from .retention import forwards_purge

logger = logging.getLogger(__name__)


@task()
def forward_notify(forward_id: int) -> int:
    """Send the forward's due notification mails; returns how many were sent.

    Idempotent: rows already sent or held by another worker are skipped. While a
    failed mail waits for its retry the task queues itself for that moment
    (backends that cannot defer, such as the immediate one, log instead).
    """
    sent, failed = forward_notifications_deliver(forward_id=forward_id)
    if sent or failed:
        logger.info("Forward %d: %d notification(s) sent, %d failed.", forward_id, sent, failed)
    retry_at = forward_notifications_retry_at(forward_id=forward_id)
    if retry_at is not None:
        if forward_notify.get_backend().supports_defer:
            forward_notify.using(run_after=retry_at).enqueue(forward_id)
        else:
            logger.warning("Forward %d: cannot queue the retry of its notification.", forward_id)
    return sent


DELIVERY_SWEEP_INTERVAL = timedelta(minutes=1)


@task()
def forward_deliver(delivery_id: int) -> int:
    """Send one queued e-mail or webhook delivery at once; returns 1 when it was delivered.

    Idempotent: a delivery already delivered, or held by another worker, is
    skipped. Retries are left to the sweep (``forwards_deliver_due``).
    """
    delivered, _failed = deliveries_send(delivery_id=delivery_id)
    return delivered


def deliveries_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next sweep; None when the backend cannot defer or one is queued."""
    return periodic_schedule(
        forwards_deliver_due, run_after=(now or timezone.now()) + DELIVERY_SWEEP_INTERVAL
    )


@task()
def forwards_deliver_due() -> int:
    """Every minute: send the deliveries whose retry is due, or whose first task was lost."""
    delivered, failed = deliveries_send()
    if delivered or failed:
        logger.info("Deliveries: %d delivered, %d attempts failed.", delivered, failed)
    deliveries_schedule()
    return delivered


# Local time of the daily purge of forwards, beside the report purge (03:30).
FORWARD_PURGE_TIME = time(3, 45)


def forward_purge_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next daily purge; None when the backend cannot defer or one is queued."""
    local = timezone.localtime(now or timezone.now())
    run = timezone.make_aware(datetime.combine(local.date(), FORWARD_PURGE_TIME))
    if run <= local:
        run += timedelta(days=1)
    return periodic_schedule(purge_expired_forwards, run_after=run)


@task()
def purge_expired_forwards() -> int:
    """Destroy every forward past its partner's retention period; returns how many."""
    destroyed = forwards_purge()
    logger.info("Forward retention purge: %d destroyed.", len(destroyed))
    forward_purge_schedule()
    return len(destroyed)
