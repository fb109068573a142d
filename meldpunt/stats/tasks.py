"""Keeping the ended months in the background, so that no page request has to count them.

A month is kept (``stats.monthly``) the first time a page counts it, and
forgotten when a row it was counted from changes. Without this, the first
year page after a deployment, a restore or a purge counts every month of the
year on the request (seconds at a million reports). ``months_keep`` builds
every year's figures once, for every line, as the year page would: whatever
months that page reads and are not kept are counted and kept, by the same
``month_rows`` and its store-empty-then-fill protection against writes
during the count. The page still counts whatever is not kept when it is
asked for (the month in progress, a month written since the last run).

It runs every hour (``months_keep_task``, a periodic chain,
meldpunt/periodic.py), once after every ``migrate`` and every ``meldpunt
restore`` on a queue that a worker runs (``months_keep_soon``), and on demand
(``meldpunt stats keep-months``).
"""

from datetime import datetime, timedelta

from django.db import connections
from django.db.models import Min
from django.tasks import task
from django.utils import timezone

from meldpunt.intake.models import Report
from meldpunt.lines.models import Line
from meldpunt.periodic import periodic_run_soon, periodic_schedule

from .models import MonthFigures
from .report import annual_report

# How often forgotten months are counted again. A write forgets its month until then,
# and the page counts that month on its own meanwhile (about a second at a million).
KEEP_INTERVAL = timedelta(hours=1)


def months_keep() -> int:
    """Count and keep every ended month the year pages read; returns how many were kept anew.

    One pass per year from the first report's to this one, over every line
    (kept months are per line, so any line's page reads them too). Idempotent:
    a month kept already is read back, not counted. The number is that of
    (pass, line, month) rows filled by this run.
    """
    first = Report.objects.aggregate(first=Min("received_at"))["first"]
    if first is None:
        return 0
    today = timezone.localdate()
    line_ids = tuple(Line.objects.order_by("pk").values_list("pk", flat=True))
    kept = MonthFigures.objects.filter(rows__isnull=False)
    before = kept.count()
    for year in range(timezone.localtime(first).year, today.year + 1):
        annual_report(year=year, line_ids=line_ids, today=today)
    return kept.count() - before


@task()
def months_keep_task() -> int:
    """Keep the ended months (``months_keep``), then queue the next run; returns how many."""
    kept = months_keep()
    months_keep_schedule()
    return kept


def months_keep_schedule(*, now: datetime | None = None) -> datetime | None:
    """Queue the next run unless one is waiting (meldpunt.periodic)."""
    return periodic_schedule(months_keep_task, run_after=(now or timezone.now()) + KEEP_INTERVAL)


def months_keep_soon() -> bool:
    """Have a worker keep the months now (after a deployment or a restore); whether it can.

    Only on a queue that a worker runs (one that can defer): an immediate
    backend would count every month inside ``migrate`` or ``restore`` (and
    inside every test's flush). A run of the hourly chain that is waiting is
    brought forward instead of a second one queued (meldpunt.periodic).
    """
    return periodic_run_soon(months_keep_task)


def months_keep_after_migrate(sender, using: str, **kwargs) -> None:
    """``post_migrate``: ``months_keep_soon``, once the queue and kept months have tables."""
    from django_tasks_db.models import DBTaskResult

    tables = connections[using].introspection.table_names()
    if DBTaskResult._meta.db_table in tables and MonthFigures._meta.db_table in tables:
        months_keep_soon()
