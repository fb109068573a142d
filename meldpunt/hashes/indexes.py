"""In-memory indexes of known hashes: exact values in sorted arrays, PDQ in FAISS.

Kept apart from matching.py because numpy and FAISS cost a process some
30 MiB: matching imports this module the first time an index is needed.

``IndexBinaryFlat`` compares a query with every stored hash (about a
millisecond per million hashes, benchmarks/hashes.py); a larger store would
swap in a multi-index hashing or IVF binary index, or shard by hash prefix,
behind the same ``PdqIndex.search``.
"""

from collections.abc import Sequence

import faiss
import numpy

from meldpunt.hashes.models import HEX_LENGTHS, Algorithm, HashList, KnownHash

PDQ_BITS = 256
PDQ_BYTES = PDQ_BITS // 8


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

    def lookup_hex(self, values: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray]:
        """``lookup`` for well-formed hex strings of this index's width."""
        return self.lookup(hex_to_array(values, self.vectors.shape[1]))

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
