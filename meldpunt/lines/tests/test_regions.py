"""Issue 13, item 1: municipalities, mergers and postcodes from CBS files, and resolution.

The sample files in lines/data/regions/ have the layout of the real CBS files
(docs/operations.md, "Municipalities and postcodes"); the tests import them
through the ``meldpunt regions`` command and then break copies of them.
"""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from meldpunt.lines.models import Municipality, PostcodeArea
from meldpunt.lines.regions import (
    LocationStatus,
    municipality_code_normalise,
    postcode_parse,
    postcode_resolve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are read in English here; the operator's default is Dutch (tested below)."""
    with translation.override("en"):
        yield


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "regions"
MUNICIPALITIES = SAMPLES / "gemeenten-alfabetisch-2025.csv"
MERGERS = SAMPLES / "herindelingen.csv"
POSTCODES = SAMPLES / "pc6hnr-sample.csv"
TODAY = date(2026, 12, 5)


def _import(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("regions", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _import_samples() -> str:
    out, _err = _import(
        "--municipalities", str(MUNICIPALITIES), "--mergers", str(MERGERS),
        "--postcodes", str(POSTCODES), "--no-progress",
    )  # fmt: skip
    return out


def _table() -> list[tuple]:
    return sorted(PostcodeArea.objects.values_list("postcode", "municipality", "addresses"))


def _names(location) -> list[tuple[str, int]]:
    return [(c.municipality.name, c.addresses) for c in location.candidates]


def test_the_sample_files_import_with_counts_per_postcode_and_area():
    out = _import_samples()
    assert "9 municipalities, 5 mergers, 10 postcodes (17 addresses) imported" in out
    amsterdam = Municipality.objects.get(code="GM0363")
    assert (amsterdam.name, amsterdam.province, amsterdam.ended_on) == (
        "Amsterdam",
        "Noord-Holland",
        None,
    )
    weesp = Municipality.objects.get(code="GM0457")  # only known from the merger file
    assert weesp.ended_on == date(2022, 3, 24)
    assert list(weesp.successors.values_list("code", flat=True)) == ["GM0363"]
    haaren = Municipality.objects.get(code="GM0788")
    assert sorted(haaren.successors.values_list("name", flat=True)) == [
        "Boxtel",
        "Oisterwijk",
        "Tilburg",
        "Vught",
    ]
    rows = _table()
    assert ("1012AB", "GM0363", 3) in rows
    assert ("1012", "GM0363", 5) in rows  # 1012AB and 1012LG together
    # The four-digit area 5076 spans two municipalities, with their address counts.
    assert [row for row in rows if row[0] == "5076"] == [
        ("5076", "GM0824", 3),
        ("5076", "GM0865", 1),
    ]


@pytest.mark.parametrize("typed", ["1012 AB", "1012AB", "1012ab", " 1012 ab ", "Damrak 1, 1012 AB"])
def test_a_six_position_postcode_resolves_to_its_municipality(typed):
    _import_samples()
    location = postcode_resolve(text=typed, on=TODAY)
    assert location.status == LocationStatus.FOUND
    assert location.postcode == "1012 AB"
    assert location.municipality.code == "GM0363"
    assert not location.is_area_only


def test_a_four_digit_postcode_within_one_municipality_resolves():
    _import_samples()
    location = postcode_resolve(text="1012", on=TODAY)
    assert (location.status, location.postcode) == (LocationStatus.FOUND, "1012")
    assert _names(location) == [("Amsterdam", 5)]


def test_a_four_digit_postcode_spanning_two_municipalities_gives_both_candidates():
    _import_samples()
    location = postcode_resolve(text="5076", on=TODAY)
    assert location.status == LocationStatus.AMBIGUOUS
    assert location.municipality is None
    assert _names(location) == [("Oisterwijk", 3), ("Vught", 1)]  # most addresses first


def test_an_unknown_six_position_postcode_falls_back_to_its_area():
    _import_samples()
    location = postcode_resolve(text="5076 ZZ", on=TODAY)
    assert location.status == LocationStatus.AMBIGUOUS
    assert location.is_area_only
    assert _names(location) == [("Oisterwijk", 3), ("Vught", 1)]
    # A full postcode of an area with one municipality resolves through its area.
    assert postcode_resolve(text="1012 ZZ", on=TODAY).municipality.code == "GM0363"


def test_unknown_and_missing_postcodes_are_said_so():
    _import_samples()
    assert postcode_resolve(text="9999 ZZ", on=TODAY).status == LocationStatus.UNKNOWN
    assert postcode_resolve(text="near the station", on=TODAY).status == (
        LocationStatus.NO_POSTCODE
    )
    assert postcode_parse("0123 AB") == ""  # Dutch postcodes never start with 0


def test_rows_of_a_merged_municipality_resolve_to_its_successor_as_of_the_date(tmp_path):
    _import_samples()
    older = tmp_path / "pc6hnr2021.csv"
    older.write_text(
        "PC6;Huisnummer;Buurt2021;Wijk2021;Gemeente2021\n"
        "1381AA;1;04570101;045701;0457\n"
        "5074AA;1;07880300;078803;0788\n",
        encoding="utf-8",
    )
    _import("--postcodes", str(older), "--no-progress")
    after = postcode_resolve(text="1381 AA", on=date(2022, 3, 24))
    assert after.municipality.name == "Amsterdam"
    before = postcode_resolve(text="1381 AA", on=date(2022, 3, 23))
    assert before.municipality.name == "Weesp"
    # Haaren was split over four municipalities: each is a candidate.
    split = postcode_resolve(text="5074 AA", on=date(2021, 1, 1))
    assert split.status == LocationStatus.AMBIGUOUS
    assert [name for name, _n in _names(split)] == ["Boxtel", "Oisterwijk", "Tilburg", "Vught"]


def test_a_malformed_line_is_named_and_nothing_changes(tmp_path):
    _import_samples()
    before = (_table(), list(Municipality.objects.values_list("code", "name", "ended_on")))
    broken = tmp_path / "pc6hnr.csv"
    lines = POSTCODES.read_text(encoding="utf-8").splitlines()
    lines[5] = "10X2AB;1;0363AA03;0363AA;0363"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    renamed = tmp_path / "gemeenten.csv"
    renamed.write_text(
        MUNICIPALITIES.read_text(encoding="utf-8").replace("Amsterdam", "Mokum"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        _import("--municipalities", str(renamed), "--postcodes", str(broken), "--no-progress")
    assert "pc6hnr.csv, line 6: '10X2AB' is not a postcode such as 1012AB." in str(refused.value)
    assert "nothing imported" in str(refused.value)
    after = (_table(), list(Municipality.objects.values_list("code", "name", "ended_on")))
    assert after == before


def test_an_unknown_municipality_code_is_refused_with_its_line_and_nothing_changes(tmp_path):
    _import_samples()
    before = _table()
    unknown = tmp_path / "pc6hnr.csv"
    unknown.write_text(
        POSTCODES.read_text(encoding="utf-8") + "9711AA;1;00140100;001401;1234\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        _import("--postcodes", str(unknown), "--no-progress")
    assert "line 19: unknown municipality GM1234" in str(refused.value)
    assert _table() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("Postcode;Huisnummer\n1012AB;1\n", "no column with pc6 in its title"),
        ("PC6;Huisnummer;Buurt2025;Wijk2025;Gemeente2025\n1012AB;1\n", "line 2: expected at least"),
        ("PC6;Huisnummer;Buurt2025;Wijk2025;Gemeente2025\n1012AB;1;x;y;GMX\n", "'GMX' is not a"),
    ],
)
def test_broken_postcode_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "pc6hnr.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _import("--postcodes", str(path), "--no-progress")


def test_a_broken_merger_date_names_its_line(tmp_path):
    path = tmp_path / "herindelingen.csv"
    path.write_text(
        MERGERS.read_text(encoding="utf-8").replace("2022-03-24", "24 maart 2022"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"line 6: '24 maart 2022' is not a date"):
        _import("--mergers", str(path))
    assert not Municipality.objects.exists()


def test_a_new_postcode_file_replaces_the_table_and_older_windows_files_are_read(tmp_path):
    _import_samples()
    smaller = tmp_path / "pc6hnr.csv"
    # Older CBS files are Windows-1252 and may use commas and unpadded codes.
    smaller.write_bytes(b"PC6,Huisnummer,Buurt2019,Wijk2019,Gemeente2019\n3011AA,1,x,y,599\n")
    municipalities = tmp_path / "gemeenten.csv"
    municipalities.write_bytes(
        "Gemeentecode,Gemeentenaam\n0518,'s-Gravenhage (é)\n".encode("cp1252")
    )
    _import("--municipalities", str(municipalities), "--postcodes", str(smaller), "--no-progress")
    assert _table() == [("3011", "GM0599", 1), ("3011AA", "GM0599", 1)]
    assert Municipality.objects.get(code="GM0518").name == "'s-Gravenhage (é)"


def test_large_imports_show_a_progress_bar_over_the_file(tmp_path):
    _import_samples()
    big = tmp_path / "pc6hnr.csv"
    rows = "".join(f"1012AB;{number};0363AA03;0363AA;0363\n" for number in range(60000))
    big.write_text("PC6;Huisnummer;Buurt2025;Wijk2025;Gemeente2025\n" + rows, encoding="utf-8")
    out, err = _import("--postcodes", str(big))
    assert "1 postcodes (60000 addresses) imported" in out
    assert "100%|" in err and "2.03M/2.03M" in err  # tqdm's bar over the bytes of the file
    assert PostcodeArea.objects.get(postcode="1012AB").addresses == 60000


def test_resolve_command_shows_candidates():
    _import_samples()
    out = StringIO()
    call_command("regions", "resolve", "5076", "--on", "2026-01-01", stdout=out)
    assert out.getvalue().splitlines() == [
        "5076: ambiguous",
        "  GM0824 Oisterwijk (3 addresses)",
        "  GM0865 Vught (1 addresses)",
    ]


def test_municipality_codes_are_read_in_every_cbs_spelling():
    assert {municipality_code_normalise(v) for v in ("363", "0363", "GM0363", "gm0363")} == {
        "GM0363"
    }
    assert municipality_code_normalise("BU0363") is None


def test_errors_speak_the_operators_language(tmp_path):
    path = tmp_path / "pc6hnr.csv"
    path.write_text("PC6;Gemeente2025\n10X2AB;0363\n", encoding="utf-8")
    with translation.override("nl"), pytest.raises(CommandError) as refused:
        _import("--postcodes", str(path), "--no-progress")
    assert "pc6hnr.csv, regel 2: '10X2AB' is geen postcode zoals 1012AB." in str(refused.value)
