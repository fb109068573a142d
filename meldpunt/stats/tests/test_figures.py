"""The figures, counted from real reports worked through the services."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from meldpunt.cases.tests.factories import make_report
from meldpunt.evidence.models import EvidenceMatch
from meldpunt.intake.models import PurgedMaterialCount, Report
from meldpunt.intake.retention import reports_purge
from meldpunt.stats import figures, selectors
from meldpunt.stats.charts import bar_chart
from meldpunt.stats.models import MonthFigures
from meldpunt.stats.selectors import Scope, histogram_median

from .world import AMSTERDAM, StatsWorld

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world() -> StatsWorld:
    return StatsWorld()


def year_2025(*lines) -> Scope:
    return Scope(
        first=date(2025, 1, 1), last=date(2025, 12, 1), line_ids=tuple(line.pk for line in lines)
    )


def rows(slug: str, scope: Scope) -> dict[tuple[str, ...], tuple]:
    return dict(figures.TABLES[slug](scope).rows)


def shown(slug: str, scope: Scope) -> dict[tuple[str, ...], list[str]]:
    """The table as printed: label cells -> value cells."""
    table = figures.TABLES[slug](scope)
    width = len(table.columns)
    return {
        tuple(row[:width]): row[width:] for row in figures.display_rows(table, figures.min_count())
    }


def test_key_figures(world):
    summary = shown("summary", year_2025(world.crime, world.hotline))
    assert summary[("Reports received",)] == ["12", "–"]
    assert summary[("Reports forwarded to a partner",)] == ["2", "17 %"]
    assert summary[("Forwards made",)] == ["3", "–"]
    assert summary[("Forwards read by the partner",)] == ["1", "33 %"]
    assert summary[("Follow-up reports",)] == ["1", "8 %"]
    assert summary[("Reports closed",)] == ["2", "17 %"]
    assert summary[("Reports with known material",)] == ["1", "8 %"]
    assert summary[("Reports whose content was destroyed",)] == ["0", "0 %"]


def test_breakdowns_per_line_category_status_and_outcome(world):
    scope = year_2025(world.crime, world.hotline)
    assert {k: v[0] for k, v in rows("lines", scope).items()} == {
        (world.crime.name,): 9,
        (world.hotline.name,): 3,
    }
    assert {k[1]: v[0] for k, v in rows("categories", scope).items()} == {
        world.drugs.name: 7,
        world.weapons.name: 2,
        world.urls.name: 3,
    }
    statuses = {k[0]: v[0] for k, v in rows("statuses", scope).items()}
    assert statuses == {
        "New": 7,
        "In progress": 0,
        "Waiting for the reporter": 2,
        "Ready to forward": 0,
        "Forwarded": 1,
        "Closed": 2,
    }
    triage = {k[0]: v[0] for k, v in rows("triage", scope).items() if v[0]}
    assert triage == {"Usable": 2, "Not illegal": 1, "Not assessed yet": 9}
    closing = {k[0]: v[0] for k, v in rows("closing", scope).items() if v[0]}
    assert closing == {"Forwarded to a partner": 1, "Not illegal": 1}
    kinds = {k[0]: v for k, v in rows("partner_kinds", scope).items() if v[0]}
    assert kinds == {"Police unit": (2, 2), "Municipality": (1, 1)}
    # Shares of the nine reports the line received in 2025.
    classified = rows("classifications", scope)
    assert classified[(world.crime.name, "Assessment", "cocaine")] == (1, 100 / 9)
    assert classified[(world.crime.name, "Assessment", "cannabis")] == (0, 0)
    # Two matches (SHA-256 and MD5) of one file: one report.
    assert rows("known_material", scope) == {("bekend materiaal",): (1,)}


def test_reports_outside_the_period_or_lines_are_not_counted(world):
    assert selectors.report_totals(year_2025(world.crime))["received"] == 9
    assert selectors.report_totals(year_2025(world.hotline))["received"] == 3
    december_2024 = Scope(
        first=date(2024, 12, 1), last=date(2024, 12, 1), line_ids=(world.crime.pk,)
    )
    january_2026 = Scope(first=date(2026, 1, 1), last=date(2026, 1, 1), line_ids=(world.crime.pk,))
    # 23:00 and midnight Amsterdam time fall in the local months, not the UTC ones.
    assert selectors.counts_per_month(december_2024) == {date(2024, 12, 1): 1}
    assert selectors.counts_per_month(january_2026) == {date(2026, 1, 1): 1}


def test_months_and_places_hide_small_counts(world):
    scope = year_2025(world.crime, world.hotline)
    months = shown("months", scope)
    assert len(months) == 12
    assert months[("2025-03",)] == ["9"]
    assert months[("2025-05",)] == ["< 5"]
    assert months[("2025-01",)] == ["0"]
    municipalities = shown("municipalities", scope)
    assert municipalities == {
        ("Amsterdam (GM0363)",): ["7"],
        ("Appingedam (GM0001)",): ["< 5"],
        ("Not given",): ["< 5"],
    }
    crossed = shown("municipality_categories", scope)
    assert crossed[("Amsterdam (GM0363)", world.drugs.name)] == ["7"]
    assert crossed[("Appingedam (GM0001)", world.weapons.name)] == ["< 5"]
    # Non-sensitive tables show small numbers as they are.
    assert shown("lines", scope)[(world.hotline.name,)][0] == "3"


def test_the_threshold_is_configurable(world):
    scope = year_2025(world.crime, world.hotline)
    with override_settings(STATS_MIN_COUNT=2):
        assert shown("municipalities", scope)[("Appingedam (GM0001)",)] == ["2"]
    with override_settings(STATS_MIN_COUNT=10):
        assert shown("municipalities", scope)[("Amsterdam (GM0363)",)] == ["< 10"]


def test_hidden_counts_get_no_bar(world):
    table = figures.TABLES["municipalities"](year_2025(world.crime, world.hotline))
    chart = bar_chart(table, 5)
    widths = {bar.label: (bar.width, bar.value) for bar in chart.bars}
    assert widths["Amsterdam (GM0363)"] == (360, "7")
    assert widths["Appingedam (GM0001)"] == (0, "< 5")


def test_median_times_to_first_question_and_to_closing(world):
    table = figures.TABLES["response_times"](year_2025(world.crime, world.hotline))
    times = dict(table.rows)
    # Questions after 5 and 10 hours; closed after 24 h 17 min and 48 h 17 min.
    assert times[(world.crime.name,)] == (2, 7.5, 2, 36.0)
    assert times[(world.hotline.name,)] == (0, None, 0, None)
    assert times[("All lines",)] == (2, 7.5, 2, 36.0)


def test_histogram_median():
    assert histogram_median({}) is None
    assert histogram_median({3: 1}) == 3
    assert histogram_median({1: 1, 5: 1}) == 3
    assert histogram_median({1: 2, 5: 1}) == 1
    assert histogram_median({0: 50, 2: 49, 100: 2}) == 2


def test_figures_are_unchanged_after_the_purge_destroyed_the_content(world):
    scope = year_2025(world.crime, world.hotline)
    before = {slug: build(scope).rows for slug, build in figures.TABLES.items()}
    assert before["known_material"] == [(("bekend materiaal",), (1,))]

    destroyed = reports_purge(now=datetime(2031, 1, 1, tzinfo=AMSTERDAM)).destroyed
    assert set(destroyed) >= {r.pk for r in world.drug_reports + world.weapon_reports}
    assert not Report.objects.filter(destroyed_at=None, line=world.crime).exists()
    # The match records went with the files; the counters the purge kept did not.
    assert not EvidenceMatch.objects.exists()

    after = {slug: build(scope).rows for slug, build in figures.TABLES.items()}
    summary_before, summary_after = dict(before.pop("summary")), dict(after.pop("summary"))
    destroyed_in_scope = Report.objects.filter(pk__in=destroyed, received_at__year=2025).count()
    assert summary_after.pop(("Reports whose content was destroyed",))[0] == destroyed_in_scope
    assert summary_before.pop(("Reports whose content was destroyed",))[0] == 0
    assert summary_after[("Reports with known material",)] == (1, 100 / 12)
    assert summary_after == summary_before
    assert after == before


def test_known_material_counts_live_and_purged_reports_once_per_month_and_list(world):
    """Last year's figure stays when this year's purge runs; the next year is untouched."""
    d = world.drug_reports
    world.known_match(d[6], "tweede lijst")  # d[6]: two lists
    world.known_match(d[4], "bekend materiaal")  # March too: one counter counts both
    world.known_match(d[5], "bekend materiaal")
    later = make_report(category=world.drugs)
    world.known_match(later, "bekend materiaal")
    Report.objects.filter(pk=later.pk).update(
        received_at=datetime(2026, 2, 1, 10, tzinfo=AMSTERDAM),
        last_activity_at=datetime(2031, 1, 1, tzinfo=AMSTERDAM),
    )
    year_2026 = Scope(first=date(2026, 1, 1), last=date(2026, 12, 1), line_ids=(world.crime.pk,))
    scope = year_2025(world.crime)
    expected = {"bekend materiaal": 3, "tweede lijst": 1}
    assert selectors.known_material_per_list(scope) == expected
    assert selectors.known_material_reports(scope) == 3

    # d[5] (moved to May) stays active, so this year's purge keeps its files.
    Report.objects.filter(pk=d[5].pk).update(
        received_at=datetime(2025, 5, 1, 10, tzinfo=AMSTERDAM),
        last_activity_at=datetime(2031, 1, 1, tzinfo=AMSTERDAM),
    )
    destroyed = reports_purge(now=datetime(2026, 12, 1, tzinfo=AMSTERDAM)).destroyed
    assert {d[4].pk, d[6].pk} <= set(destroyed)
    assert d[5].pk not in destroyed and later.pk not in destroyed
    assert selectors.known_material_per_list(scope) == expected
    assert selectors.known_material_reports(scope) == 3
    counters = PurgedMaterialCount.objects.values_list("line_id", "month", "list_name", "reports")
    assert sorted(counters) == [
        (world.crime.pk, date(2025, 3, 1), "", 2),
        (world.crime.pk, date(2025, 3, 1), "bekend materiaal", 2),
        (world.crime.pk, date(2025, 3, 1), "tweede lijst", 1),
    ]

    # A second purge a few years on destroys the rest and counts each report once.
    reports_purge(now=datetime(2040, 1, 1, tzinfo=AMSTERDAM))
    assert not EvidenceMatch.objects.exists()
    assert selectors.known_material_per_list(scope) == expected
    assert selectors.known_material_reports(scope) == 3
    assert selectors.known_material_per_list(year_2026) == {"bekend materiaal": 1}
    assert selectors.known_material_reports(year_2026) == 1
    assert selectors.known_material_reports(year_2025(world.hotline)) == 0


def test_the_number_of_queries_does_not_grow_with_the_reports(world):
    scope = year_2025(world.crime, world.hotline)
    with CaptureQueriesContext(connection) as few:
        figures.tables_compute(scope)
    for category in (world.drugs, world.weapons, world.urls):
        for _ in range(5):
            make_report(category=category, municipality_code="GM0363")
    Report.objects.update(received_at=datetime(2025, 6, 1, tzinfo=AMSTERDAM))
    MonthFigures.objects.all().delete()  # every month counted anew, as the first time
    with CaptureQueriesContext(connection) as many:
        figures.tables_compute(scope)
    with CaptureQueriesContext(connection) as kept:
        figures.tables_compute(scope)
    # The tables share their grouped passes (selectors.shared_counts): one over the
    # reports and cases for totals, lines, categories, statuses, months and outcomes, one
    # for the pilot, first responses and forwarded reports, one per municipality and
    # category; the rest one query per figure, and the labels. 33 before they shared.
    # Seven passes keep their months (stats.monthly): reading what is kept, and storing
    # the months counted anew (reserve, read back, fill) add four queries to each, and
    # known material is counted per list and for any list.
    assert len(_reads(many)) == len(_reads(few)) <= 22 + 7 * 4 + 1
    # Kept: one read per pass instead of its count (known material's two in one).
    assert len(_reads(kept)) <= 21


def _reads(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read, without the transaction and settings around a grouped pass."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "LOCK"))
        and "set_config" not in query["sql"]
        and "current_setting" not in query["sql"]
    ]


def test_long_tables_chart_their_largest_rows_and_rank_hidden_counts_as_zero():
    count = figures.Measure("reports", "Reports")
    table = figures.Table(
        slug="places",
        title="Places",
        columns=("Place",),
        measures=(count,),
        # 30 places: 2, 4, 1, 3 (hidden) and 26 places with 5 to 30 reports.
        rows=[((f"p{n}",), (n,)) for n in (2, 4, 1, 3, *range(5, 31))],
        is_sensitive=True,
        chart_bars=25,
    )
    chart = bar_chart(table, 5)
    assert chart.is_partial
    assert [bar.label for bar in chart.bars] == [f"p{n}" for n in range(30, 5, -1)]
    table.chart_bars = 29
    tail = bar_chart(table, 5).bars[26:]
    # The hidden ones keep their table order, not the order of their true counts.
    assert [(bar.label, bar.width, bar.value) for bar in tail] == [
        ("p2", 0, "< 5"),
        ("p4", 0, "< 5"),
        ("p1", 0, "< 5"),
    ]
    table.chart_bars = 0
    assert bar_chart(table, 5) is None
