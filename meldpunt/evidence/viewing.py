"""The viewing-time ledger: how long each staff member looked at revealed material.

Seed 003: the rule to do other work after lunch was broken more and more. Here
the rule is enforced: a daily number of minutes and a local time of day after
which nothing is revealed. Revealing is recorded (and audited); time counts
from a reveal to its end, or a fixed default when the page never says it ended
(pages work without JavaScript). Supervisors get hours per person, nothing more.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.models import EvidenceFile, ViewingSession
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser


class ViewingBlocked(Exception):
    """No more revealing today; ``message`` tells the viewer why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ViewingAllowance:
    used_seconds: int
    limit_seconds: int
    is_warning: bool
    is_blocked: bool
    reason: str = ""


def _day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    local = timezone.localtime(moment)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _counted_seconds(session: ViewingSession, now: datetime.datetime) -> int:
    """Time a session counts: measured when it was ended, else at most the default."""
    if session.ended_at is not None:
        elapsed = (session.ended_at - session.started_at).total_seconds()
        return int(min(elapsed, evidence_setting("EVIDENCE_VIEWING_MAX_SECONDS")))
    elapsed = (now - session.started_at).total_seconds()
    return int(min(max(elapsed, 0), evidence_setting("EVIDENCE_VIEWING_DEFAULT_SECONDS")))


def _is_past_cutoff(moment: datetime.datetime) -> bool:
    """After the cut-off time of day; an empty setting means no cut-off (night lines)."""
    setting = evidence_setting("EVIDENCE_VIEWING_CUTOFF")
    if not setting:
        return False
    hour, minute = (int(part) for part in setting.split(":"))
    local = timezone.localtime(moment)
    return local >= local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def viewing_allowance(
    *, viewer: StaffUser, at: datetime.datetime | None = None
) -> ViewingAllowance:
    """How much of today's viewing time is used, and whether revealing is still allowed."""
    now = at or timezone.now()
    start, end = _day_bounds(now)
    sessions = ViewingSession.objects.filter(
        viewer=viewer, started_at__gte=start, started_at__lt=end
    )
    used = sum(_counted_seconds(session, now) for session in sessions)
    limit = int(evidence_setting("EVIDENCE_VIEWING_DAILY_MINUTES")) * 60
    reason = ""
    if _is_past_cutoff(now):
        reason = _("Revealing material is not possible after %(time)s; do other work now.") % {
            "time": evidence_setting("EVIDENCE_VIEWING_CUTOFF")
        }
    elif used >= limit:
        reason = _("You have reached today's limit for viewing material.")
    return ViewingAllowance(
        used_seconds=used,
        limit_seconds=limit,
        is_warning=used >= limit * evidence_setting("EVIDENCE_VIEWING_WARN_FRACTION"),
        is_blocked=bool(reason),
        reason=reason,
    )


@transaction.atomic
def viewing_start(
    *, viewer: StaffUser, evidence: EvidenceFile, at: datetime.datetime | None = None
) -> ViewingSession:
    """Record that a staff member reveals a file; raises ViewingBlocked when not allowed.

    An earlier reveal still open ends now: one item at a time.
    """
    now = at or timezone.now()
    allowance = viewing_allowance(viewer=viewer, at=now)
    if allowance.is_blocked:
        raise ViewingBlocked(allowance.reason)
    for session in ViewingSession.objects.filter(viewer=viewer, ended_at__isnull=True):
        viewing_end(session=session, at=now)
    session = ViewingSession.objects.create(viewer=viewer, evidence=evidence, started_at=now)
    audit_record(actor=viewer, action="evidence.reveal", target=evidence)
    return session


def viewing_end(*, session: ViewingSession, at: datetime.datetime | None = None) -> None:
    """End a reveal; it counts up to EVIDENCE_VIEWING_MAX_SECONDS."""
    if session.ended_at is not None:
        return
    session.ended_at = max(at or timezone.now(), session.started_at)
    session.save(update_fields=["ended_at"])
