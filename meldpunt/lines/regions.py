"""Municipalities, their mergers and postcodes: imported from CBS files, and resolved.

Routing a report to a municipality needs two things the reporter does not
type: the municipality's CBS code, and which municipality a postcode lies in.
Both come from public CBS files an operator downloads (docs/operations.md,
"Municipalities and postcodes"):

- the municipal division of a year ("Gemeenten alfabetisch JJJJ"): one row per
  municipality with ``GemeentecodeGM``, ``Gemeentenaam``, ``Provincienaam``;
- the municipal reorganisations (mergers): date, old code, new code;
- "Buurt, wijk en gemeente JJJJ voor postcode huisnummer" (``pc6hnr``): one
  row per address, ``PC6;Huisnummer;BuurtJJJJ;WijkJJJJ;GemeenteJJJJ``, about
  9.5 million rows. It is streamed and reduced to address counts per
  six-position postcode and per four-digit area, so a four-digit postcode that
  spans two municipalities names both with their weights.

Every file is read and checked completely before anything is written; a
malformed line stops the import with its line number and the tables stay as
they were. The postcode table is replaced as a whole.
"""

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Municipality, PostcodeArea

POSTCODE_RE = re.compile(r"\b([1-9][0-9]{3})\s?([A-Za-z]{2})?\b")
PC6_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
MUNICIPALITY_CODE_RE = re.compile(r"^(?:GM)?([0-9]{1,4})$", re.IGNORECASE)
WRITE_BATCH = 5000


class RegionFileError(Exception):
    """A file that cannot be imported; the message names the file and line."""


def municipality_code_normalise(value: str) -> str | None:
    """'363', '0363' and 'GM0363' all mean GM0363 (CBS writes all three)."""
    match = MUNICIPALITY_CODE_RE.match(value.strip().strip('"'))
    return f"GM{int(match.group(1)):04d}" if match else None


# --- reading the files ---------------------------------------------------------------


def _text_lines(raw: Iterable[bytes]) -> Iterator[str]:
    """Decode line by line: UTF-8 (with or without BOM), else Windows-1252 as older CBS files."""
    for number, line in enumerate(raw, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            yield line.decode("cp1252")


def _rows(lines: Iterator[str], name: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (lower-case names) and numbered rows; the separator is ; or , as the header."""
    try:
        header_line = next(lines)
    except StopIteration:
        raise RegionFileError(_("%(file)s: the file is empty.") % {"file": name}) from None
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([header_line], delimiter=delimiter))]
    reader = csv.reader(lines, delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                # The header was line 1 and was read before the reader started.
                yield reader.line_num + 1, row

    return header, numbered()


def _column(header: list[str], name: str, *keywords: str) -> int:
    for index, title in enumerate(header):
        if all(word in title for word in keywords):
            return index
    raise RegionFileError(
        _("%(file)s: no column with %(words)s in its title (found: %(found)s).")
        % {"file": name, "words": " + ".join(keywords), "found": ", ".join(header)}
    )


def _cell(row: list[str], index: int, name: str, number: int) -> str:
    if index >= len(row):
        raise RegionFileError(
            _("%(file)s, line %(line)s: expected at least %(count)s fields, found %(found)s.")
            % {"file": name, "line": number, "count": index + 1, "found": len(row)}
        )
    return row[index].strip()


def _code(row: list[str], index: int, name: str, number: int) -> str:
    value = _cell(row, index, name, number)
    code = municipality_code_normalise(value)
    if code is None:
        raise RegionFileError(
            _("%(file)s, line %(line)s: %(value)r is not a municipality code.")
            % {"file": name, "line": number, "value": value}
        )
    return code


def _date(value: str, name: str, number: int) -> date:
    for layout in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, layout).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise RegionFileError(
        _("%(file)s, line %(line)s: %(value)r is not a date (use 2022-03-24 or 24-03-2022).")
        % {"file": name, "line": number, "value": value}
    )


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    name: str
    province: str


@dataclass(frozen=True)
class MergerRow:
    day: date
    old_code: str
    old_name: str
    new_code: str
    new_name: str


@dataclass
class PostcodeCounts:
    """Addresses per postcode and municipality, and where each code was first seen."""

    pc6: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    pc4: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    first_line: dict[str, int] = field(default_factory=dict)
    lines: int = 0


def municipalities_read(raw: Iterable[bytes], *, name: str) -> list[MunicipalityRow]:
    """CBS "Gemeenten alfabetisch": GemeentecodeGM (or Gemeentecode), Gemeentenaam,
    Provincienaam."""
    header, rows = _rows(_text_lines(raw), name)
    try:
        code_at = _column(header, name, "gemeentecodegm")
    except RegionFileError:
        code_at = _column(header, name, "gemeentecode")
    name_at = _column(header, name, "gemeentenaam")
    province_at = next((i for i, title in enumerate(header) if title == "provincienaam"), None)
    found = []
    for number, row in rows:
        municipality_name = _cell(row, name_at, name, number)
        if not municipality_name:
            raise RegionFileError(
                _("%(file)s, line %(line)s: the municipality has no name.")
                % {"file": name, "line": number}
            )
        province = _cell(row, province_at, name, number) if province_at is not None else ""
        code = _code(row, code_at, name, number)
        found.append(MunicipalityRow(code, municipality_name, province))
    return found


def mergers_read(raw: Iterable[bytes], *, name: str) -> list[MergerRow]:
    """Reorganisations: a date, the old code and name, the new code and name per row."""
    header, rows = _rows(_text_lines(raw), name)
    day_at = _column(header, name, "datum")
    old_code_at = _column(header, name, "oud", "code")
    old_name_at = _column(header, name, "oud", "naam")
    new_code_at = _column(header, name, "nieuw", "code")
    new_name_at = _column(header, name, "nieuw", "naam")
    found = []
    for number, row in rows:
        merger = MergerRow(
            day=_date(_cell(row, day_at, name, number), name, number),
            old_code=_code(row, old_code_at, name, number),
            old_name=_cell(row, old_name_at, name, number),
            new_code=_code(row, new_code_at, name, number),
            new_name=_cell(row, new_name_at, name, number),
        )
        if merger.old_code == merger.new_code:
            continue  # a municipality that kept its code only gained land
        found.append(merger)
    return found


def postcodes_read(
    raw: Iterable[bytes], *, name: str, progress: Callable[[int], None] | None = None
) -> PostcodeCounts:
    """Stream the pc6hnr file: one address per line, counted per postcode and municipality.

    ``progress`` is called now and then with the number of bytes read since
    the last call (for a progress bar over the file's size).
    """
    counts = PostcodeCounts()
    read = 0

    def measured() -> Iterator[bytes]:
        nonlocal read
        for line in raw:
            read += len(line)
            if progress is not None and read >= 1 << 20:
                progress(read)
                read = 0
            yield line

    header, rows = _rows(_text_lines(measured()), name)
    pc6_at = _column(header, name, "pc6")
    code_at = _column(header, name, "gemeente")
    for number, row in rows:
        postcode = _cell(row, pc6_at, name, number).replace(" ", "").upper()
        if not PC6_RE.match(postcode):
            raise RegionFileError(
                _("%(file)s, line %(line)s: %(value)r is not a postcode such as 1012AB.")
                % {"file": name, "line": number, "value": postcode}
            )
        code = _code(row, code_at, name, number)
        counts.pc6[postcode][code] += 1
        counts.pc4[postcode[:4]][code] += 1
        counts.first_line.setdefault(code, number)
        counts.lines += 1
    if progress is not None and read:
        progress(read)
    return counts


# --- writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    municipalities: int = 0
    mergers: int = 0
    postcodes: int = 0
    addresses: int = 0


def _open(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except OSError as error:
        raise RegionFileError(
            _("%(file)s: cannot be read (%(error)s).") % {"file": path, "error": error.strerror}
        ) from error


def regions_import(
    *,
    municipalities: Path | None = None,
    mergers: Path | None = None,
    postcodes: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Read every given file completely, then write all of it in one transaction.

    Municipalities are added or renamed (never deleted: reports and partners
    refer to them); a merger ends the old municipality on its date and names
    its successor; the postcode table is replaced as a whole. A postcode file
    naming a municipality that is neither known nor in the given files is
    refused with the line where the code first appears.
    """
    municipality_rows: list[MunicipalityRow] = []
    merger_rows: list[MergerRow] = []
    counts: PostcodeCounts | None = None
    if municipalities:
        with _open(municipalities) as raw:
            municipality_rows = municipalities_read(raw, name=municipalities.name)
    if mergers:
        with _open(mergers) as raw:
            merger_rows = mergers_read(raw, name=mergers.name)
    if postcodes:
        with _open(postcodes) as raw:
            counts = postcodes_read(raw, name=postcodes.name, progress=progress)
    with transaction.atomic():
        for row in municipality_rows:
            Municipality.objects.update_or_create(
                code=row.code, defaults={"name": row.name, "province": row.province}
            )
        for merger in merger_rows:
            old, _created = Municipality.objects.get_or_create(
                code=merger.old_code, defaults={"name": merger.old_name}
            )
            new, _created = Municipality.objects.get_or_create(
                code=merger.new_code, defaults={"name": merger.new_name}
            )
            old.ended_on = merger.day
            old.save(update_fields=["ended_on"])
            old.successors.add(new)
        if counts is not None:
            known = set(Municipality.objects.values_list("code", flat=True))
            unknown = sorted(set(counts.first_line) - known, key=counts.first_line.get)
            if unknown:
                raise RegionFileError(
                    _(
                        "%(file)s, line %(line)s: unknown municipality %(code)s; import the "
                        "municipal division (and mergers) of the same year first."
                    )
                    % {
                        "file": postcodes.name,
                        "line": counts.first_line[unknown[0]],
                        "code": unknown[0],
                    }
                )
            PostcodeArea.objects.all().delete()
            PostcodeArea.objects.bulk_create(_areas(counts), batch_size=WRITE_BATCH)
    return ImportSummary(
        municipalities=len(municipality_rows),
        mergers=len(merger_rows),
        postcodes=len(counts.pc6) if counts else 0,
        addresses=counts.lines if counts else 0,
    )


def _areas(counts: PostcodeCounts) -> Iterator[PostcodeArea]:
    for table in (counts.pc6, counts.pc4):
        for postcode, per_code in table.items():
            for code, addresses in per_code.items():
                yield PostcodeArea(postcode=postcode, municipality_id=code, addresses=addresses)


# --- resolving ----------------------------------------------------------------------------


def municipalities_current(municipality: Municipality, *, on: date) -> list[Municipality]:
    """The municipalities that exist on ``on`` in place of ``municipality`` (itself if it does).

    Follows mergers, over several steps; a municipality split over several
    gives several.
    """
    found: dict[str, Municipality] = {}
    pending, seen = [municipality], set()
    while pending:
        current = pending.pop()
        if current.code in seen:
            continue
        seen.add(current.code)
        successors = list(current.successors.all()) if not current.exists_on(on) else []
        if successors:
            pending.extend(successors)
        else:
            found[current.code] = current
    return sorted(found.values(), key=lambda m: m.name)


class LocationStatus(StrEnum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"
    NO_POSTCODE = "no_postcode"


@dataclass(frozen=True)
class Candidate:
    municipality: Municipality
    addresses: int


@dataclass(frozen=True)
class PostcodeLocation:
    """What a postcode a reporter typed says about the municipality.

    ``postcode`` is what was recognised ("1012 AB" or "1012"); ``candidates``
    are ordered by the number of addresses, most first. ``is_area_only``: the
    six-position postcode is not in the table and its four-digit area was used.
    """

    status: LocationStatus
    postcode: str = ""
    candidates: tuple[Candidate, ...] = ()
    is_area_only: bool = False

    @property
    def municipality(self) -> Municipality | None:
        return self.candidates[0].municipality if self.status == LocationStatus.FOUND else None


def postcode_parse(text: str) -> str:
    """The first Dutch postcode in free text, as "1012AB" or "1012"; '' when there is none."""
    match = POSTCODE_RE.search(text or "")
    if not match:
        return ""
    return match.group(1) + (match.group(2) or "").upper()


def postcode_resolve(*, text: str, on: date) -> PostcodeLocation:
    """The municipality a typed postcode ("1012 AB", "1012ab", "1012") lies in on ``on``.

    A six-position postcode missing from the table falls back to its
    four-digit area. Municipalities merged before ``on`` count as their
    successors, so a report about a place before a merger reaches the
    municipality that exists now.
    """
    postcode = postcode_parse(text)
    if not postcode:
        return PostcodeLocation(status=LocationStatus.NO_POSTCODE)
    shown = f"{postcode[:4]} {postcode[4:]}".strip()
    rows = list(PostcodeArea.objects.filter(postcode=postcode).select_related("municipality"))
    is_area_only = False
    if not rows and len(postcode) == 6:
        rows = list(
            PostcodeArea.objects.filter(postcode=postcode[:4]).select_related("municipality")
        )
        is_area_only = bool(rows)
    weights: Counter = Counter()
    by_code: dict[str, Municipality] = {}
    for row in rows:
        for current in municipalities_current(row.municipality, on=on):
            weights[current.code] += row.addresses
            by_code[current.code] = current
    if not weights:
        return PostcodeLocation(status=LocationStatus.UNKNOWN, postcode=shown)
    candidates = tuple(
        Candidate(by_code[code], addresses)
        for code, addresses in sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    )
    return PostcodeLocation(
        status=LocationStatus.FOUND if len(candidates) == 1 else LocationStatus.AMBIGUOUS,
        postcode=shown,
        candidates=candidates,
        is_area_only=is_area_only,
    )
