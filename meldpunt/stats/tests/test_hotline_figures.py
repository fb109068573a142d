"""Content-hotline outcomes in the statistics, against figures computed by hand.

Ten addresses of reports received in May 2025: eight from the public form, two
from a partner hotline (counted apart), with assessments, hosting routes and
removal times chosen so that every figure below can be checked on paper.
"""

import json
from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from meldpunt.cases.tests.factories import make_report
from meldpunt.hotline.models import (
    Assessment,
    HostingRoute,
    HotlineState,
    KnownStatus,
    ReportedUrl,
)
from meldpunt.lines.models import LineKind
from meldpunt.network.models import PartnerHotlineReport, PartnerKind
from meldpunt.network.tests.factories import make_partner
from meldpunt.stats import figures
from meldpunt.stats.export import tables_json
from meldpunt.stats.selectors import Scope, histogram_percentile
from meldpunt.testing import make_category, make_line

from .world import AMSTERDAM

pytestmark = pytest.mark.django_db
MAY = datetime(2025, 5, 20, 9, tzinfo=AMSTERDAM)

ILLEGAL, NOT_ILLEGAL = Assessment.ILLEGAL, Assessment.NOT_ILLEGAL
DOMESTIC, PARTNER, ABROAD = (
    HostingRoute.DOMESTIC,
    HostingRoute.PARTNER_HOTLINE,
    HostingRoute.ABROAD,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class HotlineWorld:
    def __init__(self) -> None:
        self.line = make_line(kind=LineKind.CONTENT_HOTLINE)
        self.category = make_category(line=self.line)
        self.partner = make_partner(
            name="Hotline DE", kind=PartnerKind.FOREIGN_HOTLINE, country="DE"
        )
        # From the public form: (assessment, known, route, state, hours to removal)
        own = [
            (ILLEGAL, "", DOMESTIC, HotlineState.GONE, 10.5),  # floors to 10 h
            (ILLEGAL, "", DOMESTIC, HotlineState.GONE, 30),
            (ILLEGAL, "", DOMESTIC, HotlineState.GONE, 50),
            (ILLEGAL, "", PARTNER, HotlineState.FORWARDED, None),
            ("", KnownStatus.KNOWN, ABROAD, HotlineState.GONE, 100),
            (NOT_ILLEGAL, "", DOMESTIC, HotlineState.NOT_ILLEGAL, None),
            ("", "", HostingRoute.UNKNOWN, HotlineState.NEW, None),
            (NOT_ILLEGAL, KnownStatus.KNOWN, DOMESTIC, HotlineState.NOT_ILLEGAL, None),
        ]
        for row in own:
            self.address(*row)
        # From the partner hotline.
        for index, row in enumerate(
            [
                (ILLEGAL, "", DOMESTIC, HotlineState.GONE, 20),
                ("", "", HostingRoute.UNKNOWN, HotlineState.NEW, None),
            ]
        ):
            PartnerHotlineReport.objects.create(
                partner=self.partner, external_id=f"DE-{index}", reported_url=self.address(*row)
            )
        # Not counted: a report of 2024, and one of another line.
        self.address(ILLEGAL, "", DOMESTIC, HotlineState.GONE, 1, received=MAY.replace(year=2024))
        other = make_category(line=make_line(kind=LineKind.CONTENT_HOTLINE))
        self.address(ILLEGAL, "", DOMESTIC, HotlineState.GONE, 1, category=other)

    def address(self, assessment, known, route, state, hours, *, received=MAY, category=None):
        report = make_report(category=category or self.category, received_at=received)
        return ReportedUrl.objects.create(
            report=report,
            sealed_url=b"sealed",
            url_tag="tag",
            created_at=received,
            assessment=assessment,
            known_status=known or KnownStatus.NOT_KNOWN,
            route=route,
            state=state,
            gone_at=received + timedelta(hours=hours) if hours is not None else None,
        )

    def scope(self) -> Scope:
        return Scope(first=date(2025, 1, 1), last=date(2025, 12, 1), line_ids=(self.line.pk,))


def shown(slug: str, scope: Scope) -> dict[tuple[str, ...], list[str]]:
    table = figures.TABLES[slug](scope)
    width = len(table.columns)
    return {
        tuple(row[:width]): row[width:] for row in figures.display_rows(table, figures.min_count())
    }


def test_key_figures_count_partner_reports_apart():
    scope = HotlineWorld().scope()
    assert shown("hotline_summary", scope) == {
        ("Web addresses reported",): ["10", "100 %"],
        ("of which from reporters",): ["8", "80 %"],
        ("of which from partner hotlines",): ["2", "20 %"],
        ("Forwarded to a partner hotline",): ["1", "10 %"],
        ("No longer online (removed)",): ["5", "50 %"],
    }


def test_addresses_per_assessment_class_with_percentages():
    table = figures.TABLES["hotline_assessment"](HotlineWorld().scope())
    assert dict(table.rows) == {
        # reporters: 8 addresses; partner hotlines: 2
        ("Illegal (assessed by an analyst)",): (4, 50.0, 1, 50.0),
        ("Known material (recognised, not assessed)",): (1, 12.5, 0, 0.0),
        ("Not illegal",): (2, 25.0, 0, 0.0),
        ("Not assessed yet",): (1, 12.5, 1, 50.0),
    }
    assert not table.is_sensitive


def test_illegal_material_hosted_here_and_abroad():
    table = figures.TABLES["hotline_hosting"](HotlineWorld().scope())
    assert dict(table.rows) == {
        # illegal or known, not judged "not illegal": 5 from reporters, 1 from the partner
        ("Hosted here",): (3, 60.0, 1, 100.0),
        ("Abroad, in a country with a partner hotline",): (1, 20.0, 0, 0.0),
        ("Abroad, in a country without a partner hotline",): (1, 20.0, 0, 0.0),
        ("Hosting not traced",): (0, 0.0, 0, 0.0),
    }


def test_median_and_90th_percentile_of_the_time_to_removal():
    table = figures.TABLES["hotline_removal"](HotlineWorld().scope())
    assert dict(table.rows) == {
        # hosted here: 10, 20, 30, 50 h -> median 25, 90 % by the 4th (ceil 3.6) = 50
        ("Hosted here",): (4, 25.0, 50),
        ("Abroad, in a country with a partner hotline",): (0, None, None),
        # abroad: 100 h
        ("Abroad, in a country without a partner hotline",): (1, 100.0, 100),
        ("Hosting not traced",): (0, None, None),
        # all: 10, 20, 30, 50, 100 -> median 30, 90 % by the 5th (ceil 4.5) = 100
        ("All addresses",): (5, 30.0, 100),
    }
    assert shown("hotline_removal", HotlineWorld().scope())[("Hosting not traced",)] == [
        "0",
        "–",
        "–",
    ]


def test_histogram_percentile():
    assert histogram_percentile({}, 90) is None
    assert histogram_percentile({5: 1}, 90) == 5
    assert histogram_percentile({1: 9, 100: 1}, 90) == 1
    assert histogram_percentile({1: 8, 100: 2}, 90) == 100
    assert histogram_percentile({h: 1 for h in range(1, 21)}, 90) == 18
    assert histogram_percentile({h: 1 for h in range(1, 21)}, 50) == 10


def test_the_annual_export_carries_the_hotline_tables():
    scope = HotlineWorld().scope()
    exported = json.loads(tables_json(figures.tables_compute(scope), figures.min_count()))
    tables = {table["table"]: table for table in exported["tables"]}
    [removal] = [
        row for row in tables["hotline_removal"]["rows"] if row["labels"] == ["Hosted here"]
    ]
    assert (removal["removed"], removal["median_hours"], removal["p90_hours"]) == (4, 25.0, 50)
    assert {"hotline_summary", "hotline_assessment", "hotline_hosting"} <= set(tables)
