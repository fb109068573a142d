"""The tamper-evident audit log.

Each event's hash covers its own fields and the previous event's hash, so
changing, removing or inserting a row breaks every hash after it. Removing the
newest rows leaves an intact but shorter chain: that is caught by comparing with
a head hash recorded earlier (``meldpunt audit verify --head``), which is why the
command prints the head.

Writers are serialised by a transaction-scoped advisory lock on PostgreSQL (locking
the newest row is not enough: a waiting writer would re-read the same row and
reuse its sequence number); SQLite serialises writers itself.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from meldpunt.vault.models import AuditEvent, StaffUser, hour_now

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer.
_ADVISORY_LOCK_ID = 0x6D70_6175_6469_74  # "mpaudit"


def _lock_chain() -> None:
    """Let one writer at a time append (held until the transaction ends)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_ID])


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
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            # Events without a staff actor are caused by reporters (a report
            # received): their exact time could identify them, as for Report.
            created_at=timezone.now() if actor else hour_now(),
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
class ChainBreak:
    """One place where the chain does not hold; sequence 0 means its end."""

    sequence: int
    action: str
    problem: str

    def __str__(self) -> str:
        where = f"event {self.sequence} ({self.action})" if self.sequence else "the end"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    breaks: list[ChainBreak] = field(default_factory=list)
    head_hash: str = GENESIS

    @property
    def is_intact(self) -> bool:
        return not self.breaks


def _event_breaks(event: AuditEvent, expected_sequence: int, previous_hash: str) -> list[str]:
    """What is wrong with one event, given the stored event before it.

    After a gap the link cannot hold either, so only the gap is named.
    """
    problems = []
    if event.sequence > expected_sequence + 1:
        problems.append(f"events {expected_sequence} to {event.sequence - 1} before it are missing")
    elif event.sequence > expected_sequence:
        problems.append(f"event {expected_sequence} before it is missing")
    elif event.previous_hash != previous_hash:
        problems.append("does not link to the event before it")
    if _event_hash(event) != event.hash:
        problems.append("content does not match its hash")
    return problems


def audit_verify(*, expected_head: str = "") -> ChainReport:
    """Walk the whole chain and name every event that does not fit, not only the first.

    Each event is checked against its stored predecessor, so one altered row is one
    break and the walk goes on: tampering further down is reported too.
    ``expected_head`` is a head hash printed by an earlier run; if no event carries
    it any more, events were removed from the end of the chain.
    """
    previous_hash, expected_sequence, checked = GENESIS, 1, 0
    breaks: list[ChainBreak] = []
    head_seen = not expected_head
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        breaks += [
            ChainBreak(event.sequence, event.action, problem)
            for problem in _event_breaks(event, expected_sequence, previous_hash)
        ]
        head_seen = head_seen or event.hash == expected_head
        previous_hash, expected_sequence = event.hash, event.sequence + 1
        checked += 1
    if not head_seen:
        breaks.append(
            ChainBreak(
                0,
                "",
                f"the recorded head {expected_head} is not in the chain of {checked} events: "
                "events were removed from its end",
            )
        )
    return ChainReport(checked, breaks, previous_hash)
