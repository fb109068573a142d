"""Figures about the installation's own work, read from the database for the operator.

Read at scrape time (and by /health/ready), so every web process answers alike.
Every figure counts only rows created in an hour that has ended: a reporter's
action (a report that queues a thumbnail task, a staff notification about it)
enters no figure before the turn of the hour, so a monitoring system that
samples these figures every few seconds learns no more about its time than the
rows themselves say (docs/security.md, "Times"). Nothing here reads content,
names or addresses: only states, channels and counts.
"""

from datetime import datetime

from django.db.models import Case, Count, F, Min, Q, QuerySet, When
from django.db.models.functions import Greatest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from meldpunt.cases.models import StaffNotification
from meldpunt.hashes.models import HashStoreRevision
from meldpunt.hotline.models import AddressAction
from meldpunt.network.models import (
    Delivery,
    DeliveryChannel,
    DeliveryState,
    ForwardNotification,
)
from meldpunt.privacy.hours import hour_floor

TASK_STATES = ("waiting", "scheduled", "running", "failed", "successful")


def _tasks_of_ended_hours(now: datetime) -> QuerySet[DBTaskResult]:
    # enqueued_at is written to the hour (privacy.tasktimes), so "before this
    # hour" is every row but those of the hour still running.
    return DBTaskResult.objects.filter(enqueued_at__lt=hour_floor(now))


def _is_due(now: datetime) -> Q:
    return Q(run_after=get_date_max()) | Q(run_after__lte=now)


def task_counts(*, now: datetime) -> dict[str, int]:
    """Task rows by state: waiting (due, not taken), scheduled (not due yet), running, ….

    Finished rows stay until the hourly clean-up deletes them (successful) or
    for a week (failed), so "failed" is the number of failures still on record.
    """
    rows = _tasks_of_ended_hours(now)
    ready = Q(status=TaskResultStatus.READY)
    figures = rows.aggregate(
        waiting=Count("pk", filter=ready & _is_due(now)),
        scheduled=Count("pk", filter=ready & ~_is_due(now)),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        successful=Count("pk", filter=Q(status=TaskResultStatus.SUCCESSFUL)),
    )
    return {state: figures[state] for state in TASK_STATES}


def task_oldest_waiting_since(*, now: datetime) -> datetime | None:
    """Since when the longest-waiting due task has waited, or None when none waits.

    A task waits from its enqueuing, or from its ``run_after`` if that is later.
    ``enqueued_at`` is kept to the hour (rounded down), so a task may seem up
    to an hour older than it is.
    """
    since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    waiting = _tasks_of_ended_hours(now).filter(_is_due(now), status=TaskResultStatus.READY)
    return waiting.aggregate(since=Min(since))["since"]


def outbox_failing_counts(*, now: datetime) -> dict[str, int]:
    """Mails and webhook calls not delivered after at least one failed attempt, by kind.

    Includes those given up (a failed ``Delivery``, rows past their last
    attempt): they stay until someone acts on them.
    """
    created_before = {"created_at__lt": hour_floor(now)}
    unsent_after_failure = {"sent_at__isnull": True, "attempts__gt": 0, **created_before}
    deliveries = Delivery.objects.filter(**created_before).filter(
        Q(state=DeliveryState.FAILED) | Q(state=DeliveryState.QUEUED, attempts__gt=0)
    )
    by_channel = dict(
        deliveries.values("channel").annotate(count=Count("pk")).values_list("channel", "count")
    )
    return {
        "delivery_email": by_channel.get(DeliveryChannel.EMAIL, 0),
        "delivery_webhook": by_channel.get(DeliveryChannel.WEBHOOK, 0),
        "forward_notification": ForwardNotification.objects.filter(**unsent_after_failure).count(),
        "staff_notification": StaffNotification.objects.filter(**unsent_after_failure).count(),
        "address_action": AddressAction.objects.filter(**unsent_after_failure).count(),
    }


def hash_store_changed_at() -> datetime | None:
    """When the matchable hashes last changed (an import, a list switched on or off).

    Every process rebuilds its in-memory index at its first query after a
    change, so this is also the revision every matcher works with.
    """
    # A row with an empty token was only made to be locked (hashes.services.hash_revision_lock).
    return (
        HashStoreRevision.objects.filter(pk=1)
        .exclude(token="")
        .values_list("changed_at", flat=True)
        .first()
    )
