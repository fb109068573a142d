"""The statistics pages: who may see them, which lines, bad input, CSV, charts, language."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from meldpunt.intake.models import Report
from meldpunt.privacy.middleware import CONTENT_SECURITY_POLICY
from meldpunt.stats import urls as stats_urls
from meldpunt.stats.figures import TABLES
from meldpunt.testing import (
    LOGIN,
    NOT_FOUND,
    OK,
    PERMISSION_ROLES,
    answer_mismatch,
    make_staff,
    sign_in,
)
from meldpunt.vault.models import AuditEvent, Role

from .world import StatsWorld

pytestmark = pytest.mark.django_db

ROLES = [role for role in PERMISSION_ROLES if role != "analyst_of_other_line"]
SUPERVISORS_AND_ADMINISTRATORS = {
    "administrator": OK,
    "supervisor": OK,
    "analyst_of_line": NOT_FOUND,
    "partner": NOT_FOUND,
    "anonymous": LOGIN,
}
PERIOD = {"start": "2025-01", "end": "2025-12"}
PHENOMENON = {"line": "crime", "year": "2025", "min_count": "10"}
POSTED = {"phenomenon_csv"}  # records the year's export: POST only


@pytest.fixture
def world() -> StatsWorld:
    return StatsWorld()


def _urls() -> list[tuple[str, str, dict]]:
    return [
        ("overview", reverse("stats:overview"), PERIOD),
        ("year", reverse("stats:year"), {"year": "2025"}),
        ("report", reverse("stats:report"), {"year": "2025"}),
        ("csv", reverse("stats:csv", args=["summary"]), PERIOD),
        ("csv", reverse("stats:csv", args=["pilot"]), PERIOD),  # the pilot evaluation
        ("phenomenon", reverse("stats:phenomenon"), PHENOMENON),
        ("phenomenon_csv", reverse("stats:phenomenon_csv"), PHENOMENON),
    ]


def test_the_matrix_covers_every_statistics_url():
    assert {name for name, _url, _data in _urls()} == {p.name for p in stats_urls.urlpatterns}


def _actor(world: StatsWorld, role: str):
    return {
        "administrator": lambda: world.administrator,
        "supervisor": lambda: world.supervisor,
        "analyst_of_line": lambda: world.holder,
        "partner": lambda: world.police.memberships.first().user,
        "anonymous": lambda: None,
    }[role]()


def _state() -> tuple:
    return (list(Report.objects.values().order_by("pk")), AuditEvent.objects.count())


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    client = Client()
    actor = _actor(world, role)
    if actor is not None:
        sign_in(client, actor)
    wrong = []
    for name, url, data in _urls():
        want = SUPERVISORS_AND_ADMINISTRATORS[role]
        before = _state()
        method = "POST" if name in POSTED else "GET"
        response = (client.post if name in POSTED else client.get)(url, data)
        if mismatch := answer_mismatch(response, want):
            wrong.append(f"{method} {name}: {mismatch}")
        if _state() != before:
            wrong.append(f"{method} {name}: something changed")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def english(client: Client, user) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, user)
    return client


def test_supervisors_see_only_their_lines(world, client):
    english(client, world.supervisor)
    page = client.get(reverse("stats:overview"), PERIOD).content.decode()
    assert world.crime.name in page and world.hotline.name not in page
    assert world.urls.name not in page
    # Another line's figures cannot be asked for: a form error, no figures.
    other = client.get(reverse("stats:overview"), {**PERIOD, "line": world.hotline.slug})
    assert other.status_code == 400
    assert "Select a valid choice" in other.content.decode()
    assert world.hotline.name not in other.content.decode()
    download = client.get(reverse("stats:csv", args=["lines"]), PERIOD).content.decode()
    assert world.hotline.name not in download


def test_administrators_see_every_line_and_can_pick_one(world, client):
    english(client, world.administrator)
    page = client.get(reverse("stats:overview"), PERIOD).content.decode()
    assert world.crime.name in page and world.hotline.name in page
    one = client.get(reverse("stats:csv", args=["lines"]), {**PERIOD, "line": "hotline"})
    assert list(csv.reader(io.StringIO(one.content.decode()))) == [
        ["Line", "Reports", "Share"],
        [world.hotline.name, "3", "100 %"],
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2025-13", "end": "2025-12"}, "Give a month as year and month, e.g. 2026-03."),
        ({"start": "2025/03", "end": "2025-12"}, "Give a month as year and month"),
        ({"start": "1899-01", "end": "2025-12"}, "Give a year from 2000 to 2100."),
        ({"start": "2025-06", "end": "2025-01"}, "The last month comes before the first month."),
        ({"start": "2000-01", "end": "2025-12"}, "Choose a period of at most 120 months."),
        ({"start": "", "end": "2025-12"}, "This field is required."),
        ({"start": "2025-01" * 100, "end": "2025-12"}, "at most 7 characters"),
    ],
)
def test_bad_periods_get_a_clear_message(world, client, data, message):
    english(client, world.supervisor)
    for url in (reverse("stats:overview"), reverse("stats:csv", args=["months"])):
        response = client.get(url, data)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode()


def test_bad_year_and_unknown_table(world, client):
    english(client, world.administrator)
    for year in ("1999", "twenty", "", "9" * 30):
        response = client.get(reverse("stats:year"), {"year": year})
        assert response.status_code == 400, year
        assert "Please check the following" in response.content.decode()
    assert client.get(reverse("stats:csv", args=["salaries"]), PERIOD).status_code == 404


def test_csv_download_hides_small_counts(world, client):
    english(client, world.administrator)
    response = client.get(reverse("stats:csv", args=["municipalities"]), PERIOD)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="statistics-municipalities-2025-01-2025-12.csv"'
    )
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Municipality", "Reports"],
        ["Amsterdam (GM0363)", "7"],
        ["Appingedam (GM0001)", "< 5"],
        ["Not given", "< 5"],
    ]


def test_csv_cells_cannot_become_spreadsheet_formulas(world, client):
    world.weapons.name = "=HYPERLINK(1)"
    world.weapons.save()
    english(client, world.administrator)
    response = client.get(reverse("stats:csv", args=["categories"]), PERIOD)
    cells = [row[1] for row in csv.reader(io.StringIO(response.content.decode()))]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells


def test_page_has_charts_and_nothing_outside_the_policy(world, client):
    english(client, world.supervisor)
    response = client.get(reverse("stats:overview"), PERIOD)
    page = response.content.decode()
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.count("<svg") >= 6
    assert "<script" not in page and " style=" not in page.split("<main", 1)[1]
    assert "<style" not in page
    # The only absolute address is the SVG namespace, which is never fetched.
    assert {part.split('"')[0] for part in page.split('="http')[1:]} == {"://www.w3.org/2000/svg"}
    assert page.count('href="/staff/stats/csv/') == len(TABLES) == 18


def test_defaults_to_this_year(world, client):
    english(client, world.supervisor)
    response = client.get(reverse("stats:overview"))
    assert response.status_code == 200
    assert 'name="start"' in response.content.decode()


def test_year_overview_compares_with_the_year_before(world, client):
    english(client, world.administrator)
    response = client.get(reverse("stats:year"), {"year": "2025"})
    page = response.content.decode()
    assert "Year overview 2025" in page
    assert "12 reports received in 2025." in page
    assert "Received in 2024: 1; change: +1100 %." in page
    assert "start=2025-01&amp;end=2025-12" in page
    crime_only = client.get(reverse("stats:year"), {"year": "2025", "line": "crime"})
    assert "9 reports received in 2025." in crime_only.content.decode()


def test_pages_follow_the_browser_language(world, client):
    sign_in(client, world.supervisor)
    dutch = client.get(reverse("stats:overview"), PERIOD, HTTP_ACCEPT_LANGUAGE="nl")
    english_page = client.get(reverse("stats:overview"), PERIOD, HTTP_ACCEPT_LANGUAGE="en")
    assert dutch["Content-Language"] == "nl" and english_page["Content-Language"] == "en"
    assert '<html lang="nl">' in dutch.content.decode()
    assert "Reports per municipality" in english_page.content.decode()


def test_navigation_links_to_statistics_for_supervisors_only(world):
    link = f'href="{reverse("stats:overview")}"'
    for user, shown in (
        (world.supervisor, True),
        (world.administrator, True),
        (world.holder, False),
        (make_staff(lines=[world.crime], role=Role.ANALYST), False),
    ):
        client = Client()
        sign_in(client, user)
        page = client.get(reverse("cases:queue")).content.decode()
        assert (link in page) is shown, user.role


def test_a_supervisor_without_lines_sees_empty_figures(world, client):
    english(client, make_staff(role=Role.SUPERVISOR))
    response = client.get(reverse("stats:overview"), PERIOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert world.crime.name not in page and "Amsterdam" not in page
    summary = client.get(reverse("stats:csv", args=["summary"]), PERIOD).content.decode()
    assert "Reports received,0," in summary
