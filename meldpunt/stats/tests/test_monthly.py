"""Kept months (stats.monthly): read back while nothing changes, forgotten by every write.

Every kind of write the figures depend on is made the way the code makes it
(the case services write outcomes with ``QuerySet.update``, forwards are read
through an update, feedback, messages and known-material matches are
inserted; the purge's deletion of matches is in test_figures.py) and after each one the
figures with kept months must equal the figures counted anew from nothing.
"""

from datetime import date, datetime, timedelta

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from meldpunt.cases.models import Case, CaseClassification, ClassificationOption
from meldpunt.cases.tests.factories import make_report
from meldpunt.intake.models import Author, Message, Report
from meldpunt.network.models import FeedbackOutcome, Forward, ForwardFeedback, Partner, PartnerKind
from meldpunt.stats import figures, selectors
from meldpunt.stats.models import MonthFigures
from meldpunt.stats.monthly import month_rows
from meldpunt.stats.selectors import Scope
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create

from .world import AMSTERDAM, MARCH, StatsWorld

pytestmark = pytest.mark.django_db

# The passes tables_compute keeps per line and month.
PASSES = 7


@pytest.fixture
def world() -> StatsWorld:
    return StatsWorld()


def _year(*lines) -> Scope:
    return Scope(date(2025, 1, 1), date(2025, 12, 1), tuple(line.pk for line in lines))


def _shown(scope: Scope) -> list[tuple[str, list[list[str]]]]:
    """Every table as printed, with no count hidden (the world's counts are small)."""
    with translation.override("en"), override_settings(STATS_MIN_COUNT=1):
        return [
            (table.slug, figures.display_rows(table, figures.min_count()))
            for table in figures.tables_compute(scope)
        ]


def _kept_months(line) -> set[str]:
    """The months of a line that every pass keeps, as 'YYYY-MM' in the installation's zone."""
    starts = MonthFigures.objects.filter(line=line, rows__isnull=False).values_list(
        "starts_at", flat=True
    )
    counted: dict[str, int] = {}
    for start in starts:
        month = f"{timezone.localtime(start):%Y-%m}"
        counted[month] = counted.get(month, 0) + 1
    return {month for month, passes in counted.items() if passes == PASSES}


def _feedback(forward: Forward) -> None:
    key = data_key_create(key_bytes=crypto.new_data_key(), line=None, recipients=[])
    ForwardFeedback.objects.create(
        forward=forward, outcome=FeedbackOutcome.TAKEN_UP, data_key=key, sealed_text=b"-"
    )


def test_kept_months_give_the_figures_counted_anew_after_every_kind_of_write(world):
    scope = _year(world.crime, world.hotline)
    before = _shown(scope)
    every_month = {f"2025-{month:02d}" for month in range(1, 13)}
    assert _kept_months(world.crime) == _kept_months(world.hotline) == every_month
    assert _shown(scope) == before  # read back

    d, weapons = world.drug_reports, world.weapon_reports
    option = ClassificationOption.objects.get(scheme=world.scheme, slug="cannabis")
    writes = {
        # The case services write the assessment with QuerySet.update.
        "assessed": lambda: world.assess(weapons[0], "usable"),
        # As the services write it: the case alone, the report's status unchanged.
        "re-assessed": lambda: Case.objects.filter(report=d[2]).update(triage_outcome="usable"),
        "forwarded and read": lambda: world.forward(weapons[1], [world.police], read=True),
        "feedback": lambda: _feedback(Forward.objects.get(report=weapons[1])),
        "classified": lambda: CaseClassification.objects.create(case=d[0].case, option=option),
        "staff message": lambda: Message.objects.create(
            report=d[6], author=Author.STAFF, sealed_body=b"-", created_at=MARCH
        ),
        "message deleted": lambda: Message.objects.filter(report=d[6]).delete(),
        "status and place": lambda: Report.objects.filter(pk=d[5].pk).update(
            status="closed", municipality_code="GM0001"
        ),
        "partner kind": lambda: Partner.objects.filter(pk=world.police.pk).update(
            kind=PartnerKind.OTHER
        ),
        "known material": lambda: world.known_match(d[1], "andere lijst"),
        "new report": lambda: make_report(category=world.drugs, received_at=MARCH),
        "moved to June": lambda: Report.objects.filter(pk=d[4].pk).update(
            received_at=datetime(2025, 6, 3, 12, tzinfo=AMSTERDAM)
        ),
    }
    march_starts = Scope(date(2025, 3, 1), date(2025, 3, 1), ()).start
    for write, change in writes.items():
        change()
        if write == "assessed":
            # Only the month of the changed report is forgotten, in its line.
            assert _kept_months(world.crime) == every_month - {"2025-03"}
            assert _kept_months(world.hotline) == every_month
        if write == "staff message":
            # Only by the passes that read messages (the pilot's).
            march = MonthFigures.objects.filter(
                line=world.crime, starts_at=march_starts, rows__isnull=False
            )
            assert sorted(march.values_list("name", flat=True)) == sorted(
                set(MonthFigures.objects.values_list("name", flat=True)) - {"pilot/1"}
            )
        kept = _shown(scope)
        assert kept != before, write
        MonthFigures.objects.all().delete()
        assert kept == _shown(scope), write
        before = kept


def test_a_month_written_while_it_is_counted_is_not_kept(world):
    march = Scope(date(2025, 3, 1), date(2025, 3, 1), (world.crime.pk,))

    def count_then_write(scope: Scope) -> list[tuple]:
        rows = selectors._received_count(scope)
        make_report(category=world.drugs, received_at=MARCH + timedelta(hours=1))
        return rows

    [(line_id, month, received)] = month_rows("test/1", march, count_then_write)
    assert (line_id, month, received) == (world.crime.pk, date(2025, 3, 1), 9)
    assert not MonthFigures.objects.filter(name="test/1").exists()
    assert month_rows("test/1", march, selectors._received_count)[0][2] == 10

    def no_count(scope: Scope) -> list[tuple]:
        raise AssertionError("a kept month was counted again")

    assert month_rows("test/1", march, no_count)[0][2] == 10


def test_the_month_in_progress_is_counted_every_time_and_never_kept(world):
    today = timezone.localdate()
    this_month = Scope(today.replace(day=1), today.replace(day=1), (world.crime.pk,))
    make_report(category=world.drugs)
    assert month_rows("test/1", this_month, selectors._received_count)[0][2] == 1
    assert not MonthFigures.objects.filter(name="test/1").exists()
    make_report(category=world.drugs)
    assert month_rows("test/1", this_month, selectors._received_count)[0][2] == 2


@pytest.mark.parametrize("work_mem", ["64MB", ""])
def test_the_grouped_passes_use_the_work_mem_setting(settings, work_mem):
    settings.STATS_WORK_MEM = work_mem
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SHOW work_mem")
            [(server,)] = cursor.fetchall()
        with CaptureQueriesContext(connection) as queries, selectors._large_aggregate():
            if postgresql:
                cursor.execute("SHOW work_mem")
                [(inside,)] = cursor.fetchall()
    if postgresql:
        assert inside == (work_mem or server)
    else:  # nothing to set on SQLite
        assert queries.captured_queries == []


def test_only_the_forgotten_months_are_counted_each_run_on_its_own(world):
    year = _year(world.crime, world.hotline)
    counted: list[tuple[date, date, tuple[int, ...]]] = []

    def count(scope: Scope) -> list[tuple]:
        counted.append((scope.first, scope.last, scope.line_ids))
        return selectors._received_count(scope)

    whole = month_rows("test/1", year, count)
    assert counted == [(date(2025, 1, 1), date(2025, 12, 1), year.line_ids)]
    # A write to March (crime) and a forgotten October and November (hotline).
    make_report(category=world.drugs, received_at=MARCH)
    MonthFigures.objects.filter(
        line=world.hotline, starts_at__gte=datetime(2025, 10, 1, tzinfo=AMSTERDAM)
    ).filter(starts_at__lt=datetime(2025, 12, 1, tzinfo=AMSTERDAM)).delete()
    counted.clear()
    again = month_rows("test/1", year, count)
    assert counted == [
        (date(2025, 3, 1), date(2025, 3, 1), (world.crime.pk,)),
        (date(2025, 10, 1), date(2025, 11, 1), (world.hotline.pk,)),
    ]
    march = (world.crime.pk, date(2025, 3, 1))
    assert sorted(row for row in again if row[:2] != march) == sorted(
        row for row in whole if row[:2] != march
    )
    assert [row[2] for row in again if row[:2] == march] == [10]


def test_triggers_lost_with_a_rebuilt_table_are_made_again_by_migrate(world):
    march = Scope(date(2025, 3, 1), date(2025, 3, 1), (world.crime.pk,))
    assert month_rows("test/1", march, selectors._received_count)[0][2] == 9
    # What Django does to an SQLite table it alters: a new table, without the triggers.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER stats_forget_intake_report_write ON intake_report")
        else:
            cursor.execute("DROP TRIGGER stats_forget_intake_report_insert")
    make_report(category=world.drugs, received_at=MARCH)
    assert month_rows("test/1", march, selectors._received_count)[0][2] == 9  # stale
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=[])
    make_report(category=world.drugs, received_at=MARCH)
    assert month_rows("test/1", march, selectors._received_count)[0][2] == 11
