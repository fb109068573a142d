"""Background work of the forwarding network: telling partners a forward waits, and the
hotline's notices, police reports and forwards (``hotline_actions``)."""

import logging

from django.tasks import task

from .notifications import forward_notifications_deliver, forward_notifications_retry_at
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
