"""Background work of the back office: staff notifications every minute."""

import logging
from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone

from meldpunt.periodic import periodic_schedule

from .services import notifications_collect, notifications_deliver

logger = logging.getLogger(__name__)
NOTIFICATION_INTERVAL = timedelta(minutes=1)


def notifications_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next round; None when the backend cannot defer or one is queued."""
    return periodic_schedule(
        send_staff_notifications, run_after=(now or timezone.now()) + NOTIFICATION_INTERVAL
    )


@task()
def send_staff_notifications() -> int:
    """Collect news into batched notifications and send those due; returns how many were sent."""
    created = notifications_collect()
    sent, failed = notifications_deliver()
    if created or sent or failed:
        logger.info("Staff notifications: %d new, %d sent, %d failed.", created, sent, failed)
    notifications_schedule()
    return sent
