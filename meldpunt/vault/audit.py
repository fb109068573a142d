"""The tamper-evident audit log.

Each event's hash covers its own fields and the previous event's hash, so
changing, removing or inserting a row breaks every hash after it. Writers are
serialised by locking the newest row, which keeps the chain linear under
concurrent staff actions on PostgreSQL; SQLite serialises writers itself.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from meldpunt.vault.models import AuditEvent, StaffUser

GENESIS = "0" * 64


def _event_hash(event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "sequence": event.sequence,
            "created_at": event.created_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "details": event.details,
            "previous_hash": event.previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(
    *,
    actor: StaffUser | None,
    action: str,
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append an event. Call inside the transaction of the action it records."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    with transaction.atomic():
        last = AuditEvent.objects.select_for_update().order_by("-sequence").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            created_at=timezone.now(),
            actor=actor if actor and actor.pk else None,
            actor_name=actor.get_username() if actor and actor.pk else "",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            details=details or {},
            previous_hash=last.hash if last else GENESIS,
        )
        # Round-trip details through JSON so the hash sees what the database stores.
        event.details = json.loads(json.dumps(event.details, default=str))
        event.hash = _event_hash(event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: AuditEvent | None
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        return self.first_broken is None


def audit_verify() -> ChainReport:
    """Walk the chain in order and name the first event that does not fit."""
    previous_hash, expected_sequence, checked = GENESIS, 1, 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            return ChainReport(checked, event, f"sequence {expected_sequence} is missing")
        if event.previous_hash != previous_hash:
            return ChainReport(checked, event, "does not link to the event before it")
        if _event_hash(event) != event.hash:
            return ChainReport(checked, event, "content does not match its hash")
        previous_hash, expected_sequence, checked = event.hash, expected_sequence + 1, checked + 1
    return ChainReport(checked, None)
