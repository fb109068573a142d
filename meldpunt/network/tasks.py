"""Background work of the forwarding network: telling partners a forward waits."""

import logging

from django.tasks import task

from .notifications import forward_notifications_deliver, forward_notifications_retry_at

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
