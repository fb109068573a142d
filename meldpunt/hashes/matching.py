"""The matching engine: exact hashes by indexed look-up, PDQ and vPDQ by Hamming distance.

Exact hashes (SHA-256, SHA-1, MD5) of one file are looked up in the database:
one indexed query for all hashes of a file. For bulk checks (the hash-check
API) each process also holds, per algorithm, the exact hashes of the active
lists in sorted numpy arrays (``indexes.ExactIndex``), answering a batch with
two vectorised binary searches. PDQ hashes of all lists are held in a
multi-index-hashing index (``indexes.PdqIndex``, exact range search); each
process builds it on first use and, when the store's revision token
(models.HashStoreRevision) differs from the one it last saw, adds the new rows
and re-reads which lists and rows may match, so an import in one process is
seen by the next query in every other without a rebuild; the exact indexes
are kept current the same way. The indexes module (numpy) is imported on first
use, so a process that never matches by index does not carry it.

Hashes of the own list whose entries were all retired (``is_retired``) are
never matched, by any of these paths.

Thresholds (conf.py): a PDQ match is a distance of at most 31 bits; PDQ
hashes of quality under 50 are not matched at all, as PDQ's authors advise,
because featureless pictures (flat colours, near-black frames) all hash alike.
A video matches a list when at least 80 % of its distinct good-quality vPDQ
frame hashes match that list, vPDQ's "query match percent"; lists hold
single PDQ hashes, not whole videos, so vPDQ's second figure (the share of
the known video's frames found) does not apply.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.models import (
    EXACT_ALGORITHMS,
    HEX_LENGTHS,
    Algorithm,
    KnownHash,
    MatchMethod,
)
from meldpunt.hashes.selectors import hash_revision_current
from meldpunt.hashes.shards import this_shard

if TYPE_CHECKING:
    import numpy

    from meldpunt.hashes.indexes import ExactIndex, PdqIndex

VPDQ = MatchMethod.VPDQ  # the method reported for a video matched by its frames


@dataclass(frozen=True)
class Match:
    """One list that a file (or hash) matched.

    ``distance`` is 0 for exact hashes and the Hamming distance for PDQ (the
    smallest over matched frames for a video); ``frame_percent`` is the share
    of a video's frames that matched.
    """

    hash_list_id: int
    list_name: str
    method: str
    distance: int = 0
    frame_percent: float | None = None


_lock = threading.Lock()
_cached: tuple[str, PdqIndex] | None = None
_exact_lock = threading.Lock()
_exact_cached: dict[str, tuple[str, ExactIndex]] = {}


def exact_index(algorithm: Algorithm, *, token: str | None = None) -> ExactIndex:
    """This process's in-memory index of one exact algorithm, kept current like the PDQ one.

    A changed token inserts the new rows into the sorted arrays and re-reads
    which lists and rows may match (``ExactIndex.refresh``); only a first use
    or a store replaced underneath builds it from scratch, dropping the old
    one first. ``token`` is the revision the caller read (so one request
    reads it once); without it the current one is read here.
    """
    if token is None:
        token = hash_revision_current()
    with _exact_lock:
        cached = _exact_cached.get(algorithm)
        if cached is not None and cached[0] != token:
            cached[1].refresh()
            cached = None if cached[1].stale else (token, cached[1])
            _exact_cached.pop(algorithm, None)
        if cached is None:
            from meldpunt.hashes.indexes import ExactIndex  # noqa: PLC0415 (numpy on first use)

            cached = (token, ExactIndex.from_database(algorithm, value_range=_value_range()))
        _exact_cached[algorithm] = cached
        return cached[1]


def pdq_index(*, token: str | None = None) -> PdqIndex:
    """This process's PDQ index, brought up to date first if the store changed since.

    The token is read before the rows, so an index is never labelled newer
    than the rows it holds; a change committed in between only costs one more
    refresh at the next query. A changed token adds the new rows to the index
    in place and re-reads which lists and rows may match (``PdqIndex.refresh``);
    only a first use, or a store replaced underneath, builds it from scratch,
    dropping the old one first so that a process never holds two.
    A caller that already read the token passes it.
    """
    global _cached
    if token is None:
        token = hash_revision_current()
    with _lock:
        if _cached is not None and _cached[0] != token:
            _cached[1].refresh()
            _cached = None if _cached[1].stale else (token, _cached[1])
        if _cached is None:
            from meldpunt.hashes.indexes import PdqIndex  # noqa: PLC0415 (numpy on first use)

            _cached = (token, PdqIndex.from_database(value_range=_value_range()))
        return _cached[1]


def _value_range() -> tuple[str, str | None] | None:
    """The part of the store this process's indexes hold: a shard's range, or all of it."""
    shard = this_shard()
    return None if shard is None else shard.value_range


def _whole_store_index() -> PdqIndex:
    """The PDQ index for matching a file, which needs every list in this process.

    A shard process (MELDPUNT_HASH_SHARD) holds only part of the store and
    would miss matches in the other parts, so it refuses to match files;
    they are matched in the web and worker processes, which are not shards.
    """
    if this_shard() is not None:
        raise ImproperlyConfigured(
            "a hash shard process (MELDPUNT_HASH_SHARD) holds a part of the lists only "
            "and does not match files"
        )
    return pdq_index()


def hashes_search(
    values: Mapping[Algorithm, numpy.ndarray],
    *,
    max_distance: int,
    lists: Collection[int] | None = None,
    token: str | None = None,
) -> dict[Algorithm, tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]]:
    """Every live row each value is on, per algorithm, from this process's indexes.

    ``values`` are (n, bytes) uint8 arrays (``indexes.hex_to_array``); the
    result gives, per algorithm, (query number, list id, distance) arrays,
    the query number counting that algorithm's values from 0 and the
    distance 0 for exact hashes. ``lists`` keeps only rows of those lists.
    The store's revision is read once (or is ``token``, read by the caller
    with the client's lists), so all algorithms answer from the same state.
    The hash-check API's search, in one process or, on a shard, for the
    front (``shards.hashes_search_sharded`` gives the same triples over the
    shards).
    """
    import numpy  # noqa: PLC0415 (numpy on first use, with the indexes)

    if token is None:
        token = hash_revision_current()
    allowed = None if lists is None else numpy.asarray(sorted(lists), dtype=numpy.int64)
    found = {}
    for algorithm, batch in values.items():
        if not len(batch):
            continue
        if algorithm == Algorithm.PDQ:
            queries, list_ids, distances = pdq_index(token=token).search_arrays(
                batch, max_distance=max_distance
            )
        else:
            queries, list_ids = exact_index(algorithm, token=token).lookup(batch)
            distances = numpy.zeros(len(queries), dtype=numpy.int64)
        if allowed is not None:
            keep = numpy.isin(list_ids, allowed)
            queries, list_ids, distances = queries[keep], list_ids[keep], distances[keep]
        found[algorithm] = (queries, list_ids, distances)
    return found


def _normalised(values: Iterable[str], length: int) -> list[str]:
    """Well-formed lower-case hex of the expected length; anything else cannot match."""
    result = []
    for value in values:
        value = (value or "").strip().lower()
        if len(value) == length and all(c in "0123456789abcdef" for c in value):
            result.append(value)
    return result


def hashes_match_exact(hashes: Mapping[str, str]) -> list[Match]:
    """Lists on which any of the given exact hashes ({"sha256": hex, ...}) is found.

    Keys other than sha256, sha1 and md5 are ignored; one indexed query in all.
    """
    wanted = {
        algorithm: value[0]
        for algorithm in EXACT_ALGORITHMS
        if (value := _normalised([hashes.get(algorithm.value, "")], HEX_LENGTHS[algorithm]))
    }
    if not wanted:
        return []
    condition = Q()
    for algorithm, value in wanted.items():
        condition |= Q(algorithm=algorithm, value=value)
    found = (
        KnownHash.objects.filter(condition, hash_list__is_active=True, is_retired=False)
        .values_list("hash_list_id", "hash_list__name", "algorithm")
        .distinct()
        .order_by("hash_list__name", "algorithm")
    )
    return [Match(list_id, name, algorithm) for list_id, name, algorithm in found]


def hashes_match_pdq(pdq: str, *, quality: int | None) -> list[Match]:
    """Lists holding a PDQ hash within the distance threshold of ``pdq``.

    A hash whose quality is unknown or under HASHES_PDQ_MIN_QUALITY is not
    matched: it would match every other featureless picture.
    """
    if quality is None or quality < hashes_setting("HASHES_PDQ_MIN_QUALITY"):
        return []
    query = _normalised([pdq], HEX_LENGTHS[Algorithm.PDQ])
    if not query:
        return []
    index = _whole_store_index()
    [best] = index.search(query, max_distance=hashes_setting("HASHES_PDQ_MAX_DISTANCE"))
    matches = [
        Match(list_id, index.list_name(list_id), Algorithm.PDQ, distance)
        for list_id, distance in best.items()
    ]
    return sorted(matches, key=lambda match: match.list_name)


def hashes_match_vpdq(frames: Sequence[Mapping]) -> list[Match]:
    """Lists that a video matches by its vPDQ frames ({"hash": hex, "quality": n, ...}).

    As vPDQ's matcher does: frames under the quality minimum are dropped,
    identical frame hashes count once, and the video matches a list when the
    share of its remaining frame hashes within the PDQ threshold of a hash on
    that list reaches HASHES_VPDQ_QUERY_MATCH_PERCENT.
    """
    minimum = hashes_setting("HASHES_PDQ_MIN_QUALITY")
    good = _normalised(
        (frame.get("hash", "") for frame in frames if frame.get("quality", 0) >= minimum),
        HEX_LENGTHS[Algorithm.PDQ],
    )
    distinct = list(dict.fromkeys(good))
    if not distinct:
        return []
    index = _whole_store_index()
    per_frame = index.search(distinct, max_distance=hashes_setting("HASHES_PDQ_MAX_DISTANCE"))
    matched: dict[int, list[int]] = {}
    for best in per_frame:
        for list_id, distance in best.items():
            matched.setdefault(list_id, []).append(distance)
    required = hashes_setting("HASHES_VPDQ_QUERY_MATCH_PERCENT")
    results = []
    for list_id, distances in matched.items():
        percent = 100.0 * len(distances) / len(distinct)
        if percent >= required:
            results.append(
                Match(list_id, index.list_name(list_id), VPDQ, min(distances), round(percent, 1))
            )
    return sorted(results, key=lambda match: match.list_name)


def hashes_match(
    *,
    exact: Mapping[str, str] | None = None,
    pdq: str | None = None,
    pdq_quality: int | None = None,
    vpdq: Sequence[Mapping] | None = None,
) -> list[Match]:
    """Everything known about one file: exact, PDQ and vPDQ matches together.

    The single entry point for callers matching one file (evidence at upload,
    the worker, the hotline crawler); the hash-check API's batches go through
    ``checking.hashes_check`` and the in-memory indexes instead.
    """
    matches = hashes_match_exact(exact or {})
    if pdq:
        matches += hashes_match_pdq(pdq, quality=pdq_quality)
    if vpdq:
        matches += hashes_match_vpdq(vpdq)
    return matches


def indexes_forget() -> None:
    """Drop this process's in-memory indexes; the next use builds them from the database.

    For a database replaced underneath a running process in a way its ids
    cannot tell (tests rolling back; restore a backup by restarting instead).
    """
    global _cached
    with _lock:
        _cached = None
    with _exact_lock:
        _exact_cached.clear()
