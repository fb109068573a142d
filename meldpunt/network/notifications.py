"""Telling a partner's members by e-mail that a forward waits on the partner portal.

E-mail is not encrypted, so the mail says only that something waits and where:
no reference, no line, no category, no text. One ``ForwardNotification`` row per
member is made in the transaction that creates the forward; the task
(``tasks.forward_notify``) sends the rows that are due through
``retrying.outbox_deliver``, so a second run or a second worker sends nothing twice.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldpunt.vault.models import Role, StaffUser

from .conf import network_setting
from .models import DeliveryState, Forward, ForwardNotification
from .retrying import mail_begin, outbox_deliver, outbox_retry_at


def forward_notification_recipients(forward: Forward) -> QuerySet[StaffUser]:
    """Members who can open the forward (it was sealed for them), still active, with an address.

    A member who joined later cannot open it, so telling them would only confuse.
    """
    return (
        StaffUser.objects.filter(
            key_grants__data_key_id=forward.data_key_id,
            partner_memberships__partner_id=forward.partner_id,
            role=Role.PARTNER,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


def forward_notifications_prepare(*, forward: Forward, now: datetime | None = None) -> int:
    """Make the pending notifications of a forward; returns how many were new.

    Idempotent: a member who has one already (sent or not) gets no second.
    """
    now = now or timezone.now()
    created = 0
    for user_id in forward_notification_recipients(forward).values_list("pk", flat=True):
        _notification, is_new = ForwardNotification.objects.get_or_create(
            forward=forward, user_id=user_id, defaults={"created_at": now, "next_attempt_at": now}
        )
        created += is_new
    return created


def forward_notification_message() -> tuple[str, str]:
    """Subject and body, Dutch first, then English, whatever language is active.

    Partners include foreign hotlines, and the mail is sent by a worker that has
    no idea of the reader's language, so both languages are always there.
    """
    url = settings.SITE_URL.rstrip("/") + reverse("partner:inbox")
    parts = []
    for language in ("nl", "en"):
        with translation.override(language):
            parts.append(
                (
                    _("New forwarded report on the partner portal"),
                    _(
                        "A new forwarded report for your organisation is waiting on the "
                        "partner portal of the reporting point:\n\n%(url)s\n\nSign in to read "
                        "it. For your protection this e-mail contains nothing of the report."
                    )
                    % {"url": url},
                )
            )
    (subject_nl, body_nl), (subject_en, body_en) = parts
    subject = subject_en if subject_nl == subject_en else f"{subject_nl} / {subject_en}"
    return subject, f"{body_nl}\n\n---\n\n{body_en}\n"


def forward_notifications_deliver(
    *, forward_id: int | None = None, now: datetime | None = None
) -> tuple[int, int]:
    """Send the due notifications (of one forward, or all); returns (sent, failed).

    Sent once each, with retries after growing pauses, through
    ``retrying.outbox_deliver``; after ``NETWORK_NOTIFICATION_MAX_ATTEMPTS`` a
    notification is given up and stays visible.
    """
    now = now or timezone.now()
    queryset = ForwardNotification.objects.all()
    if forward_id is not None:
        queryset = queryset.filter(forward_id=forward_id)
    subject, body = forward_notification_message()

    def send(notification: ForwardNotification):
        address = (
            StaffUser.objects.filter(pk=notification.user_id, is_active=True)
            .values_list("email", flat=True)
            .first()
        )
        if not address:
            raise ValueError("the member has no active account with an address any more")
        return mail_begin(EmailMessage(subject, body, None, [address]))

    def on_sent(notification: ForwardNotification) -> None:
        Forward.objects.filter(pk=notification.forward_id, notified_at__isnull=True).update(
            notified_at=now
        )
        # A forward already read stays read.
        Forward.objects.filter(
            pk=notification.forward_id, delivery_state=DeliveryState.AVAILABLE
        ).update(delivery_state=DeliveryState.NOTIFIED)

    return outbox_deliver(
        queryset=queryset,
        send=send,
        on_sent=on_sent,
        max_attempts=network_setting("NETWORK_NOTIFICATION_MAX_ATTEMPTS"),
        now=now,
    )


def forward_notifications_retry_at(*, forward_id: int) -> datetime | None:
    """When the next failed notification of the forward is due again; None if none waits."""
    return outbox_retry_at(
        ForwardNotification.objects.filter(forward_id=forward_id),
        max_attempts=network_setting("NETWORK_NOTIFICATION_MAX_ATTEMPTS"),
    )
