"""Retention of the partners' copies: forwards are destroyed after their partner's period.

A partner keeps what it received for ``Partner.forward_retention_days`` (or
the ``NETWORK_FORWARD_RETENTION_DAYS`` default) counted from the day of the
forward, independent of the report's own retention: the partner acts on its
copy on its own schedule, and the report may be gone long before. Then the
forward's key is crypto-shredded, its text wiped and its files deleted, and
so is the copy encrypted to the partner's OpenPGP key for e-mail or webhook
(``Delivery.ciphertext``, text and files): the reporting point cannot read
it, but it is the same content and must not outlive the period either.

The row stays as a stub with only what billing and the yearly evaluation
count: when, to which partner, and the report (whose line and category stay
in plaintext anyway). Same pattern as ``intake.retention``: one locked
transaction per forward, checked again under the lock, idempotent.
"""

from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from meldpunt.vault import blobs
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_destroy

from .conf import network_setting
from .models import Delivery, DeliveryState, Forward, ForwardFile, Partner

# Why a delivery still queued when its forward was destroyed was never sent.
DESTROYED_BEFORE_DELIVERY = "destroyed after the partner's retention period before delivery"


def forward_retention_days(partner: Partner) -> int:
    if partner.forward_retention_days is not None:
        return partner.forward_retention_days
    return network_setting("NETWORK_FORWARD_RETENTION_DAYS")


def forward_expires_at(forward: Forward) -> datetime | None:
    """When the forward's content may be destroyed; None once it has been."""
    if forward.destroyed_at is not None:
        return None
    return forward.created_at + timedelta(days=forward_retention_days(forward.partner))


def forwards_due_for_purge(*, now: datetime | None = None) -> QuerySet[Forward]:
    """Live forwards older than their partner's retention period."""
    now = now or timezone.now()
    default_limit = now - timedelta(days=network_setting("NETWORK_FORWARD_RETENTION_DAYS"))
    conditions = [Q(partner__forward_retention_days__isnull=True, created_at__lte=default_limit)]
    for partner_pk, days in Partner.objects.filter(
        forward_retention_days__isnull=False
    ).values_list("pk", "forward_retention_days"):
        conditions.append(Q(partner_id=partner_pk, created_at__lte=now - timedelta(days=days)))
    return Forward.objects.filter(reduce(or_, conditions), destroyed_at__isnull=True).order_by("pk")


def forward_destroy(*, forward_pk: int, now: datetime | None = None) -> bool:
    """Destroy one forward's text, files and key if it is still due; True when it was.

    Locked (another worker's forward is skipped) and checked again under the
    lock, so running the purge twice or on two workers does no harm. The
    blobs are deleted last: a failure before rolls everything back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        forward = (
            Forward.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partner", "data_key")
            .filter(pk=forward_pk)
            .first()
        )
        expires_at = forward_expires_at(forward) if forward is not None else None
        if expires_at is None or expires_at > now:
            return False
        files = list(ForwardFile.objects.filter(forward=forward))
        ForwardFile.objects.filter(forward=forward).delete()
        data_key_destroy(data_key=forward.data_key)
        deliveries = Delivery.objects.filter(forward=forward)
        if deliveries.filter(state=DeliveryState.QUEUED).update(
            state=DeliveryState.FAILED, last_error=DESTROYED_BEFORE_DELIVERY
        ):
            forward.delivery_state = DeliveryState.FAILED
        deliveries.update(ciphertext=b"")
        forward.sealed_body = b""
        forward.destroyed_at = now
        forward.save(update_fields=["sealed_body", "destroyed_at", "delivery_state"])
        audit_record(
            actor=None,
            action="forward.destroyed",
            target=forward,
            details={"partner": forward.partner_id, "files": len(files)},
        )
        for forward_file in files:
            blobs.blob_delete(name=forward_file.blob_name)
    return True


def forwards_purge(*, now: datetime | None = None) -> list[int]:
    """Destroy every forward past its partner's retention period; returns their ids."""
    now = now or timezone.now()
    due = list(forwards_due_for_purge(now=now).values_list("pk", flat=True))
    return [pk for pk in due if forward_destroy(forward_pk=pk, now=now)]
