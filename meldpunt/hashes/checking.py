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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.matching import hashes_search
from meldpunt.hashes.models import HEX_LENGTHS, Algorithm, HashCheckClient
from meldpunt.hashes.shards import (
    ShardsUnavailable,
    hashes_search_sharded,
    shard_servers,
    this_shard,
)

ITEM_FIELDS = {"algorithm", "value", "id", "quality"}
# Looked up once: Algorithm.values and Algorithm(...) rebuild lists on every call.
ALGORITHMS = {algorithm.value: algorithm for algorithm in Algorithm}
LENGTHS = {algorithm.value: length for algorithm, length in HEX_LENGTHS.items()}
MAX_REFERENCE_LENGTH = 200
HEX = re.compile(r"[0-9a-f]*")


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


def check_client_labels(client: HashCheckClient) -> dict[int, str]:
    """The lists a client may match right now, by id, with their public labels.

    Read on every request, so a list switched off or taken from the client
    stops matching at once, whatever the in-memory indexes still hold.
    """
    return dict(
        client.hash_lists.filter(is_active=True)
        .exclude(public_label="")
        .values_list("pk", "public_label")
    )


@dataclass
class ParsedBatch:
    """A batch's items sorted out: well-formed hashes by algorithm, problems by position.

    ``hashes[algorithm]`` holds the items' positions in the batch and their
    hex values (valid, possibly upper-case: the indexes decode either).
    """

    count: int
    hashes: dict[Algorithm, tuple[list[int], list[str]]]
    problems: dict[int, ItemProblem]

    @property
    def valid(self) -> int:
        return self.count - len(self.problems)


ANY_CASE_HEX = re.compile(r"[0-9a-fA-F]*")


def check_items_parse(raw_items: Sequence[object]) -> ParsedBatch:
    """Every item of a batch checked, as ``check_item_parse`` would, but a batch at a time.

    The common item (``algorithm``, ``value`` and perhaps a short ``id``) is
    only sorted by algorithm here, and each algorithm's values are then
    checked together: their lengths in one pass and their digits with one
    regular expression over all of them. Anything else (a quality, a
    problem, blanks around a value) goes through ``check_item_parse``, so
    answers and messages are the same; so does a whole algorithm's group if
    any value in it fails the joint check.
    """
    hashes: dict[Algorithm, tuple[list[int], list[str]]] = {
        algorithm: ([], []) for algorithm in Algorithm
    }
    by_name = {name: hashes[algorithm] for name, algorithm in ALGORITHMS.items()}
    slow: list[int] = []
    for position, raw in enumerate(raw_items):
        try:
            if type(raw) is dict and 2 <= len(raw) <= 3:
                group = by_name.get(raw.get("algorithm"))
                value = raw.get("value")
                reference = raw.get("id") if len(raw) == 3 else ""
                if (
                    group is not None
                    and type(value) is str
                    and type(reference) is str
                    and len(reference) <= MAX_REFERENCE_LENGTH
                ):
                    group[0].append(position)
                    group[1].append(value)
                    continue
        except TypeError:  # an unhashable algorithm (a list, an object)
            pass
        slow.append(position)
    for algorithm, (positions, values) in hashes.items():
        length = LENGTHS[algorithm.value]
        if values and not (
            all(len(value) == length for value in values)
            and ANY_CASE_HEX.fullmatch("".join(values))
        ):
            slow += positions
            positions.clear()
            values.clear()
    problems: dict[int, ItemProblem] = {}
    for position in sorted(slow):
        item = check_item_parse(raw_items[position])
        if isinstance(item, ItemProblem):
            problems[position] = item
        else:
            hashes[item.algorithm][0].append(position)
            hashes[item.algorithm][1].append(item.value)
    return ParsedBatch(len(raw_items), hashes, problems)


def hashes_check_batch(
    batch: ParsedBatch, *, labels: Mapping[int, str]
) -> dict[int, list[LabelMatch]]:
    """The public labels of the allowed lists each item is on, only for items with any.

    ``labels`` maps the ids of the lists that may match to their public labels
    (``check_client_labels``). Exact hashes go through one vectorised look-up
    per algorithm, PDQ hashes through one range search for the batch, in this
    process's indexes or, on a front (MELDPUNT_HASH_SHARD_SERVERS), over the
    shards (``shards.hashes_search_sharded``, which raises ShardsUnavailable
    when a shard does not answer); Python then only walks the matches found.
    Lists sharing a label are reported once, at the smallest distance; labels
    come sorted.
    """
    best: dict[int, dict[str, int]] = {}
    if not labels or not batch.valid:
        return {}
    values = {algorithm: hexes for algorithm, (_positions, hexes) in batch.hashes.items() if hexes}
    max_distance = hashes_setting("HASHES_PDQ_MAX_DISTANCE")
    if shard_servers():
        found = hashes_search_sharded(values, lists=sorted(labels), max_distance=max_distance)
    elif this_shard() is not None:
        # A shard without the others would answer from a part of the lists.
        raise ShardsUnavailable(None, "a shard process answers only its front")
    else:
        found = hashes_search(values, max_distance=max_distance)
    for algorithm, (queries, list_ids, distances) in found.items():
        positions = batch.hashes[algorithm][0]
        for query, list_id, distance in zip(queries, list_ids, distances, strict=True):
            label = labels.get(list_id)
            if label is not None:
                matches = best.setdefault(positions[query], {})
                if distance < matches.get(label, distance + 1):
                    matches[label] = distance
    return {
        position: [LabelMatch(label, distance) for label, distance in sorted(matches.items())]
        for position, matches in best.items()
    }


def hashes_check(
    items: Sequence[CheckItem], *, labels: Mapping[int, str]
) -> list[list[LabelMatch]]:
    """For each checked item, the public labels of the allowed lists it is on, sorted by label.

    ``hashes_check_batch`` for items parsed one by one (the single-hash endpoint).
    """
    hashes: dict[Algorithm, tuple[list[int], list[str]]] = {
        algorithm: ([], []) for algorithm in Algorithm
    }
    for position, item in enumerate(items):
        hashes[item.algorithm][0].append(position)
        hashes[item.algorithm][1].append(item.value)
    found = hashes_check_batch(ParsedBatch(len(items), hashes, {}), labels=labels)
    return [found.get(position, []) for position in range(len(items))]
