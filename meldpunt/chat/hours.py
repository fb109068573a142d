"""When a line's chat is open: weekly opening hours in local time, minus closed days."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from meldpunt.lines.models import Line

from .models import ChatSettings, ClosedDay, OpeningHours

# How far ahead "open again at" looks; a chat closed longer than this says so plainly.
LOOKAHEAD_DAYS = 21


@dataclass(frozen=True)
class NextOpening:
    starts: datetime
    ends: datetime


def _settings(line: Line) -> ChatSettings | None:
    return ChatSettings.objects.filter(line=line, is_enabled=True).first()


def chat_is_open(line: Line, *, now: datetime | None = None) -> bool:
    """Open now: chat enabled, not a closed day, and inside one of today's periods."""
    if _settings(line) is None:
        return False
    local = timezone.localtime(now or timezone.now())
    if ClosedDay.objects.filter(line=line, day=local.date()).exists():
        return False
    return OpeningHours.objects.filter(
        line=line, weekday=local.weekday(), opens__lte=local.time(), closes__gt=local.time()
    ).exists()


def chat_next_opening(line: Line, *, now: datetime | None = None) -> NextOpening | None:
    """The next period the chat is open, from now on (the current one if open); None if none
    within LOOKAHEAD_DAYS or the line has no chat."""
    if _settings(line) is None:
        return None
    local = timezone.localtime(now or timezone.now())
    hours = list(OpeningHours.objects.filter(line=line))
    closed = set(
        ClosedDay.objects.filter(
            line=line, day__gte=local.date(), day__lte=local.date() + timedelta(LOOKAHEAD_DAYS)
        ).values_list("day", flat=True)
    )
    for offset in range(LOOKAHEAD_DAYS + 1):
        day: date = local.date() + timedelta(days=offset)
        if day in closed:
            continue
        for period in sorted(
            (h for h in hours if h.weekday == day.weekday()), key=lambda h: h.opens
        ):
            ends = timezone.make_aware(datetime.combine(day, period.closes))
            if ends > local:
                starts = timezone.make_aware(datetime.combine(day, period.opens))
                return NextOpening(starts=starts, ends=ends)
    return None
