"""The phenomenon analysis export and the public figures page (docs/statistics.md).

The acceptance test is an attacker (``attacker.py``) that reads the published
CSV and computes, by linear programming, every value a hidden count could have
given the row, column and grand totals, alone and together with a second
export of the same year. It must recover nothing from the export, and it does
recover counts from the per-table hiding of the older statistics tables.
"""

import io
import itertools
import random
import secrets
import uuid
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meldpunt.cases.models import Case, CaseClassification
from meldpunt.cases.tests.factories import make_scheme
from meldpunt.intake.models import Report
from meldpunt.lines.models import Municipality
from meldpunt.stats import figures, phenomenon
from meldpunt.stats.models import PhenomenonExport, PhenomenonSettings
from meldpunt.stats.selectors import Scope
from meldpunt.stats.suppression import suppress
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault.models import AuditEvent, DataKey, Role

from .attacker import Grid, bounds, grids_from_csv, recovered
from .test_annual_report import AMSTERDAM, insert_rows

pytestmark = pytest.mark.django_db

YEAR = 2025
PROVINCES = {
    "GM0363": "Noord-Holland",
    "GM0344": "Utrecht",
    "GM0014": "Groningen",
    "GM0599": "Zuid-Holland",
}
_references = itertools.count()


def seed(category, regions: dict[str, int], quarters: list[int], options: list, year=YEAR):
    """Reports of one category: so many per municipality code, per quarter and per option.

    The three lists are zipped report by report (they must add up to the same
    number); an option of None leaves the report unclassified. Plaintext rows
    only, as the annual report test seeds them.
    """
    places = [code for code, n in regions.items() for _ in range(n)]
    months = [3 * q - 2 for q, n in enumerate(quarters, start=1) for _ in range(n)]
    assert len(places) == len(months) == len(options)
    keys = [uuid.uuid4() for _ in places]
    start = datetime(year, 1, 1, tzinfo=AMSTERDAM)
    insert_rows(
        DataKey, ("id", "line", "created_at"), [(key, category.line_id, start) for key in keys]
    )
    references = [f"P{next(_references):07d}" for _ in places]
    insert_rows(
        Report,
        ("reference", "line", "category", "municipality_code", "received_at", "last_activity_at")
        + ("receipt_lookup", "data_key", "sealed_content", "needs_attention"),
        [
            (
                reference,
                category.line_id,
                category.pk,
                code,
                datetime(year, month, 15, 12, tzinfo=AMSTERDAM),
                start,
                secrets.token_bytes(32),
                key,
                b"",
                False,
            )
            for reference, code, month, key in zip(references, places, months, keys, strict=True)
        ],
    )
    classified = [(ref, o) for ref, o in zip(references, options, strict=True) if o is not None]
    ids = dict(
        Report.objects.filter(reference__in=[r for r, _o in classified]).values_list(
            "reference", "pk"
        )
    )
    insert_rows(Case, ("report",), [(ids[r],) for r, _o in classified])
    cases = dict(Case.objects.filter(report_id__in=ids.values()).values_list("report_id", "pk"))
    insert_rows(
        CaseClassification,
        ("case", "option"),
        [(cases[ids[r]], option.pk) for r, option in classified],
    )


class World:
    """A confidential line's year: small counts by region, a small category, a classification."""

    def __init__(self) -> None:
        for code, province in PROVINCES.items():
            Municipality.objects.get_or_create(
                code=code, defaults={"name": code, "province": province}
            )
        self.line = make_line(slug="confidential")
        self.influence = self.category("Beïnvloeding", "Influence")
        self.espionage = self.category("Spionage", "Espionage")
        self.intimidation = self.category("Intimidatie")
        self.sabotage = self.category("Sabotage")
        self.unused = self.category("Ongebruikt")
        scheme = make_scheme(line=self.line, slug="motive", options=("state", "criminal"))
        state, criminal = scheme.options.order_by("order")
        self.settings = PhenomenonSettings.objects.create(line=self.line)
        self.settings.schemes.add(scheme)
        nh, ut, gr, zh = PROVINCES
        # Groningen (4 in all) and Zuid-Holland (8) are small columns; several cells are 1 to 9.
        seed(
            self.influence,
            {nh: 40, ut: 12, gr: 3, zh: 5},
            [15, 15, 15, 15],
            [state] * 50 + [criminal] * 4 + [None] * 6,
        )
        seed(
            self.espionage,
            {nh: 20, ut: 7, gr: 1, zh: 2},
            [10, 8, 7, 5],
            [state] * 25 + [criminal] * 2 + [None] * 3,
        )
        # Two categories of 6 and 5: each too small alone, counted together (11).
        seed(self.intimidation, {nh: 5, ut: 1, "": 0}, [2, 2, 1, 1], [state] * 3 + [None] * 3)
        seed(self.sabotage, {nh: 3, ut: 1, zh: 1}, [1, 1, 1, 2], [state] * 2 + [criminal] * 3)

    def category(self, name: str, name_en: str = ""):
        category = make_category(line=self.line)
        category.name, category.name_en = name, name_en
        category.save()
        return category


def export_text(slug: str, year: int = YEAR, k: int | None = None, stderr=None) -> str:
    out = io.StringIO()
    arguments = ["export", "--phenomenon", "--line", slug, "--year", str(year)]
    arguments += ["--language", "en", *(["--min-count", str(k)] if k else [])]
    call_command("stats", *arguments, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def test_no_hidden_count_of_an_export_can_be_worked_out_from_its_totals():
    world = World()
    text = export_text(world.line.slug)
    grids = grids_from_csv(text)
    assert [grid.name.rsplit("/", 1)[1] for grid in grids] == [
        "regions",
        "quarters",
        "scheme-motive",
    ]
    regions = grids[0]
    # The small categories are one row; the unused one shows its zeros.
    assert set(regions.row_totals) == {
        "Influence",
        "Espionage",
        "Ongebruikt",
        "Other categories, combined",
    }
    assert regions.row_totals["Other categories, combined"] == 11 and regions.total == 101
    assert regions.column_totals["Groningen"] is None  # 4: primary
    assert regions.column_totals["Zuid-Holland"] is None  # 8: primary
    assert regions.column_totals["Noord-Holland"] == 68  # shown
    # Every count from 1 to 9 is hidden, zeros are shown.
    for grid in grids:
        truth = {cell for cell, value in grid.cells.items() if value is not None}
        assert all(not 0 < grid.cells[cell] < 10 for cell in truth), grid.name
        assert all(v is None or not 0 < v < 10 for v in grid.column_totals.values())
    assert regions.cells[("Ongebruikt", "Groningen")] == 0
    hidden = bounds(grids)
    assert len(hidden) >= 8  # primary and complementary cells
    assert recovered(grids) == {}
    # Each hidden count has a range of at least two whole numbers.
    assert all(high is None or high - low >= 1 for low, high in hidden.values())


def test_the_attacker_recovers_counts_that_are_hidden_per_table_only():
    """The check is real: the same table with small counts hidden and nothing else, and the
    statistics pages' per-table hiding (municipality totals and municipality x category)."""
    world = World()
    state, tables = phenomenon.compute(world.line, YEAR, 10)
    regions = tables[0]
    labels = [row["label"]["en"] for row in regions["rows"]]
    columns = [label["en"] for label in regions["columns"]]
    truth = export_truth(world)
    primary_only = Grid(
        name="primary-only",
        cells={
            (r, c): None if 0 < truth[(r, c)] < 10 else truth[(r, c)]
            for r in labels
            for c in columns
        },
        row_totals={r: sum(truth[(r, c)] for c in columns) for r in labels},
        column_totals={
            c: None if 0 < (n := sum(truth[(r, c)] for r in labels)) < 10 else n for c in columns
        },
        total=regions["total"],
    )
    assert recovered([primary_only])  # e.g. a row with one small count

    # Per-table hiding of the staff statistics: a municipality's total and its categories.
    scope = Scope(first=date(YEAR, 1, 1), last=date(YEAR, 12, 1), line_ids=(world.line.pk,))
    threshold = figures.min_count()
    with translation.override("en"):
        per_place = figures.municipalities_table(scope)
        per_place_category = figures.municipality_categories_table(scope)

    def shown(table, value):
        return None if table.is_hidden(value, table.measures[0], threshold) else value

    old = Grid(
        name="annual",
        cells={
            labels: shown(per_place_category, values[0])
            for labels, values in per_place_category.rows
        },
        row_totals={labels[0]: shown(per_place, values[0]) for labels, values in per_place.rows},
        most=threshold - 1,
    )
    found = recovered([old])
    # Utrecht (GM0344): 21 in all, Influence 12 and Espionage 7 shown, so the two hidden
    # ("< 5") counts of Intimidatie and Sabotage add up to 2: one report each.
    assert found[("annual", "cell", "GM0344 (GM0344)", "Intimidatie")] == 1
    assert found[("annual", "cell", "GM0344 (GM0344)", "Sabotage")] == 1


def export_truth(world: World) -> dict[tuple[str, str], int]:
    """The unsuppressed region table of the world, by English labels."""
    return {
        (row, column): value
        for row, values in {
            "Influence": {"Groningen": 3, "Noord-Holland": 40, "Utrecht": 12, "Zuid-Holland": 5},
            "Espionage": {"Groningen": 1, "Noord-Holland": 20, "Utrecht": 7, "Zuid-Holland": 2},
            "Ongebruikt": {},
            "Other categories, combined": {"Noord-Holland": 8, "Utrecht": 2, "Zuid-Holland": 1},
        }.items()
        for column in ["Groningen", "Noord-Holland", "Utrecht", "Zuid-Holland", "Region not known"]
        for value in [values.get(column, 0)]
    }


def test_a_second_export_of_the_same_year_reveals_nothing_more():
    """The first export is recorded; asking again (another k, data changed since) gives it again.
    Without the record, two versions would give hidden counts away."""
    world = World()
    first = export_text(world.line.slug)
    assert PhenomenonExport.objects.filter(line=world.line, year=YEAR, min_count=10).exists()
    # Later: a report reclassified, and someone asks with k = 5.
    seed(world.espionage, {"GM0014": 1}, [0, 0, 0, 1], [None])
    err = io.StringIO()
    second = export_text(world.line.slug, k=5, stderr=err)
    assert second == first
    assert "exported before with --min-count 10" in err.getvalue()
    assert recovered(grids_from_csv(first) + grids_from_csv(second)) == {}


def test_without_the_record_a_second_export_with_another_k_would_give_counts_away():
    """Why the first export is recorded: the same year with k = 5 next to the one with k = 10."""
    world = World()
    first = grids_from_csv(export_text(world.line.slug))
    with translation.override("en"):
        _state, tables = phenomenon.compute(world.line, YEAR, 5)
        fresh = PhenomenonExport(line=world.line, year=YEAR, min_count=5, tables=tables)
        second = grids_from_csv(phenomenon.export_csv(fresh))
    assert recovered(second) == {}  # each alone is safe
    found = recovered(first + second, of=first)
    # The three reports of the merged small categories in Q1 (2 + 1 with k = 5), and the
    # 9 "criminal" motives hidden at k = 10 and shown at k = 5.
    assert found[(f"confidential/{YEAR}/quarters", "cell", "Other categories, combined", "Q1")] == 3
    assert found[(f"confidential/{YEAR}/scheme-motive", "column", "criminal")] == 9


def test_suppression_of_random_tables_protects_every_hidden_count():
    """Tables of skewed random counts: every small count hidden, none recoverable."""
    generator = random.Random(18)
    published = 0
    for _round in range(12):
        height, width = generator.randint(1, 4), generator.randint(2, 5)
        k = generator.choice([3, 5, 10])
        cells = [
            [generator.choice([0, 1, 2, 3, 5, 8, 12, 20, 40]) for _c in range(width)]
            for _r in range(height)
        ]
        cells = [row for row in cells if sum(row) >= k] or [[k] + [0] * (width - 1)]
        hide = suppress(cells, k)
        if hide is None:
            continue  # the table is withheld
        height = len(cells)
        totals = [sum(row[c] for row in cells) for c in range(width)]
        for (r, c), value in [
            *(((r, c), cells[r][c]) for r in range(height) for c in range(width)),
            *(((height, c), totals[c]) for c in range(width)),
        ]:
            if value == 0:
                assert (r, c) not in hide  # a zero singles nobody out and protects nothing
            elif value < k:
                assert (r, c) in hide
        grid = Grid(
            name="random",
            cells={
                (str(r), str(c)): None if (r, c) in hide else cells[r][c]
                for r in range(height)
                for c in range(width)
            },
            row_totals={str(r): sum(cells[r]) for r in range(height)},
            column_totals={
                str(c): None if (height, c) in hide else totals[c] for c in range(width)
            },
            total=sum(totals),
        )
        assert recovered([grid]) == {}, cells
        published += bool(hide)
    assert published >= 6  # most tables had something to hide and were still published


def test_a_year_not_over_no_reports_no_categories_or_a_large_k_is_a_clear_empty_state():
    world = World()
    bare = make_line(slug="bare")  # no categories
    this_year = date.today().year
    err = io.StringIO()
    cases = [
        (world.line.slug, this_year, None, "is not over yet"),
        (world.line.slug, this_year + 3, None, "is not over yet"),
        (world.line.slug, 2019, None, "No reports were received in 2019"),
        (bare.slug, YEAR, None, f"No reports were received in {YEAR}"),
        (world.line.slug, YEAR, 1000, "Fewer than 1000 reports"),
    ]
    for slug, year, k, sentence in cases:
        err = io.StringIO()
        assert export_text(slug, year, k, stderr=err) == ""
        assert sentence in err.getvalue()
    assert not PhenomenonExport.objects.exists()
    # k above every cell but not above the year's total: one merged row (and the zero row),
    # every count hidden, the grand total shown, and still nothing to work out.
    with translation.override("en"):
        state, tables = phenomenon.compute(world.line, YEAR, 100)
        large = PhenomenonExport(line=world.line, year=YEAR, min_count=100, tables=tables)
        grids = grids_from_csv(phenomenon.export_csv(large))
    assert state == phenomenon.ExportState.FIGURES
    assert [row["label"]["en"] for row in tables[0]["rows"]] == [
        "Ongebruikt",
        "Other categories, combined",
    ]
    assert all(value in (None, 0) for grid in grids for value in grid.cells.values())
    assert {grid.total for grid in grids} == {101}
    assert recovered(grids) == {}
    with pytest.raises(CommandError, match="needs --line"):
        call_command("stats", "export", "--phenomenon", "--year", str(YEAR))
    with pytest.raises(CommandError, match="--min-count must be from 1"):
        export_text(world.line.slug, k=-1)


@pytest.fixture
def world() -> World:
    return World()


def staff_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def test_staff_page_previews_and_the_download_records_the_export(world):
    supervisor = staff_client(make_staff(lines=[world.line], role=Role.SUPERVISOR))
    data = {"line": world.line.slug, "year": str(YEAR), "min_count": "10"}
    page = supervisor.get(reverse("stats:phenomenon"), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="phenomenon-preview"' in text and "Other categories, combined" in text
    assert not PhenomenonExport.objects.exists()
    download = supervisor.post(reverse("stats:phenomenon_csv"), data)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert recovered(grids_from_csv(download.content.decode())) == {}
    export = PhenomenonExport.objects.get()
    assert export.created_by.role == Role.SUPERVISOR
    event = AuditEvent.objects.get(action="stats.phenomenon_export")
    assert event.actor == export.created_by and event.target_id == str(export.pk)
    assert event.details == {"line": world.line.slug, "year": YEAR, "min_count": 10}
    again = supervisor.get(reverse("stats:phenomenon"), {**data, "min_count": "3"})
    assert 'id="phenomenon-recorded"' in again.content.decode()
    assert download.content == supervisor.post(reverse("stats:phenomenon_csv"), data).content
    # Bad input and empty states: a message, never a 500.
    for bad, status, sentence in [
        ({**data, "year": "abc"}, 400, "Enter a whole number"),
        ({**data, "min_count": "0"}, 400, "greater than or equal to 1"),
        ({**data, "year": "2019"}, 200, "No reports were received in 2019"),
        ({**data, "year": str(date.today().year + 1)}, 200, "is not over yet"),
    ]:
        response = supervisor.get(reverse("stats:phenomenon"), bad)
        assert response.status_code == status and sentence in response.content.decode(), bad
    # The default (no query): last year of the supervisor's first line.
    assert supervisor.get(reverse("stats:phenomenon")).status_code == 200


def test_only_supervisors_of_the_line_and_administrators_may_export(world):
    data = {"line": world.line.slug, "year": str(YEAR), "min_count": "10"}
    other = make_category(line=make_line(slug="other")).line
    analyst = staff_client(make_staff(lines=[world.line], role=Role.ANALYST))
    assert analyst.get(reverse("stats:phenomenon"), data).status_code == 404
    assert analyst.post(reverse("stats:phenomenon_csv"), data).status_code == 404
    outsider = staff_client(make_staff(lines=[other], role=Role.SUPERVISOR))
    assert outsider.post(reverse("stats:phenomenon_csv"), data).status_code == 400
    assert not PhenomenonExport.objects.exists()
    anonymous = Client()
    assert anonymous.get(reverse("stats:phenomenon"), data).status_code == 302
    administrator = staff_client(make_staff(role=Role.ADMINISTRATOR))
    assert administrator.get(reverse("stats:phenomenon"), data).status_code == 200


def test_the_public_figures_page_is_off_by_default_and_shows_the_recorded_export(world):
    anonymous = Client()
    with translation.override("nl"):  # an earlier request may have left English active
        url = reverse("public-figures", args=[world.line.slug])
        year_url = reverse("public-figures-year", args=[world.line.slug, YEAR])
        old_year_url = reverse("public-figures-year", args=[world.line.slug, 2019])
    phenomenon.record(world.line, YEAR)
    assert anonymous.get(url).status_code == 404  # off by default
    world.settings.public_figures = True
    world.settings.save()
    response = anonymous.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Overige categorieën samen" in page and ">x<" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert anonymous.get(year_url).content == response.content
    with translation.override("en"):
        english_url = reverse("public-figures", args=[world.line.slug])
    assert english_url.startswith("/en/")
    english = anonymous.get(english_url).content.decode()
    assert "Other categories, combined" in english and "Region not known" in english
    assert anonymous.get(old_year_url).status_code == 404
    # A line that turned the page on but recorded nothing yet says so.
    quiet = make_line(slug="quiet")
    PhenomenonSettings.objects.create(line=quiet, public_figures=True)
    with translation.override("nl"):
        empty = anonymous.get(reverse("public-figures", args=[quiet.slug]))
    assert empty.status_code == 200
    assert "Er zijn nog geen cijfers gepubliceerd." in empty.content.decode()
    # Another line, not turned on, and one that does not exist.
    other = make_line(slug="other")
    assert anonymous.get(reverse("public-figures", args=[other.slug])).status_code == 404
    assert anonymous.get(reverse("public-figures", args=["nope"])).status_code == 404
