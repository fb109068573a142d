"""Background work of the forwarding network: telling partners a forward waits,
delivering it, destroying the partners' copies after their retention period, and
the hotline's notices, police reports and forwards (``hotline_actions``)."""

import logging
from datetime import datetime, time, timedelta

from django.tasks import task
from django.utils import timezone

from meldpunt.periodic import periodic_schedule

from .delivery import deliveries_send
from .notifications import forward_notifications_deliver, forward_notifications_retry_at
from .retention import forwards_purge
from .retrying import outbox_task_requeue

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
    outbox_task_requeue(
        forward_notify, forward_id, forward_notifications_retry_at(forward_id=forward_id)
    )
    return sent


@task()
def address_action_send(action_id: int) -> int:
    """Send one hotline action (notice, police report, forward); returns 1 when sent now.

    Idempotent like ``forward_notify``; a failure queues the task again for its retry.
    """
    from .hotline_actions import address_action_deliver, address_action_retry_at

    sent, failed = address_action_deliver(action_id=action_id)
    if failed:
        logger.info("Hotline action %d failed; it will be retried.", action_id)
    outbox_task_requeue(
        address_action_send, action_id, address_action_retry_at(action_id=action_id)
    )
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
