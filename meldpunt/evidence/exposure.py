"""Exposure: how many items a staff member revealed today, against their own limit.

Issue 16 item 7. Each person may choose a daily number of reveals after which
the file page suggests a break; it is a suggestion, never a block (the time
limit in viewing.py is the block). Reveals are counted from the viewing ledger
(``ViewingSession``, one row per reveal, written in the same transaction as the
``evidence.reveal`` audit event) rather than from the audit log, which has no
index by person and day. Nothing new is stored per reveal.

Supervisors get reveals per line per ISO week, never per person, and only for
weeks in which at least ``TEAM_MINIMUM`` people of that line revealed
something, so that no total can be traced back to one person.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from meldpunt.evidence.models import ExposureSetting, ViewingSession
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser

# A day of 500 revealed items is not a limit anyone means; larger numbers are typing errors.
DAILY_REVEAL_LIMIT_MAX = 500
# Fewer people than this in a line's week and the total would point at someone.
TEAM_MINIMUM = 3


@dataclass(frozen=True)
class ExposureToday:
    revealed: int
    limit: int | None

    @property
    def is_break_suggested(self) -> bool:
        """True once the person's own limit is reached: time for other work or a walk."""
        return self.limit is not None and self.revealed >= self.limit


@dataclass(frozen=True)
class TeamWeek:
    line_name: str
    iso_year: int
    iso_week: int
    reveals: int | None  # None when fewer than TEAM_MINIMUM people revealed that week


def _local_day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def exposure_limit_get(*, user: StaffUser) -> int | None:
    """The person's own daily reveal limit, or None when they set none."""
    setting = ExposureSetting.objects.filter(user=user).first()
    return setting.daily_reveal_limit if setting else None


@transaction.atomic
def exposure_limit_set(*, user: StaffUser, daily_reveal_limit: int | None) -> ExposureSetting:
    """Save the person's own limit; audited that it changed, not to what (it is theirs)."""
    if daily_reveal_limit is not None and not 1 <= daily_reveal_limit <= DAILY_REVEAL_LIMIT_MAX:
        raise ValueError("daily_reveal_limit out of range")
    setting, _created = ExposureSetting.objects.update_or_create(
        user=user, defaults={"daily_reveal_limit": daily_reveal_limit}
    )
    audit_record(actor=user, action="exposure.setting", target=user)
    return setting


def exposure_today(*, viewer: StaffUser, at: datetime.datetime | None = None) -> ExposureToday:
    """Reveals by this person on today's local date, and their own limit."""
    day = timezone.localdate(at or timezone.now())
    start, end = _local_day_start(day), _local_day_start(day + datetime.timedelta(days=1))
    revealed = ViewingSession.objects.filter(
        viewer=viewer, started_at__gte=start, started_at__lt=end
    ).count()
    return ExposureToday(revealed=revealed, limit=exposure_limit_get(user=viewer))


def exposure_team_weeks(
    *, line_ids: list[int], since: datetime.date, until: datetime.date
) -> list[TeamWeek]:
    """Reveals per line (of the revealed file's report) per ISO week, newest week first.

    The people are only counted (distinct, for ``TEAM_MINIMUM``), never returned;
    a week with too few people has no total at all (``reveals`` is None), so no
    page can show it by mistake. A reveal of a file that was deleted since no
    longer belongs to any line and is left out.
    """
    # Summed per line, person and local day in the database: at most a few rows a
    # day per person reach Python, however many items they revealed.
    rows = (
        ViewingSession.objects.filter(
            started_at__gte=_local_day_start(since),
            started_at__lt=_local_day_start(until + datetime.timedelta(days=1)),
            evidence__data_key__line_id__in=line_ids,
        )
        .annotate(day=TruncDate("started_at"))
        .values_list(
            "evidence__data_key__line_id", "evidence__data_key__line__name", "viewer_id", "day"
        )
        .annotate(count=Count("id"))
        .order_by()
    )
    names: dict[int, str] = {}
    reveals: dict[tuple[int, int, int], int] = {}
    people: dict[tuple[int, int, int], set[int]] = {}
    for line_id, line_name, viewer_id, day, count in rows:
        names[line_id] = line_name
        iso = day.isocalendar()
        key = (line_id, iso.year, iso.week)
        reveals[key] = reveals.get(key, 0) + count
        people.setdefault(key, set()).add(viewer_id)
    return sorted(
        (
            TeamWeek(
                line_name=names[line_id],
                iso_year=year,
                iso_week=week,
                reveals=count if len(people[(line_id, year, week)]) >= TEAM_MINIMUM else None,
            )
            for (line_id, year, week), count in reveals.items()
        ),
        key=lambda row: (-row.iso_year, -row.iso_week, row.line_name),
    )
