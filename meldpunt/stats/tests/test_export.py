"""``meldpunt stats export``: the annual figures as CSV and JSON."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from .world import StatsWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> StatsWorld:
    return StatsWorld()


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", "export", *args, stdout=out)
    return out.getvalue()


def test_json_export_of_a_year(world, capsys):
    call_command("stats", "export", "--year", "2025", "--format", "json", "--language", "en")
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2025 and data["min_count"] == 5 and data["line"] is None
    tables = {table["table"]: table for table in data["tables"]}
    summary = {row["labels"][0]: row for row in tables["summary"]["rows"]}
    assert summary["Reports received"]["number"] == 12
    assert summary["Reports forwarded to a partner"]["share"] == 16.7
    municipalities = {row["labels"][0]: row for row in tables["municipalities"]["rows"]}
    assert municipalities["Amsterdam (GM0363)"] == {"labels": ["Amsterdam (GM0363)"], "reports": 7}
    assert municipalities["Appingedam (GM0001)"] == {
        "labels": ["Appingedam (GM0001)"],
        "reports": None,
        "hidden": ["reports"],
    }
    assert tables["municipalities"]["hides_small_counts"] is True


def test_csv_export_of_one_line(world, capsys, tmp_path):
    target = tmp_path / "2025.csv"
    call_command(
        "stats",
        "export",
        "--year",
        "2025",
        "--line",
        "crime",
        "--language",
        "en",
        "--output",
        str(target),
    )
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["table", "label_1", "label_2", "label_3", "measure", "value"]
    assert ["summary", "Reports received", "", "", "number", "9"] in rows
    assert ["lines", world.crime.name, "", "", "reports", "9"] in rows
    assert not any(world.hotline.name in row for row in rows)
    assert ["months", "2025-03", "", "", "reports", "9"] in rows
    assert [
        "municipality_categories",
        "Appingedam (GM0001)",
        world.weapons.name,
        "",
        "reports",
        "< 5",
    ] in rows


def test_dutch_by_default(world, capsys):
    call_command("stats", "export", "--year", "2025")
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    # Status names are translated already; the stats' own strings follow the merge.
    assert ["statuses", "Nieuw", "", "", "reports", "7"] in rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1999"], "--year must be from 2000 to 2100"),
        (["--year", "2025", "--line", "nope"], "no line with the slug 'nope'"),
    ],
)
def test_bad_arguments(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("stats", "export", *args)
