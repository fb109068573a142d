"""The hash-check service: a company's batch of hashes against the lists it may use.

Hosting companies and platforms send hashes of files their users uploaded;
those hashes are sensitive (they say what a company's users store), so
nothing here writes them anywhere: they are parsed, looked up in the
process's in-memory indexes and forgotten. A client learns, per hash, only
whether it is on one of its lists and that list's public label, never the
internal list name or anything about other clients.

Items are validated here by hand rather than with a Django form each: a
batch of 1,000 forms would cost more than the matching itself. Every problem
is reported per item with a stable code, and a bad item never fails the batch.
"""

import binascii
import hmac
import itertools
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import msgspec
from django.utils.translation import gettext as _

from meldpunt.apitokens import token_digest
from meldpunt.hashes.clients import TokenRefused
from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.matching import hashes_search
from meldpunt.hashes.models import EXACT_ALGORITHMS, HEX_LENGTHS, Algorithm, HashCheckClient
from meldpunt.hashes.selectors import CLIENT_COLUMNS, check_client_rows
from meldpunt.hashes.shards import (
    ShardsUnavailable,
    hashes_search_sharded,
    shard_servers,
    this_shard,
)

if TYPE_CHECKING:
    # numpy is loaded by the first batch, not with the web process (tests/test_startup.py).
    import numpy

ITEM_FIELDS = {"algorithm", "value", "id", "quality"}
# Looked up once: Algorithm.values and Algorithm(...) rebuild lists on every call.
ALGORITHMS = {algorithm.value: algorithm for algorithm in Algorithm}
LENGTHS = {algorithm.value: length for algorithm, length in HEX_LENGTHS.items()}
MAX_REFERENCE_LENGTH = 200
HEX = re.compile(r"[0-9a-f]*")
ANY_CASE_HEX = re.compile(r"[0-9a-fA-F]*")
ANY_CASE_HEX_BYTES = re.compile(rb"[0-9a-fA-F]*")


class ItemCode:
    """Codes of per-item problems (stable, English; listed in the OpenAPI document)."""

    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_ALGORITHM = "unknown_algorithm"
    VALUE_MISSING = "value_missing"
    NOT_HEX = "not_hex"
    WRONG_LENGTH = "wrong_length"
    BAD_ID = "bad_id"
    BAD_QUALITY = "bad_quality"
    LOW_QUALITY = "low_quality"

    ALL = (
        NOT_AN_OBJECT,
        UNKNOWN_FIELD,
        UNKNOWN_ALGORITHM,
        VALUE_MISSING,
        NOT_HEX,
        WRONG_LENGTH,
        BAD_ID,
        BAD_QUALITY,
        LOW_QUALITY,
    )


@dataclass(frozen=True)
class CheckItem:
    """One well-formed hash to check: normalised lower-case hex of the right length."""

    algorithm: Algorithm
    value: str


@dataclass(frozen=True)
class ItemProblem:
    code: str
    message: str


@dataclass(frozen=True)
class LabelMatch:
    """A hash is on a list with this public label, at this distance (0 for exact)."""

    label: str
    distance: int


def check_item_parse(raw: object) -> CheckItem | ItemProblem:
    """One item of a batch as sent, checked; the client's ``id`` is the caller's business."""
    if not isinstance(raw, dict):
        return ItemProblem(ItemCode.NOT_AN_OBJECT, _("Each item must be a JSON object."))
    if not raw.keys() <= ITEM_FIELDS:
        unknown = sorted(str(key) for key in raw.keys() - ITEM_FIELDS)
        return ItemProblem(
            ItemCode.UNKNOWN_FIELD,
            _("Unknown field(s): %(fields)s. Items have algorithm, value, id and quality.")
            % {"fields": ", ".join(unknown)},
        )
    reference = raw.get("id")
    if reference is not None and (
        not isinstance(reference, str) or len(reference) > MAX_REFERENCE_LENGTH
    ):
        return ItemProblem(
            ItemCode.BAD_ID,
            _("The id must be a string of at most %(max)d characters.")
            % {"max": MAX_REFERENCE_LENGTH},
        )
    name = raw.get("algorithm")
    algorithm = ALGORITHMS.get(name) if isinstance(name, str) else None
    if algorithm is None:
        return ItemProblem(
            ItemCode.UNKNOWN_ALGORITHM,
            _("The algorithm must be one of: %(algorithms)s.")
            % {"algorithms": ", ".join(ALGORITHMS)},
        )
    value = raw.get("value")
    if not isinstance(value, str) or not value.strip():
        return ItemProblem(ItemCode.VALUE_MISSING, _("The value (a hexadecimal hash) is missing."))
    value = value.strip().lower()
    if not HEX.fullmatch(value):
        return ItemProblem(
            ItemCode.NOT_HEX, _("The value must be hexadecimal (digits 0-9 and letters a-f).")
        )
    expected = LENGTHS[algorithm.value]
    if len(value) != expected:
        return ItemProblem(
            ItemCode.WRONG_LENGTH,
            _("A %(algorithm)s value has %(expected)d hexadecimal digits, not %(length)d.")
            % {"algorithm": algorithm.label, "expected": expected, "length": len(value)},
        )
    if "quality" in raw:
        quality = raw["quality"]
        if algorithm != Algorithm.PDQ or not _is_integer(quality) or not 0 <= quality <= 100:
            return ItemProblem(
                ItemCode.BAD_QUALITY,
                _("The quality is a whole number from 0 to 100, and only for PDQ hashes."),
            )
        minimum = hashes_setting("HASHES_PDQ_MIN_QUALITY")
        if quality < minimum:
            return ItemProblem(
                ItemCode.LOW_QUALITY,
                _(
                    "PDQ hashes of quality under %(minimum)d are not checked: featureless "
                    "pictures all hash alike."
                )
                % {"minimum": minimum},
            )
    return CheckItem(algorithm, value)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ClientState:
    """A client as one request needs it: the lists it may match now, and the store's revision."""

    client: HashCheckClient
    labels: dict[int, str]  # list id: public label
    revision: str


def check_client_state(token: str) -> ClientState:
    """The client a bearer token belongs to, read with its labels and the revision; or TokenRefused.

    One statement (``selectors.check_client_rows``) instead of three (the
    token, the labels, the revision), read on every request, so a revoked
    or rotated token, a list switched off or taken from the client stop at
    once in every process, with nothing cached to invalidate. The row is
    found by the digest (an index look-up whose timing says nothing about the
    token) and the digests are compared in constant time as well, so no
    timing tells how close a guess came.
    """
    digest = token_digest(token)
    rows = check_client_rows(digest)
    if not rows or not hmac.compare_digest(rows[0][2], digest):
        raise TokenRefused(revoked=False)
    pk, name, token_hash, is_active, daily_quota = rows[0][: len(CLIENT_COLUMNS)]
    if not is_active:
        raise TokenRefused(revoked=True)
    client = HashCheckClient(
        pk=pk, name=name, token_hash=token_hash, is_active=is_active, daily_quota=daily_quota
    )
    labels = {row[-3]: row[-2] for row in rows if row[-3] is not None}
    return ClientState(client, labels, rows[0][-1] or "")


@dataclass
class ParsedBatch:
    """A batch's items sorted out: well-formed hashes by algorithm, problems by position.

    ``hashes[algorithm]`` holds the items' positions in the batch (an int64
    array) and their values as an (n, bytes) uint8 array, as the indexes take
    them. ``references`` are the clients' own ids to echo back, ``None`` where
    an item has none or an unusable one.
    """

    count: int
    hashes: "dict[Algorithm, tuple[numpy.ndarray, numpy.ndarray]]"
    problems: dict[int, ItemProblem]
    references: list[str | None]

    @property
    def valid(self) -> int:
        return self.count - len(self.problems)


NO_QUALITY = -1  # no quality sent: the decoder's default, which the Meta bounds never let through


class BatchItem(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An item of the common shape, as msgspec decodes it in compiled code.

    What does not fit (another field, a type, an id over 200 characters, a
    quality outside 0-100) fails the typed decoding of the whole body, which
    is then decoded again untyped and parsed item by item where needed, so
    that each bad item gets its own message.
    """

    algorithm: str
    value: str
    id: Annotated[str, msgspec.Meta(max_length=MAX_REFERENCE_LENGTH)] | None = None
    quality: Annotated[int, msgspec.Meta(ge=0, le=100)] = NO_QUALITY


class Batch(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A body of the documented shape ``{"items": [...]}`` with items of the common shape."""

    items: list[BatchItem]


_typed_decoder = msgspec.json.Decoder(Batch)
_any_decoder = msgspec.json.Decoder()


def batch_decode(body: bytes) -> Batch | object:
    """The body as a ``Batch`` if it has the common shape, else as plain JSON values.

    Raises ``msgspec.DecodeError`` for a body that is not JSON at all.
    """
    try:
        return _typed_decoder.decode(body)
    except msgspec.ValidationError:
        return _any_decoder.decode(body)


_CODES = {name: number for number, name in enumerate(ALGORITHMS)}
_BY_CODE = list(ALGORITHMS.values())
_PDQ_CODE = _CODES[Algorithm.PDQ.value]
_FIELDS = operator.attrgetter("algorithm", "value", "quality", "id")


def _plain_columns(
    raw_items: Sequence[object],
) -> tuple[list[object], list[str], list[int], list[str | None]]:
    """Algorithm, value and quality columns of untyped items, and the ids to echo.

    An item of another shape (another field or type, an id of the wrong
    kind, a quality outside 0-100) gets column values the vectorised check
    refuses (an algorithm ``None``), so it goes to ``check_item_parse`` with
    its message. Its id is echoed all the same where it is a usable one.
    """
    algorithms: list[object] = []
    values: list[str] = []
    qualities: list[int] = []
    echoed: list[str | None] = []
    for raw in raw_items:
        reference = raw.get("id") if type(raw) is dict else None
        usable = type(reference) is str and len(reference) <= MAX_REFERENCE_LENGTH
        echoed.append(reference if usable else None)
        if type(raw) is dict and raw.keys() <= ITEM_FIELDS and (usable or reference is None):
            algorithm, value = raw.get("algorithm"), raw.get("value")
            quality = raw.get("quality", NO_QUALITY)
            if type(algorithm) is str and type(value) is str and type(quality) is int:
                algorithms.append(algorithm)
                values.append(value)
                qualities.append(quality if 0 <= quality <= 100 else NO_QUALITY - 1)
                continue
        algorithms.append(None)
        values.append("")
        qualities.append(NO_QUALITY)
    return algorithms, values, qualities, echoed


def check_items_parse(items: Sequence[object]) -> ParsedBatch:
    """Every item of a batch checked as ``check_item_parse`` would, column by column.

    ``items`` are ``BatchItem``s (a body ``batch_decode`` could type) or
    plain decoded JSON values. Algorithm codes, lengths and the PDQ quality
    are checked as numpy columns; then each algorithm's values of the right
    length are joined and decoded from hex by one ``bytes.fromhex`` into the
    (n, bytes) array the indexes search (only where that fails are that
    group's values tried one by one, to find the bad ones). Only an item
    failing any of it is checked alone by ``check_item_parse``, so answers
    and messages are the same as item by item.
    """
    count = len(items)
    if items and type(items[0]) is BatchItem:  # a decoded Batch: all are, all ids usable
        # One pass in compiled code: each item's fields, then the columns.
        algorithms, values, qualities, echoed = (
            list(column) for column in zip(*map(_FIELDS, items), strict=True)
        )
    elif items:
        algorithms, values, qualities, echoed = _plain_columns(items)
    else:
        algorithms, values, qualities, echoed = [], [], [], []
    import numpy

    expected = numpy.array([LENGTHS[name] for name in ALGORITHMS] + [-1], dtype=numpy.int64)
    codes = numpy.fromiter(
        map(_CODES.get, algorithms, itertools.repeat(len(_CODES))), dtype=numpy.int64, count=count
    )
    lengths = numpy.fromiter(map(len, values), dtype=numpy.int64, count=count)
    quality = numpy.fromiter(qualities, dtype=numpy.int64, count=count)
    minimum = hashes_setting("HASHES_PDQ_MIN_QUALITY")
    candidates = (lengths == expected[codes]) & (
        (quality == NO_QUALITY) | ((codes == _PDQ_CODE) & (quality >= minimum))
    )
    accepted = numpy.zeros(count, dtype=bool)
    hashes: dict[Algorithm, tuple[numpy.ndarray, numpy.ndarray]] = {}
    for code, algorithm in enumerate(_BY_CODE):
        positions = numpy.flatnonzero(candidates & (codes == code))
        size = LENGTHS[algorithm.value] // 2
        chosen = [values[position] for position in positions.tolist()]
        packed = _hex_decoded(chosen)
        # fromhex skips whitespace, so a value with any comes out short.
        if len(packed) != size * len(chosen):
            hex_only = numpy.array([ANY_CASE_HEX.fullmatch(value) is not None for value in chosen])
            positions = positions[hex_only]
            packed = _hex_decoded(list(itertools.compress(chosen, hex_only)))
        accepted[positions] = True
        vectors = numpy.frombuffer(packed, dtype=numpy.uint8).reshape(len(positions), size)
        hashes[algorithm] = (positions, vectors)
    problems: dict[int, ItemProblem] = {}
    late: dict[Algorithm, list[tuple[int, bytes]]] = {}
    for position in numpy.flatnonzero(~accepted).tolist():
        raw = items[position]
        item = check_item_parse(_as_plain(raw) if type(raw) is BatchItem else raw)
        if isinstance(item, ItemProblem):
            problems[position] = item
        else:
            late.setdefault(item.algorithm, []).append((position, bytes.fromhex(item.value)))
    for algorithm, extra in late.items():
        positions, vectors = hashes[algorithm]
        hashes[algorithm] = (
            numpy.concatenate((positions, [position for position, _value in extra])),
            numpy.concatenate(
                (vectors, _vectors([value for _position, value in extra], vectors.shape[1]))
            ),
        )
    return ParsedBatch(count, hashes, problems, echoed)


def _hex_decoded(values: list[str]) -> bytes:
    """The values joined and decoded from hex; ``b""`` where any is not hex."""
    try:
        return bytes.fromhex("".join(values))
    except ValueError:
        return b""


def _as_plain(item: BatchItem) -> dict[str, object]:
    """A typed item as the JSON object it was decoded from, for ``check_item_parse``."""
    raw: dict[str, object] = {"algorithm": item.algorithm, "value": item.value}
    if item.id is not None:
        raw["id"] = item.id
    if item.quality != NO_QUALITY:
        raw["quality"] = item.quality
    return raw


def _vectors(values: Sequence[bytes], width: int) -> "numpy.ndarray":
    """Binary values of ``width`` bytes each as an (n, width) uint8 array."""
    import numpy

    return numpy.frombuffer(b"".join(values), dtype=numpy.uint8).reshape(len(values), width)


# The bulk check's bodies (``digests_parse``): media type -> hexadecimal lines or not.
BULK_FORMATS = {"application/octet-stream": False, "text/plain": True}
BULK_ALGORITHMS = {algorithm.value: algorithm for algorithm in EXACT_ALGORITHMS}


class DigestsRefused(Exception):
    """A bulk body that cannot be checked: ``code`` (an ``ItemCode``) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def bulk_record_bytes(algorithm: Algorithm, *, hex_lines: bool) -> int:
    """Bytes one hash takes in a bulk body: the digest, or its hex digits and a newline."""
    size = LENGTHS[algorithm.value] // 2
    return 2 * size + 1 if hex_lines else size


def digests_parse(body: bytes, algorithm: Algorithm, *, hex_lines: bool) -> "numpy.ndarray":
    """The hashes of a bulk body as the (n, bytes) uint8 array the indexes search.

    Raw: the digests back to back, nothing else. Hex lines: one hash per line
    of exactly its hex digits (upper or lower case), each line ended by a
    newline ("\\n"; the last one may go without). Both are checked and decoded
    in a few calls over the whole body (numpy for the line ends, one
    ``binascii.unhexlify``); only a body that fails is walked line by line, to
    name the first bad line. Raises ``DigestsRefused`` (``wrong_length`` or
    ``not_hex``).
    """
    import numpy

    size = LENGTHS[algorithm.value] // 2
    if not hex_lines:
        if len(body) % size:
            raise DigestsRefused(
                ItemCode.WRONG_LENGTH,
                _(
                    "The body holds %(algorithm)s digests of %(size)d bytes back to back; "
                    "%(length)d bytes is not a multiple of %(size)d."
                )
                % {"algorithm": algorithm.label, "size": size, "length": len(body)},
            )
        return numpy.frombuffer(body, dtype=numpy.uint8).reshape(len(body) // size, size)
    width = 2 * size
    if body and not body.endswith(b"\n"):
        body += b"\n"
    if len(body) % (width + 1) == 0:
        lines = numpy.frombuffer(body, dtype=numpy.uint8).reshape(-1, width + 1)
        if (lines[:, width] == ord("\n")).all():
            try:
                packed = binascii.unhexlify(lines[:, :width].tobytes())
            except binascii.Error:
                pass
            else:
                return numpy.frombuffer(packed, dtype=numpy.uint8).reshape(len(lines), size)
    raise _first_bad_line(body, algorithm)


def _first_bad_line(body: bytes, algorithm: Algorithm) -> DigestsRefused:
    """Why the first line of a refused hex body that is not one hash is refused."""
    width = LENGTHS[algorithm.value]
    for number, line in enumerate(body.split(b"\n")[:-1], start=1):
        if len(line) != width:
            return DigestsRefused(
                ItemCode.WRONG_LENGTH,
                _(
                    "Line %(line)d holds %(length)d characters; each line must be one "
                    "%(algorithm)s hash of %(expected)d hexadecimal digits."
                )
                % {
                    "line": number,
                    "length": len(line),
                    "algorithm": algorithm.label,
                    "expected": width,
                },
            )
        if not ANY_CASE_HEX_BYTES.fullmatch(line):
            return DigestsRefused(
                ItemCode.NOT_HEX,
                _("Line %(line)d is not hexadecimal (digits 0-9 and letters a-f).")
                % {"line": number},
            )
    raise AssertionError("a body refused as a whole has a bad line")


@dataclass(frozen=True)
class BatchMatches:
    """Per matched item of a batch (``positions``, ascending), its labels and distances.

    ``labels[i]`` and ``distances[i]`` are the matches of item
    ``positions[i]``, one per public label at its smallest distance, sorted
    by label.
    """

    positions: list[int]
    labels: list[list[str]]
    distances: list[list[int]]


@dataclass(frozen=True)
class LabelHits:
    """A batch's matches as numpy columns, one row per (item, public label), sorted so.

    ``positions`` are the items' positions in the batch, ``label_numbers``
    index ``names`` (the client's public labels, sorted), ``distances`` are
    the smallest distance per item and label.
    """

    positions: "numpy.ndarray"
    label_numbers: "numpy.ndarray"
    distances: "numpy.ndarray"
    names: list[str]


def hashes_check_hits(
    batch: ParsedBatch, *, labels: Mapping[int, str], revision: str | None = None
) -> LabelHits:
    """The public labels of the allowed lists each item is on, as numpy columns.

    ``labels`` maps the ids of the lists that may match to their public labels
    (``check_client_state``); ``revision`` is the store's revision token read
    with them, so the indexes answer from the state the labels were read in.
    Exact hashes go through one vectorised look-up per algorithm, PDQ hashes
    through one range search for the batch, in this process's indexes or, on
    a front (MELDPUNT_HASH_SHARD_SERVERS), over the shards
    (``shards.hashes_search_sharded``, which raises ShardsUnavailable when a
    shard does not answer). The (item, label, distance) triples of all
    algorithms are then reduced with numpy: lists sharing a label count
    once, at the smallest distance.
    """
    import numpy

    names = sorted(set(labels.values()))
    none = numpy.zeros(0, dtype=numpy.int64)
    if not labels or not batch.valid:
        return LabelHits(none, none, none, names)
    vectors = {algorithm: found for algorithm, (_p, found) in batch.hashes.items() if len(found)}
    max_distance = hashes_setting("HASHES_PDQ_MAX_DISTANCE")
    if shard_servers():
        hexes = {algorithm: _hexes(values) for algorithm, values in vectors.items()}
        found = hashes_search_sharded(hexes, lists=sorted(labels), max_distance=max_distance)
    elif this_shard() is not None:
        # A shard without the others would answer from a part of the lists.
        raise ShardsUnavailable(None, "a shard process answers only its front")
    else:
        found = hashes_search(vectors, max_distance=max_distance, token=revision)
    list_ids = numpy.array(sorted(labels), dtype=numpy.int64)
    label_of = numpy.array([names.index(labels[i]) for i in list_ids.tolist()], dtype=numpy.int64)
    parts = [
        (batch.hashes[algorithm][0][numpy.asarray(queries, dtype=numpy.int64)], ids, distances)
        for algorithm, (queries, ids, distances) in found.items()
    ]
    if not parts:
        return LabelHits(none, none, none, names)
    positions = numpy.concatenate([part[0] for part in parts])
    ids = numpy.concatenate([numpy.asarray(part[1], dtype=numpy.int64) for part in parts])
    distances = numpy.concatenate([numpy.asarray(part[2], dtype=numpy.int64) for part in parts])
    where = numpy.searchsorted(list_ids, ids).clip(0, len(list_ids) - 1)
    allowed = list_ids[where] == ids
    positions, label_numbers = positions[allowed], label_of[where[allowed]]
    distances = distances[allowed]
    # Sorted by item, label and distance: the first of each (item, label) is its best.
    order = numpy.lexsort((distances, label_numbers, positions))
    positions, label_numbers, distances = positions[order], label_numbers[order], distances[order]
    first = numpy.ones(len(positions), dtype=bool)
    first[1:] = (positions[1:] != positions[:-1]) | (label_numbers[1:] != label_numbers[:-1])
    return LabelHits(positions[first], label_numbers[first], distances[first], names)


def hashes_check_batch(
    batch: ParsedBatch, *, labels: Mapping[int, str], revision: str | None = None
) -> BatchMatches:
    """``hashes_check_hits`` grouped by item in Python, only for items with any match."""
    hits = hashes_check_hits(batch, labels=labels, revision=revision)
    import numpy

    items, starts = numpy.unique(hits.positions, return_index=True)
    bounds = [*starts.tolist(), len(hits.positions)]
    label_list, distance_list = hits.label_numbers.tolist(), hits.distances.tolist()
    return BatchMatches(
        items.tolist(),
        [[hits.names[n] for n in label_list[a:b]] for a, b in itertools.pairwise(bounds)],
        [distance_list[a:b] for a, b in itertools.pairwise(bounds)],
    )


def _hexes(vectors: "numpy.ndarray") -> list[str]:
    """An (n, bytes) array as n hex strings, for the shards' JSON."""
    text = vectors.tobytes().hex()
    width = 2 * vectors.shape[1]
    return [text[start : start + width] for start in range(0, len(text), width)]


def hashes_check(
    items: Sequence[CheckItem], *, labels: Mapping[int, str], revision: str | None = None
) -> list[list[LabelMatch]]:
    """For each checked item, the public labels of the allowed lists it is on, sorted by label.

    ``hashes_check_batch`` for items parsed one by one (the single-hash endpoint).
    """
    import numpy

    hashes: dict[Algorithm, tuple[numpy.ndarray, numpy.ndarray]] = {}
    for algorithm in Algorithm:
        chosen = [(n, item) for n, item in enumerate(items) if item.algorithm == algorithm]
        hashes[algorithm] = (
            numpy.array([n for n, _item in chosen], dtype=numpy.int64),
            _vectors([bytes.fromhex(item.value) for _n, item in chosen], LENGTHS[algorithm] // 2),
        )
    batch = ParsedBatch(len(items), hashes, {}, [None] * len(items))
    found = hashes_check_batch(batch, labels=labels, revision=revision)
    results: list[list[LabelMatch]] = [[] for _ in items]
    for position, names, distances in zip(
        found.positions, found.labels, found.distances, strict=True
    ):
        results[position] = [
            LabelMatch(label, distance) for label, distance in zip(names, distances, strict=True)
        ]
    return results
