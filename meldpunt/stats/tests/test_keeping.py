"""Ended months kept in the background (stats.tasks): the year page then counts none of them."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.intake.models import Report
from meldpunt.stats import monthly
from meldpunt.stats.models import MonthFigures
from meldpunt.stats.report import AnnualReport
from meldpunt.stats.selectors import Scope, month_after
from meldpunt.stats.tasks import months_keep, months_keep_schedule, months_keep_task
from meldpunt.testing import make_staff, sign_in
from meldpunt.vault.models import Role

from .world import StatsWorld

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Every pass the year page reads (the part of MonthFigures.name before "/").
PASSES = {
    "cube",
    "received",
    "partner_kinds",
    "municipality_categories",
    "classifications",
    "known_material",
    "hours_to_close",
    "pilot",
}


@pytest.fixture
def world() -> StatsWorld:
    return StatsWorld()


@pytest.fixture
def client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff(role=Role.ADMINISTRATOR))
    return client


def _months(first: date, last: date) -> set[str]:
    """'YYYY-MM' of every month from ``first`` to ``last``, both included."""
    months, month = set(), first
    while month <= last:
        months.add(f"{month:%Y-%m}")
        month = month_after(month)
    return months


def _this_month() -> date:
    return timezone.localdate().replace(day=1)


def _kept(line, name: str) -> set[str]:
    starts = MonthFigures.objects.filter(
        line=line, name__startswith=f"{name}/", rows__isnull=False
    ).values_list("starts_at", flat=True)
    return {f"{timezone.localtime(start):%Y-%m}" for start in starts}


def _every_ended_month_is_kept(world: StatsWorld) -> None:
    """From the first report's year (2024; the five-year chart's from 2020) to last month."""
    last = _this_month() - timedelta(days=1)
    names = {name.split("/")[0] for name in MonthFigures.objects.values_list("name", flat=True)}
    assert names == PASSES
    for line in (world.crime, world.hotline):
        for name in PASSES:
            first = date(2020 if name == "received" else 2024, 1, 1)
            assert _kept(line, name) == _months(first, last), (line.slug, name)


def _report(client: Client, year: int) -> AnnualReport:
    """The year page's figures, tables and charts (its HTML holds a per-request nonce)."""
    response = client.get(reverse("stats:year"), {"year": str(year)})
    assert response.status_code == 200
    return response.context["report"]


def _page(client: Client, year: int, monkeypatch) -> tuple[AnnualReport, list[Scope], int]:
    """The year page's figures, the scopes it counted anew and how often it stored months."""
    counted = []
    runs = monthly._runs

    def spy(scope, missing):
        scopes = runs(scope, missing)
        counted.extend(scopes)
        return scopes

    monkeypatch.setattr(monthly, "_runs", spy)
    with CaptureQueriesContext(connection) as queries:
        report = _report(client, year)
    monkeypatch.setattr(monthly, "_runs", runs)
    stored = sum("INSERT" in q["sql"] and "stats_monthfigures" in q["sql"] for q in queries)
    return report, counted, stored


def test_after_a_run_the_year_page_counts_no_ended_month_and_shows_a_fresh_count(
    world, client, monkeypatch
):
    assert months_keep_task.enqueue().return_value > 0
    _every_ended_month_is_kept(world)

    kept_2025, counted, stored = _page(client, 2025, monkeypatch)
    assert (counted, stored) == ([], 0)
    _this_year, counted, stored = _page(client, _this_month().year, monkeypatch)
    # Only the month in progress is counted on the request (none after a year's end).
    assert all(scope.first == scope.last == _this_month() for scope in counted)
    assert stored == 0

    MonthFigures.objects.all().delete()
    fresh = _report(client, 2025)
    assert fresh.received == 12 and fresh.tables  # the world's 2025
    assert fresh == kept_2025


def test_a_month_forgotten_by_a_write_is_kept_again_by_the_next_run(world, client, monkeypatch):
    months_keep()
    march = world.drug_reports[0]
    # As the workflow writes: QuerySet.update, no signal; the trigger forgets the month.
    Report.objects.filter(pk=march.pk).update(municipality_code="GM0001")
    assert all("2025-03" not in _kept(world.crime, name) for name in PASSES)
    assert all("2025-03" in _kept(world.hotline, name) for name in PASSES)
    # Until the next run the page counts that month itself (undone here, to leave it forgotten).
    with transaction.atomic():
        _figures, counted, stored = _page(client, 2025, monkeypatch)
        transaction.set_rollback(True)
    assert [(scope.first, scope.last, scope.line_ids) for scope in counted] == [
        (date(2025, 3, 1), date(2025, 3, 1), (world.crime.pk,))
    ] * len(PASSES)
    assert stored > 0

    assert months_keep() == len(PASSES)  # that line's March, in every pass, and nothing else
    _every_ended_month_is_kept(world)
    kept, counted, stored = _page(client, 2025, monkeypatch)
    assert (counted, stored) == ([], 0)
    MonthFigures.objects.all().delete()
    assert _report(client, 2025) == kept


def test_a_second_run_changes_nothing(world):
    first = months_keep()
    assert first > 0
    rows = list(MonthFigures.objects.order_by("pk").values_list("pk", "name", "line_id", "rows"))
    assert len(rows) == first
    assert months_keep() == 0
    assert list(
        MonthFigures.objects.order_by("pk").values_list("pk", "name", "line_id", "rows")
    ) == (rows)


def test_on_an_empty_database_a_run_does_nothing(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert months_keep_task.enqueue().return_value == 0
    assert not MonthFigures.objects.exists()


def test_the_command_keeps_the_months_as_the_task_does(world):
    out = io.StringIO()
    call_command("stats", "keep-months", stdout=out)
    kept = MonthFigures.objects.filter(rows__isnull=False).count()
    assert out.getvalue() == f"{kept} months of passes and lines counted and kept.\n"
    _every_ended_month_is_kept(world)
    call_command("stats", "keep-months", stdout=out)
    assert out.getvalue().endswith("\n0 months of passes and lines counted and kept.\n")


def _queued():
    return DBTaskResult.objects.filter(
        task_path=months_keep_task.module_path, status=TaskResultStatus.READY
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_a_run_queues_the_next_an_hour_later_and_never_two():
    months_keep_task.call()
    [queued] = _queued()
    assert timezone.now() < queued.run_after <= timezone.now() + timedelta(hours=1)
    assert months_keep_schedule() is None
    assert _queued().count() == 1


@override_settings(TASKS=DATABASE_TASKS)
def test_meldpunt_schedule_starts_the_hourly_chain():
    call_command("schedule", stdout=io.StringIO())
    [queued] = _queued()
    assert timezone.now() < queued.run_after <= timezone.now() + timedelta(hours=1)


@override_settings(TASKS=DATABASE_TASKS)
def test_migrate_queues_one_run_for_a_worker(world):
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=[])
    assert _queued().count() == 1
    assert not MonthFigures.objects.exists(), "migrate must not count"


@override_settings(TASKS=DATABASE_TASKS)
def test_migrate_brings_the_chains_waiting_run_forward_instead_of_queueing_a_second():
    months_keep_schedule()  # the hourly chain's next run, an hour from now
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=[])
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=[])
    [queued] = _queued()
    assert queued.run_after <= timezone.now()


def test_migrate_counts_nothing_on_a_queue_that_runs_at_once(world):
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=[])
    assert not MonthFigures.objects.exists()
