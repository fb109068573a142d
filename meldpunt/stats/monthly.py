"""Counts of months that have ended, kept per line until a row they were counted from changes.

A year's page sums a few grouped passes over every report of the year (the
report cube, the pilot's facts, municipalities …): at a million reports that
is seconds of hashing on every request (docs/benchmarks.md). Every such count
is a sum over reports, and a report belongs to one line and one month of
receipt, so a pass counted per line and month can be kept per line and month
(``MonthFigures``) and added up for any period made of whole months.

Kept months stay exact because the database forgets them: triggers
(``stats.triggers``) delete a line's month of the passes that read a table
whenever a row of one of its reports in that table is written, however it is
written. The month in progress is always counted anew.

Counting and keeping race with those writes; ``_reserve`` closes the gap. A
month is first stored empty (``rows`` None) and committed, and only then
counted: a write committed before the count is in it, and a write committed
after it went through a trigger that deleted the empty row, so filling it
finds nothing to fill. On PostgreSQL, writes still in flight when the empty
row is stored are waited for (a SHARE lock on the table conflicts with the
lock their triggers' DELETE holds), since their trigger ran before the row
existed. Inside a caller's transaction (tests) the lock is held until that
ends, so writers wait for the whole count; the statistics pages and the
command run outside one.
"""

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Protocol

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .models import MonthFigures

# How long storing a month waits for writes in flight before it counts without keeping.
LOCK_WAIT = "2s"


class MonthScope(Protocol):
    """What ``selectors.Scope`` offers (imported there, so not here)."""

    line_ids: tuple[int, ...]

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...

    def months(self) -> list[date]: ...


def month_rows[S: MonthScope](
    name: str, scope: S, count: Callable[[S], Iterable[tuple]]
) -> list[tuple]:
    """The rows of a pass over ``scope`` as ``(line_id, month, *values)``, kept months read back.

    ``count(scope)`` returns ``(line_id, month index in scope.months(), *values)``:
    one pass grouped by line and month as well. ``name`` names the pass and the
    shape of its rows: change it (``cube/2``) when they change, or the months
    kept by the old code are read as the new. Months of lines with nothing
    come back as no rows.
    """
    months = scope.months()
    bounds = {month: replace(scope, first=month, last=month) for month in months}
    now = timezone.now()
    ended = {month for month in months if bounds[month].end <= now}
    kept = {
        (line_id, starts_at): rows
        for line_id, starts_at, rows in MonthFigures.objects.filter(
            name=name,
            line_id__in=scope.line_ids,
            starts_at__in=[bounds[month].start for month in ended],
            rows__isnull=False,
        ).values_list("line_id", "starts_at", "rows")
    }
    result: list[tuple] = []
    missing: list[tuple[int, date]] = []
    for line_id in scope.line_ids:
        for month in months:
            rows = kept.get((line_id, bounds[month].start)) if month in ended else None
            if rows is None:
                missing.append((line_id, month))
            else:
                result.extend((line_id, month, *row) for row in rows)
    if not missing:
        return result
    reserved = _reserve(
        name, [(line_id, bounds[month]) for line_id, month in missing if month in ended]
    )
    counted: dict[tuple[int, date], list[list]] = {}
    for counted_scope in _runs(scope, missing):
        counted_months = counted_scope.months()
        for line_id, index, *values in count(counted_scope):
            counted.setdefault((line_id, counted_months[index]), []).append(values)
    filled = []
    for line_id, month in missing:
        rows = counted.get((line_id, month), [])
        result.extend((line_id, month, *row) for row in rows)
        reservation = reserved.get((line_id, bounds[month].start))
        if reservation is not None:
            filled.append(MonthFigures(pk=reservation, rows=rows))
    # By id: a reservation that a write deleted since it was stored is not filled, and
    # one stored again after that write has another id.
    MonthFigures.objects.bulk_update(filled, ["rows"])
    return result


def _runs[S: MonthScope](scope: S, missing: list[tuple[int, date]]) -> list[S]:
    """The missing months as scopes of consecutive months, each with the lines missing in it.

    A write to January of this year must not recount February to November
    (kept) along with the month in progress: each run is counted on its own.
    """
    lines_per_month: dict[date, set[int]] = {}
    for line_id, month in missing:
        lines_per_month.setdefault(month, set()).add(line_id)
    runs: list[list[date]] = []
    for month in scope.months():
        if month not in lines_per_month:
            continue
        if runs and runs[-1][-1] == _month_before(month):
            runs[-1].append(month)
        else:
            runs.append([month])
    return [
        replace(
            scope,
            first=run[0],
            last=run[-1],
            line_ids=tuple(sorted(set().union(*(lines_per_month[month] for month in run)))),
        )
        for run in runs
    ]


def _month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _reserve(name: str, months: list[tuple[int, MonthScope]]) -> dict[tuple[int, datetime], int]:
    """Store ended months as empty rows before they are counted; their ids by (line, start).

    An empty row left by an earlier count is taken over: it still exists, so no
    write has touched its month since it was stored. Nothing is reserved (the
    months are counted but not kept) when writes hold the table longer than
    ``LOCK_WAIT``.
    """
    if not months:
        return {}
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('lock_timeout')")
                    (before,) = cursor.fetchone()
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
                    table = connection.ops.quote_name(MonthFigures._meta.db_table)
                    cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
            MonthFigures.objects.bulk_create(
                [
                    MonthFigures(
                        name=name, line_id=line_id, starts_at=month.start, ends_at=month.end
                    )
                    for line_id, month in months
                ],
                ignore_conflicts=True,
            )
    except OperationalError:
        return {}
    wanted = {(line_id, month.start) for line_id, month in months}
    empty = MonthFigures.objects.filter(
        name=name,
        line_id__in={line_id for line_id, _month in months},
        starts_at__in={month.start for _line_id, month in months},
        rows__isnull=True,
    ).values_list("pk", "line_id", "starts_at")
    return {
        (line_id, starts_at): pk
        for pk, line_id, starts_at in empty
        if (line_id, starts_at) in wanted
    }
