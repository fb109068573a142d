"""Reading hash files as suppliers send them: plain text or CSV with a header.

Plain text: one hash per line; ``#`` starts a comment, blank lines are skipped.
The algorithm comes from ``--algorithm`` or, when not given, from the length
(32 hex digits MD5, 40 SHA-1); 64 digits could be SHA-256 or PDQ, so those
need ``--algorithm``.

CSV: the first non-comment line is a header. Either an ``algorithm`` column
next to a ``hash`` column (one hash per row, the algorithm named per row), or
columns named after algorithms (``md5``, ``sha1``, ``sha256``, ``pdq``; a row
may fill several). Other columns (file names, categories) are ignored.

Every problem is reported with its line number; nothing is imported from a
file with any problem (services.hash_list_import).
"""

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from meldpunt.hashes.models import HEX_LENGTHS, Algorithm

_HEX = re.compile(r"[0-9a-f]+")
_ALGORITHM_NAMES = {
    "sha256": Algorithm.SHA256,
    "sha-256": Algorithm.SHA256,
    "sha1": Algorithm.SHA1,
    "sha-1": Algorithm.SHA1,
    "md5": Algorithm.MD5,
    "pdq": Algorithm.PDQ,
}
_ALGORITHM_COLUMNS = {"algorithm", "hash_type", "type"}
_HASH_COLUMNS = {"hash", "value", "hash_value"}
_BY_LENGTH = {32: Algorithm.MD5, 40: Algorithm.SHA1}
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class HashFileInvalid(Exception):
    """The file has problems; ``errors`` names the first of them, ``total`` counts all."""

    def __init__(self, errors: list[LineError], total: int) -> None:
        more = f" (and {total - len(errors)} more)" if total > len(errors) else ""
        super().__init__("; ".join(str(error) for error in errors) + more)
        self.errors, self.total = errors, total


def algorithm_parse(name: str) -> Algorithm | None:
    return _ALGORITHM_NAMES.get(name.strip().lower())


def hash_normalise(value: str, algorithm: Algorithm) -> str:
    """Lower-case hex of the right length, or ValueError saying what is wrong."""
    value = value.strip().lower()
    if not _HEX.fullmatch(value):
        raise ValueError(f"{value[:70]!r} is not hexadecimal")
    expected = HEX_LENGTHS[algorithm]
    if len(value) != expected:
        raise ValueError(
            f"{algorithm.label} needs {expected} hex digits, this value has {len(value)}"
        )
    return value


def _text_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """Numbered lines without comments; None for a line that is not UTF-8."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
            text = text.strip()
            if text and not text.startswith("#"):
                yield number, text


def _is_csv_header(first: str) -> bool:
    cells = {cell.strip().lower() for cell in next(csv.reader([first]))}
    return bool(cells & (_ALGORITHM_COLUMNS | _HASH_COLUMNS | set(_ALGORITHM_NAMES)))


def _plain(
    lines: Iterator[tuple[int, str | None]], algorithm: Algorithm | None
) -> Iterator[tuple[int, Algorithm | None, str, str]]:
    for number, text in lines:
        if text is None:
            yield number, None, "", "not UTF-8 text"
            continue
        chosen = algorithm or _BY_LENGTH.get(len(text))
        if chosen is None:
            problem = (
                "64 hex digits could be SHA-256 or PDQ: give --algorithm"
                if len(text) == 64 and _HEX.fullmatch(text.lower())
                else "cannot tell the algorithm: give --algorithm"
            )
            yield number, None, text, problem
            continue
        yield number, chosen, text, ""


def _csv(
    header_number: int, header: str, lines: Iterator[tuple[int, str | None]]
) -> Iterator[tuple[int, Algorithm | None, str, str]]:
    names = [cell.strip().lower() for cell in next(csv.reader([header]))]
    algorithm_column = next((i for i, n in enumerate(names) if n in _ALGORITHM_COLUMNS), None)
    hash_column = next((i for i, n in enumerate(names) if n in _HASH_COLUMNS), None)
    named = {i: _ALGORITHM_NAMES[n] for i, n in enumerate(names) if n in _ALGORITHM_NAMES}
    if (algorithm_column is None) != (hash_column is None) or (hash_column is None and not named):
        yield (
            header_number,
            None,
            header,
            "the header needs 'algorithm' and 'hash' columns, or columns named md5, sha1, "
            "sha256 or pdq",
        )
        return
    for number, text in lines:
        if text is None:
            yield number, None, "", "not UTF-8 text"
            continue
        cells = next(csv.reader([text]))
        if hash_column is not None:
            if max(algorithm_column, hash_column) >= len(cells):
                yield number, None, text, "fewer columns than the header"
                continue
            chosen = algorithm_parse(cells[algorithm_column])
            if chosen is None:
                yield number, None, text, f"unknown algorithm {cells[algorithm_column]!r}"
                continue
            yield number, chosen, cells[hash_column], ""
        for column, chosen in named.items():
            if column < len(cells) and cells[column].strip():
                yield number, chosen, cells[column], ""


def hashes_read(
    path: Path, *, algorithm: Algorithm | None = None
) -> Iterator[tuple[int, Algorithm, str] | LineError]:
    """Every hash of the file as (line, algorithm, normalised value), or a LineError.

    Streams the file, so a list of millions of hashes is read in constant memory.
    """
    algorithm = Algorithm(algorithm) if algorithm else None
    lines = _text_lines(path)
    first = next(lines, None)
    if first is None:
        return
    number, text = first
    if text is not None and "," in text and _is_csv_header(text):
        rows = _csv(number, text, lines)
    else:
        rows = _plain(itertools.chain([first], lines), algorithm)
    for number, chosen, value, problem in rows:
        if problem:
            yield LineError(number, problem)
            continue
        try:
            yield number, chosen, hash_normalise(value, chosen)
        except ValueError as error:
            yield LineError(number, str(error))
