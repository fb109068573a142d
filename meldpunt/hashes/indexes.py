"""In-memory indexes of known hashes: exact values in sorted arrays, PDQ by multi-index hashing.

Kept apart from matching.py because numpy costs a process some 20 MiB:
matching imports this module the first time an index is needed.

PDQ search is exact Hamming range search by multi-index hashing (Norouzi,
Punjani and Fleet): the 256 bits are cut into 16 chunks of 16 bits; two
hashes within distance 31 differ in at most one bit in at least one chunk
(16 chunks of 2 differing bits would be 32), so probing, per chunk, the
query's own chunk value and its 16 one-bit neighbours finds every stored hash
within 31, and comparing the full 256 bits of those candidates keeps exactly
the right ones: recall is 1.0, no approximation. A larger threshold probes
more neighbours (radius ``max_distance // 16``), still exactly.

Each chunk is a permutation of the row numbers sorted by that chunk's value
plus 65,537 bucket offsets, in numpy arrays; a batch of queries is answered
with vectorised gathers and ``numpy.bitwise_count`` over the candidates. Chosen
over FAISS ``IndexBinaryMultiHash`` (HMA's index, the same scheme in C++ hash
maps) and ``IndexBinaryFlat`` after measuring them side by side
(benchmarks/hashes.py, docs/benchmarks.md): sorted arrays build faster, take
less memory (96 bytes per hash), and new rows are inserted into the existing
arrays (an ``numpy.insert`` per chunk) instead of rebuilding anything.
"""

import functools
import threading
from collections.abc import Sequence
from itertools import combinations

import numpy

from meldpunt.hashes.models import HEX_LENGTHS, Algorithm, HashList, KnownHash

PDQ_BITS = 256
PDQ_BYTES = PDQ_BITS // 8
CHUNKS = 16  # chunks of 16 bits: one uint16 per chunk
BUCKETS = 1 << 16
READ_CHUNK = 50_000
CANDIDATES_PER_BLOCK = 2_000_000  # per vectorised step: bounds the temporary arrays (~60 MB)


def hex_to_array(values: Sequence[str], width: int) -> numpy.ndarray:
    """Well-formed hex strings of ``width`` bytes each as an (n, width) uint8 array."""
    if not values:
        return numpy.zeros((0, width), dtype=numpy.uint8)
    packed = numpy.frombuffer(bytes.fromhex("".join(values)), dtype=numpy.uint8)
    return packed.reshape(len(values), width)


@functools.cache
def _flip_masks(radius: int) -> numpy.ndarray:
    """Every 16-bit mask of at most ``radius`` set bits (the probes around a chunk value)."""
    masks = [0]
    for bits in range(1, radius + 1):
        masks += [sum(1 << bit for bit in chosen) for chosen in combinations(range(16), bits)]
    return numpy.asarray(masks, dtype=numpy.uint16)


def pdq_brute_force(
    stored: numpy.ndarray, queries: numpy.ndarray, *, max_distance: int
) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(query, row, distance) of every pair within ``max_distance``, by comparing all pairs.

    The reference the index is tested and benchmarked against; (n, 32) uint8 arrays.
    """
    stored64 = numpy.ascontiguousarray(stored).view(numpy.uint64)
    found_queries, found_rows, found_distances = [], [], []
    for query, vector in enumerate(numpy.ascontiguousarray(queries).view(numpy.uint64)):
        distances = numpy.bitwise_count(stored64 ^ vector).sum(axis=1, dtype=numpy.int32)
        rows = numpy.flatnonzero(distances <= max_distance)
        found_queries.append(numpy.full(len(rows), query, dtype=numpy.int64))
        found_rows.append(rows)
        found_distances.append(distances[rows])
    if not found_rows:
        empty = numpy.zeros(0, dtype=numpy.int64)
        return empty, empty, empty
    return (
        numpy.concatenate(found_queries),
        numpy.concatenate(found_rows).astype(numpy.int64),
        numpy.concatenate(found_distances).astype(numpy.int64),
    )


class MultiIndex:
    """Exact Hamming range search over 256-bit vectors (multi-index hashing, see above).

    Not thread-safe by itself: ``PdqIndex`` serialises additions and searches.
    """

    def __init__(self, vectors: numpy.ndarray | None = None) -> None:
        # The 256 bits as four contiguous columns of 64-bit words.
        self.columns = [numpy.zeros(0, dtype=numpy.uint64) for _ in range(PDQ_BYTES // 8)]
        self.orders = [numpy.zeros(0, dtype=numpy.int32) for _ in range(CHUNKS)]
        self.offsets = numpy.zeros((CHUNKS, BUCKETS + 1), dtype=numpy.int64)
        if vectors is not None and len(vectors):
            self.add(vectors)

    def __len__(self) -> int:
        return len(self.columns[0])

    def add(self, vectors: numpy.ndarray) -> None:
        """Append (n, 32) uint8 rows; they get the next row numbers.

        Each chunk's sorted permutation takes the new rows at the end of their
        buckets (``numpy.insert``, one pass over the array): the old rows are
        never re-sorted, and only one chunk's array is copied at a time.
        """
        if not len(vectors):
            return
        vectors = numpy.ascontiguousarray(vectors, dtype=numpy.uint8)
        first = len(self)
        if first + len(vectors) > numpy.iinfo(numpy.int32).max:
            raise OverflowError("more rows than one index holds; shard the store")
        keys = vectors.view(numpy.uint16)  # (n, 16): chunk j is bytes 2j and 2j+1
        for chunk in range(CHUNKS):
            column = numpy.ascontiguousarray(keys[:, chunk])
            order = numpy.argsort(column, kind="stable")
            rows = (order + first).astype(numpy.int32)
            # The end of each new row's bucket in the old array; new rows go there in order.
            at = self.offsets[chunk, column[order].astype(numpy.int64) + 1]
            self.orders[chunk] = numpy.insert(self.orders[chunk], at, rows)
            counts = numpy.bincount(column, minlength=BUCKETS)
            self.offsets[chunk, 1:] += numpy.cumsum(counts)
        words = vectors.view(numpy.uint64)
        self.columns = [
            numpy.concatenate([column, words[:, word]]) for word, column in enumerate(self.columns)
        ]

    def search(
        self, queries: numpy.ndarray, *, max_distance: int
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """(query, row, distance) of every stored row within ``max_distance``; each pair once."""
        # Blocks of queries whose candidates number some millions: fast, bounded memory.
        probes = CHUNKS * len(_flip_masks(max(max_distance, 0) // CHUNKS))
        expected = max(probes * len(self) // BUCKETS, 1)
        block = min(max(CANDIDATES_PER_BLOCK // expected, 1), 1024)
        results = [
            self._search_block(queries[start : start + block], start, max_distance)
            for start in range(0, len(queries), block)
        ]
        if not results or not len(self):
            empty = numpy.zeros(0, dtype=numpy.int64)
            return empty, empty, empty
        return tuple(numpy.concatenate(parts) for parts in zip(*results, strict=True))

    def _search_block(
        self, queries: numpy.ndarray, first: int, max_distance: int
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        queries = numpy.ascontiguousarray(queries, dtype=numpy.uint8)
        count = len(queries)
        masks = _flip_masks(max(max_distance, 0) // CHUNKS)
        keys = queries.view(numpy.uint16)
        candidate_rows, candidate_queries = [], []
        for chunk in range(CHUNKS):
            probes = (keys[:, chunk, None] ^ masks).astype(numpy.int64)  # (count, probes)
            starts = self.offsets[chunk, probes].ravel()
            lengths = self.offsets[chunk, probes + 1].ravel() - starts
            total = int(lengths.sum())
            if not total:
                continue
            # Positions starts[i] .. starts[i]+lengths[i]-1 for every probe, in one array.
            shift = numpy.repeat(starts - (numpy.cumsum(lengths) - lengths), lengths)
            candidate_rows.append(self.orders[chunk][shift + numpy.arange(total)])
            per_query = lengths.reshape(count, -1).sum(axis=1)
            candidate_queries.append(numpy.repeat(numpy.arange(count), per_query))
        empty = numpy.zeros(0, dtype=numpy.int64)
        if not candidate_rows:
            return empty, empty, empty
        rows = numpy.concatenate(candidate_rows)
        query_of = numpy.concatenate(candidate_queries)
        # Word by word over contiguous columns: cheaper than a (n, 4) gather and row sums.
        query_words = queries.view(numpy.uint64).T
        distances = numpy.zeros(len(rows), dtype=numpy.uint16)
        for word in range(PDQ_BYTES // 8):
            distances += numpy.bitwise_count(self.columns[word][rows] ^ query_words[word][query_of])
        near = distances <= max_distance
        rows, query_of = rows[near].astype(numpy.int64), query_of[near]
        distances = distances[near].astype(numpy.int64)
        # A row found through several chunks is reported once.
        pairs = numpy.unique(query_of * (len(self) + 1) + rows, return_index=True)[1]
        return query_of[pairs] + first, rows[pairs], distances[pairs]


class PdqIndex:
    """PDQ hashes of every list, searchable by Hamming distance, kept current in place.

    Holds every PDQ row of the store in row-id order, with a ``live`` flag:
    rows of lists switched off or removed and retired rows are held but never
    reported. ``refresh`` (on a new revision token) adds only the rows with a
    larger id than the last one held, and recomputes the flags from two small
    queries (the lists, the retired PDQ rows); the arrays are never rebuilt
    from the database while a process runs, unless rows of removed lists
    make up a quarter of them or the store was replaced underneath
    (``stale``, checked on the last row held).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index = MultiIndex()
        self.row_ids = numpy.zeros(0, dtype=numpy.int64)
        self.list_ids = numpy.zeros(0, dtype=numpy.int64)
        self.live = numpy.zeros(0, dtype=bool)
        self.names: dict[int, str] = {}
        self.last_value = ""
        self.stale = False

    def list_name(self, list_id: int) -> str:
        return self.names.get(list_id, "")

    def __len__(self) -> int:
        """How many hashes can match now."""
        return int(self.live.sum())

    @classmethod
    def from_database(cls) -> "PdqIndex":
        index = cls()
        index.refresh()
        return index

    def refresh(self) -> int:
        """Take in the store's changes since the last refresh; returns the rows added.

        New rows are found by id: imports take the revision row's lock before
        inserting (services.hash_revision_lock), so rows commit in id order and
        none with a smaller id can appear after a larger one was read.
        """
        with self._lock:
            last = int(self.row_ids[-1]) if len(self.row_ids) else 0
            if last and not self._last_row_intact(last):
                self.stale = True  # a restored or rolled-back database: rebuild
                return 0
            added = self._add_rows(last)
            self._flags_update()
            return added

    def _last_row_intact(self, last: int) -> bool:
        """Whether the last row held is still there as held, or went with its removed list."""
        held = (int(self.list_ids[-1]), self.last_value)
        found = (
            KnownHash.objects.filter(pk=last, algorithm=Algorithm.PDQ)
            .values_list("hash_list_id", "value")
            .first()
        )
        if found is None:
            return not HashList.objects.filter(pk=held[0]).exists()
        return found == held

    def _add_rows(self, after: int) -> int:
        rows = (
            KnownHash.objects.filter(algorithm=Algorithm.PDQ, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "hash_list_id", "value")
        )
        added = 0
        batch: list[tuple[int, int, str]] = []
        for row in rows.iterator(chunk_size=READ_CHUNK):
            batch.append(row)
            if len(batch) == READ_CHUNK * 4:
                added += self._add_batch(batch)
                batch = []
        return added + self._add_batch(batch)

    def _add_batch(self, batch: list[tuple[int, int, str]]) -> int:
        if not batch:
            return 0
        row_ids, list_ids, values = zip(*batch, strict=True)
        self._index.add(hex_to_array(values, PDQ_BYTES))
        self.row_ids = numpy.concatenate([self.row_ids, numpy.asarray(row_ids, numpy.int64)])
        self.list_ids = numpy.concatenate([self.list_ids, numpy.asarray(list_ids, numpy.int64)])
        self.last_value = values[-1]
        return len(batch)

    def _flags_update(self) -> None:
        lists = list(HashList.objects.values_list("pk", "name", "is_active"))
        self.names = {pk: name for pk, name, _active in lists}
        active = numpy.asarray([pk for pk, _name, is_active in lists if is_active], numpy.int64)
        retired = numpy.asarray(
            KnownHash.objects.filter(algorithm=Algorithm.PDQ, is_retired=True).values_list(
                "pk", flat=True
            ),
            dtype=numpy.int64,
        )
        self.live = numpy.isin(self.list_ids, active) & ~numpy.isin(self.row_ids, retired)
        removed = int((~numpy.isin(self.list_ids, numpy.asarray(list(self.names)))).sum())
        if removed > max(len(self.row_ids) // 4, 10_000):
            self.stale = True  # rows of removed lists: worth a rebuild to free them

    def search_arrays(
        self, vectors: numpy.ndarray, *, max_distance: int
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """(query position, list id, distance) of every live row within ``max_distance``."""
        with self._lock:
            queries, rows, distances = self._index.search(vectors, max_distance=max_distance)
            live = self.live[rows]
            return queries[live], self.list_ids[rows[live]], distances[live]

    def search_hex(
        self, pdqs: Sequence[str], *, max_distance: int
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """``search_arrays`` for well-formed hex strings."""
        return self.search_arrays(hex_to_array(pdqs, PDQ_BYTES), max_distance=max_distance)

    def search(self, pdqs: Sequence[str], *, max_distance: int) -> list[dict[int, int]]:
        """For each query hash, the smallest distance per list id within ``max_distance``."""
        found: list[dict[int, int]] = [{} for _ in pdqs]
        if not pdqs:
            return found
        queries, list_ids, distances = self.search_arrays(
            hex_to_array(pdqs, PDQ_BYTES), max_distance=max_distance
        )
        for query, list_id, distance in zip(
            queries.tolist(), list_ids.tolist(), distances.tolist(), strict=True
        ):
            best = found[query]
            if distance < best.get(list_id, PDQ_BITS + 1):
                best[list_id] = distance
        return found


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
