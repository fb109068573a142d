"""The matching engine: exact hashes by indexed look-up, PDQ and vPDQ by Hamming distance.

Exact hashes (SHA-256, SHA-1, MD5) of one file are looked up in the database:
one indexed query for all hashes of a file. For bulk checks (the hash-check
API) each process also holds, per algorithm, the exact hashes of the active
lists in sorted numpy arrays (``ExactIndex``), answering a batch with two
vectorised binary searches. PDQ hashes of all active lists are held in a
FAISS binary index, as Meta's Hasher-Matcher-Actioner does; each process
builds it on first use and rebuilds it when the store's revision token
(models.HashStoreRevision) differs from the one it was built at, so an import
in one process is seen by the next query in every other.

``IndexBinaryFlat`` compares a query with every stored hash (about a
millisecond per million hashes, benchmarks/hashes.py); a larger store would
swap in a multi-index hashing or IVF binary index, or shard by hash prefix,
behind the same ``PdqIndex.search``.

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

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import faiss
import numpy
from django.db.models import Q

from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.models import (
    EXACT_ALGORITHMS,
    HEX_LENGTHS,
    Algorithm,
    HashList,
    KnownHash,
    MatchMethod,
)
from meldpunt.hashes.selectors import hash_revision_current

PDQ_BITS = 256
PDQ_BYTES = PDQ_BITS // 8
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


def _hex_to_vectors(values: Sequence[str]) -> numpy.ndarray:
    """PDQ hex strings as an (n, 32) uint8 array, the layout FAISS binary indexes use."""
    if not values:
        return numpy.zeros((0, PDQ_BYTES), dtype=numpy.uint8)
    packed = numpy.frombuffer(bytes.fromhex("".join(values)), dtype=numpy.uint8)
    return packed.reshape(len(values), PDQ_BYTES)


class PdqIndex:
    """PDQ hashes of the active lists, searchable by Hamming distance."""

    def __init__(self, vectors: numpy.ndarray, list_ids: numpy.ndarray, names: dict[int, str]):
        self.list_ids = list_ids
        self.names = names
        self._index = faiss.IndexBinaryFlat(PDQ_BITS)
        if len(vectors):
            self._index.add(numpy.ascontiguousarray(vectors))

    def list_name(self, list_id: int) -> str:
        return self.names.get(list_id, "")

    def __len__(self) -> int:
        return self._index.ntotal

    @classmethod
    def from_database(cls) -> "PdqIndex":
        rows = KnownHash.objects.filter(
            algorithm=Algorithm.PDQ, hash_list__is_active=True, is_retired=False
        ).values_list("hash_list_id", "value")
        list_ids: list[int] = []
        chunks: list[numpy.ndarray] = []
        values: list[str] = []
        for list_id, value in rows.iterator(chunk_size=50_000):
            list_ids.append(list_id)
            values.append(value)
            if len(values) == 50_000:
                chunks.append(_hex_to_vectors(values))
                values = []
        chunks.append(_hex_to_vectors(values))
        names = dict(HashList.objects.values_list("pk", "name"))
        return cls(numpy.concatenate(chunks), numpy.asarray(list_ids, dtype=numpy.int64), names)

    def search(self, pdqs: Sequence[str], *, max_distance: int) -> list[dict[int, int]]:
        """For each query hash, the smallest distance per list id within ``max_distance``."""
        found: list[dict[int, int]] = [{} for _ in pdqs]
        if not pdqs or not len(self):
            return found
        # range_search keeps distances strictly below the radius.
        limits, distances, labels = self._index.range_search(
            _hex_to_vectors(pdqs), max_distance + 1
        )
        for query in range(len(pdqs)):
            best = found[query]
            for position in range(limits[query], limits[query + 1]):
                list_id = int(self.list_ids[labels[position]])
                distance = int(distances[position])
                if distance < best.get(list_id, PDQ_BITS + 1):
                    best[list_id] = distance
        return found


def hex_to_array(values: Sequence[str], width: int) -> numpy.ndarray:
    """Well-formed hex strings of ``width`` bytes each as an (n, width) uint8 array."""
    if not values:
        return numpy.zeros((0, width), dtype=numpy.uint8)
    packed = numpy.frombuffer(bytes.fromhex("".join(values)), dtype=numpy.uint8)
    return packed.reshape(len(values), width)


def _prefix_keys(vectors: numpy.ndarray) -> numpy.ndarray:
    """The first 8 bytes of each hash as one unsigned 64-bit number (the search key)."""
    return numpy.ascontiguousarray(vectors[:, :8]).view(numpy.uint64).ravel()


class ExactIndex:
    """Exact hashes of one algorithm on the active lists, for batched look-ups in memory.

    Hashes are random, so their first 64 bits nearly always tell them apart:
    the index is sorted by that prefix and searched with ``numpy.searchsorted``
    for a whole batch at once; the full value is then compared for the few
    candidates. A value on several lists occupies one row per list, so the
    rows of equal prefix form a short run. About 48 bytes per SHA-256 hash.
    """

    def __init__(self, vectors: numpy.ndarray, list_ids: numpy.ndarray) -> None:
        keys = _prefix_keys(vectors)
        order = numpy.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.vectors = vectors[order]
        self.list_ids = list_ids[order]
        # The longest run of equal prefixes bounds the comparisons per query.
        if len(self.keys):
            starts = numpy.flatnonzero(numpy.r_[True, self.keys[1:] != self.keys[:-1]])
            self.longest_run = int(numpy.diff(numpy.r_[starts, len(self.keys)]).max())
        else:
            self.longest_run = 0

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def from_database(cls, algorithm: Algorithm) -> "ExactIndex":
        width = HEX_LENGTHS[algorithm] // 2
        rows = KnownHash.objects.filter(
            algorithm=algorithm, hash_list__is_active=True, is_retired=False
        )
        list_ids: list[int] = []
        chunks: list[numpy.ndarray] = []
        values: list[str] = []
        for list_id, value in rows.values_list("hash_list_id", "value").iterator(chunk_size=50_000):
            list_ids.append(list_id)
            values.append(value)
            if len(values) == 50_000:
                chunks.append(hex_to_array(values, width))
                values = []
        chunks.append(hex_to_array(values, width))
        return cls(numpy.concatenate(chunks), numpy.asarray(list_ids, dtype=numpy.int64))

    def lookup(self, queries: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Every (query position, list id) pair where a query is on a list.

        ``queries`` is an (n, width) uint8 array (``hex_to_array``). Two binary
        searches for the whole batch, then one vectorised comparison per row of
        the longest run of equal prefixes (1 unless values repeat across lists).
        """
        empty = numpy.zeros(0, dtype=numpy.int64)
        if not len(self.keys) or not len(queries):
            return empty, empty
        keys = _prefix_keys(queries)
        left = numpy.searchsorted(self.keys, keys, side="left")
        right = numpy.searchsorted(self.keys, keys, side="right")
        candidates = numpy.flatnonzero(right > left)
        positions, list_ids = [], []
        for offset in range(self.longest_run):
            rows = left[candidates] + offset
            inside = rows < right[candidates]
            query_positions, rows = candidates[inside], rows[inside]
            equal = (self.vectors[rows] == queries[query_positions]).all(axis=1)
            positions.append(query_positions[equal])
            list_ids.append(self.list_ids[rows[equal]])
        if not positions:
            return empty, empty
        return numpy.concatenate(positions), numpy.concatenate(list_ids)


_lock = threading.Lock()
_cached: tuple[str, PdqIndex] | None = None
_exact_lock = threading.Lock()
_exact_cached: dict[str, tuple[str, ExactIndex]] = {}


def exact_index(algorithm: Algorithm, *, token: str | None = None) -> ExactIndex:
    """This process's in-memory index of one exact algorithm, rebuilt like the PDQ index.

    ``token`` is the revision the caller read (so one request reads it once);
    without it the current one is read here.
    """
    if token is None:
        token = hash_revision_current()
    with _exact_lock:
        cached = _exact_cached.get(algorithm)
        if cached is None or cached[0] != token:
            cached = (token, ExactIndex.from_database(algorithm))
            _exact_cached[algorithm] = cached
        return cached[1]


def pdq_index(*, token: str | None = None) -> PdqIndex:
    """This process's PDQ index, rebuilt first if the store changed anywhere since.

    The token is read before the rows, so an index is never labelled newer
    than the rows it holds; a change committed in between only costs one more
    rebuild at the next query. A caller that already read the token passes it.
    """
    global _cached
    if token is None:
        token = hash_revision_current()
    with _lock:
        if _cached is None or _cached[0] != token:
            _cached = (token, PdqIndex.from_database())
        return _cached[1]


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
    index = pdq_index()
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
    index = pdq_index()
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
