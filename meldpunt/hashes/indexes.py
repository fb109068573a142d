"""In-memory indexes of known hashes: exact values in sorted arrays, PDQ by multi-index hashing.

Kept apart from matching.py because numpy costs a process some 20 MiB:
matching imports this module the first time an index is needed.

PDQ search is exact Hamming range search by multi-index hashing (Norouzi,
Punjani and Fleet): the 256 bits are cut into chunks, e.g. 16 chunks of 16
bits; two hashes within distance 31 differ in at most one bit in at least one
chunk (16 chunks of 2 differing bits would be 32), so probing, per chunk, the
query's own chunk value and its 16 one-bit neighbours finds every stored hash
within 31, and comparing the full 256 bits of those candidates keeps exactly
the right ones: recall is 1.0, no approximation. The generalised form
(``chunk_radii``) gives each chunk its own radius, so that wider chunks (12
of 21-22 bits, radius 2 or 1) can be used on a large store, where they cut
the candidates per query about sixfold; a larger threshold probes more
neighbours, still exactly.

Each chunk is a permutation of the row numbers sorted by that chunk's value
(3 bytes a row) plus where each possible value's bucket lies (``_Directory``:
a bit vector, a bit per row and per value); the hashes are held once, as four
64-bit words a row. The search loop is compiled (``pdq_kernels``, numba):
per query and chunk it reads the probed buckets and compares the candidates'
full hashes, asking for each stage's memory ahead of use.

Memory was the hard target (issue 14: at most 64 bytes per stored hash at
10 M, beside 1,000 queries/s): the hash is 32, and any encoding of a
permutation of 10 M rows needs about ``log2(n) - 1.44`` bits a row (2.7
bytes), so no more than nine chunks fit. ``COMPACT`` (nine chunks of 23 bits,
radius 3 on five and 2 on four) is what ``chunk_layout`` picks for a large
store: 27 bytes of permutations, 2.5 of directories and about 1 for the row's
id and flag (``_StoreIndex``), 62-63 in all. Fewer, wider chunks mean far
more candidates and probes per query than ``WIDE``'s twelve; the compiled,
prefetching loop is what makes them fast enough (docs/benchmarks.md, the
last section, has the layouts side by side). Chosen over FAISS
``IndexBinaryMultiHash`` (HMA's index, the same scheme in C++ hash maps) and
``IndexBinaryFlat`` after measuring them side by side
(benchmarks/pdq_index.py): sorted arrays build faster, take less memory,
and new rows are inserted into the existing arrays (one pass per chunk)
instead of rebuilding anything.
"""

import functools
import threading
from collections.abc import Iterator, Sequence
from itertools import combinations
from types import ModuleType

import numpy
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Collate

from meldpunt.hashes.models import HEX_LENGTHS, Algorithm, HashList, KnownHash

PDQ_BITS = 256
PDQ_BYTES = PDQ_BITS // 8
READ_CHUNK = 50_000
ADD_ROWS = 2_000_000  # rows read from the database per addition to an index


def hex_to_array(values: Sequence[str], width: int) -> numpy.ndarray:
    """Well-formed hex strings of ``width`` bytes each as an (n, width) uint8 array."""
    if not values:
        return numpy.zeros((0, width), dtype=numpy.uint8)
    packed = numpy.frombuffer(bytes.fromhex("".join(values)), dtype=numpy.uint8)
    return packed.reshape(len(values), width)


@functools.cache
def _flip_masks(radius: int, width: int = 16) -> numpy.ndarray:
    """Every ``width``-bit mask of at most ``radius`` set bits (the probes around a chunk value)."""
    masks = [0]
    for bits in range(1, radius + 1):
        masks += [sum(1 << bit for bit in chosen) for chosen in combinations(range(width), bits)]
    return numpy.asarray(masks, dtype=numpy.int64)


# Chunk widths in bits (summing to at most 256: bits past the last chunk are
# compared, never indexed; the pigeonhole bound holds over the bits indexed,
# as their distance is at most the whole hash's). Sixteen of 16 bits keep the
# directories small on a small store; from LARGE_STORE rows on, nine of 23 bits
# (COMPACT) fit 64 bytes per hash at 10 M. WIDE (twelve of 21-22 bits, 71.5
# bytes per hash at 10 M, the fastest) and LEAN (eight of 22, two and a half
# times COMPACT's candidates per query) were measured beside it and are not
# picked (docs/benchmarks.md).
NARROW = (16,) * 16
WIDE = (22,) * 4 + (21,) * 8
LEAN = (22,) * 8
COMPACT = (23,) * 9
LARGE_STORE = 2_000_000


def chunk_layout(count: int) -> tuple[int, ...]:
    """The chunk widths for an index expected to hold ``count`` hashes."""
    return COMPACT if count >= LARGE_STORE else NARROW


def chunk_radii(widths: Sequence[int], max_distance: int) -> list[int]:
    """The probe radius per chunk that keeps the search exact (generalised pigeonhole).

    If every chunk ``i`` differed in more than ``t_i`` bits, the distance
    would be at least ``sum(t_i) + chunks``; so radii summing to
    ``max_distance - chunks + 1`` guarantee that any hash within
    ``max_distance`` is within ``t_i`` of the query in some chunk. A radius
    of -1 skips a chunk. Larger radii go to the widest chunks (fewer
    candidates per probe).
    """
    chunks = len(widths)
    total = max(max_distance, 0) - chunks + 1
    base, extra = divmod(total, chunks)
    widest_first = sorted(range(chunks), key=lambda chunk: -widths[chunk])
    radii = [base] * chunks
    for chunk in widest_first[:extra]:
        radii[chunk] += 1
    return radii


def _chunk_values(vectors: numpy.ndarray, widths: Sequence[int]) -> Iterator[numpy.ndarray]:
    """Each chunk's value (int64) for (n, 32) uint8 vectors, chunks taken bit by bit in order.

    One chunk at a time: at 10 M rows all twelve at once would be a 960 MB temporary.
    """
    words = vectors.view(">u8").astype(numpy.uint64)  # (n, 4), most significant bit first
    offset = 0
    for width in widths:
        word, shift = divmod(offset, 64)
        if shift + width <= 64:
            value = (words[:, word] >> numpy.uint64(64 - shift - width)) & numpy.uint64(
                (1 << width) - 1
            )
        else:  # across two words
            high = 64 - shift
            low = width - high
            value = (words[:, word] & numpy.uint64((1 << high) - 1)) << numpy.uint64(low)
            value |= words[:, word + 1] >> numpy.uint64(64 - low)
        yield value.astype(numpy.int64)
        offset += width


def _stable_order(values: numpy.ndarray, width: int) -> numpy.ndarray:
    """``numpy.argsort(values, kind="stable")`` for values under ``2**width``, faster.

    numpy sorts 16-bit keys by radix sort; sorting by the low 16 bits and
    then, stably, by the next 16 gives the same order as a merge sort of the
    int64 values in about half the time (a build sorts twelve columns of 10 M).
    """
    order = numpy.argsort((values & 0xFFFF).astype(numpy.uint16), kind="stable")
    for shift in range(16, width, 16):
        digits = ((values[order] >> shift) & 0xFFFF).astype(numpy.uint16)
        order = order[numpy.argsort(digits, kind="stable")]
    return order


def _grown(old: numpy.ndarray, places: numpy.ndarray, keep: numpy.ndarray, new) -> numpy.ndarray:
    """``old`` with ``new`` inserted so that they land at ``places`` of the result.

    ``keep`` marks the result's other places, which take ``old`` in order.
    ``numpy.insert`` does the same but sorts the indices again first, which
    took most of a build.
    """
    if not len(old):
        return numpy.ascontiguousarray(new)
    shape = (len(keep), *new.shape[1:])
    grown = numpy.empty(shape, dtype=numpy.promote_types(old.dtype, new.dtype))
    grown[places] = new
    grown[keep] = old
    return grown


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


CACHE_LINE = 64
ROW_BYTES = 3  # row numbers in a permutation: 3 bytes up to 16,777,216 rows, then 4


def _kernels() -> ModuleType:
    """``pdq_kernels``, imported when the first PDQ index is made.

    Importing numba costs a process 64 MiB and most of a second, which a
    process that only holds exact-hash indexes need not pay.
    """
    from meldpunt.hashes import pdq_kernels  # noqa: PLC0415

    return pdq_kernels


class _Directory:
    """Where each chunk value's rows lie in a chunk's sorted permutation, in a bit vector.

    A table of ``2**width + 1`` offsets takes 16 MiB for a 22-bit chunk (13
    bytes per hash over twelve chunks at 10 M; half a byte in blocks of small
    offsets). Here a bucket is its rows' 0 bits and a 1 bit ending it, with
    every 64th end's position sampled (``pdq_kernels``, where it is read and
    grown): ``(rows + 2**width) / 8`` bytes plus ``2**width / 16``, about 0.28
    bytes per hash for a 23-bit chunk at 10 M, whatever the buckets' sizes.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        empty = numpy.ones(-(-(1 << width) // 64) * 64, dtype=bool)  # every bucket ends at once
        empty[1 << width :] = False
        self.bits = numpy.packbits(empty, bitorder="little").view(numpy.uint64)
        self.samples = numpy.arange(0, 1 << width, 1 << _kernels().SAMPLE_BITS, dtype=numpy.uint32)

    @property
    def nbytes(self) -> int:
        return self.bits.nbytes + self.samples.nbytes

    def grow(self, rows: int, values: numpy.ndarray) -> numpy.ndarray:
        """Take in new rows with the sorted chunk ``values`` beside ``rows`` old ones.

        Returns the new rows' places in the grown permutation.
        """
        self.bits, self.samples, places = _kernels().directory_grown(
            self.bits, rows, values, self.width
        )
        return places


def _line_aligned_words(count: int) -> numpy.ndarray:
    """An uninitialised (count, 4) uint64 array that starts on a 64-byte boundary.

    numpy aligns large arrays to 16 bytes, so half the 32-byte hashes would
    straddle two cache lines and cost two memory reads per candidate instead
    of one (the aligned array answered 15-20 % more queries/s at 10 M).
    """
    raw = numpy.empty(count * PDQ_BYTES + CACHE_LINE, dtype=numpy.uint8)
    start = -raw.ctypes.data % CACHE_LINE
    return raw[start : start + count * PDQ_BYTES].view(numpy.uint64).reshape(count, PDQ_BYTES // 8)


class MultiIndex:
    """Exact Hamming range search over 256-bit vectors (multi-index hashing, see above).

    ``widths`` are the chunk widths in bits (``NARROW``, ``COMPACT``, ``WIDE``
    or ``LEAN``; any widths of at most 24 bits each summing to at most 256
    work: bits past the last chunk are only compared, never indexed). Not
    thread-safe by itself: ``PdqIndex`` serialises additions and searches.

    Memory per hash: 32 bytes for the hash (four uint64 words in one row, so
    that a candidate costs one memory access), ``ROW_BYTES`` per chunk for its
    row number in that chunk's sorted permutation, and the chunks'
    ``_Directory`` bit vectors. The search itself is ``pdq_kernels.search_chunk``,
    compiled by numba when the first index of a process is made.
    """

    def __init__(
        self, vectors: numpy.ndarray | None = None, *, widths: Sequence[int] | None = None
    ) -> None:
        if widths is None:
            widths = chunk_layout(0 if vectors is None else len(vectors))
        if sum(widths) > PDQ_BITS or not all(0 < width <= 24 for width in widths):
            raise ValueError("chunk widths of at most 24 bits, summing to at most 256")
        _kernels().compiled()
        self.widths = tuple(widths)
        self.vectors = _line_aligned_words(0)
        # Per chunk, the row numbers sorted by that chunk's value, little-endian bytes a row.
        self.rows = [numpy.zeros((0, ROW_BYTES), dtype=numpy.uint8) for _ in self.widths]
        self.directories = [_Directory(width) for width in self.widths]
        if vectors is not None and len(vectors):
            self.add(vectors)

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def nbytes(self) -> int:
        return sum(part.nbytes for part in (self.vectors, *self.rows, *self.directories))

    def add(self, vectors: numpy.ndarray) -> None:
        """Append (n, 32) uint8 rows; they get the next row numbers.

        Each chunk's sorted permutation takes the new rows at the end of their
        buckets (``_grown``, one pass over the array): the old rows are never
        re-sorted, and only one array is copied at a time, so an addition
        needs one permutation, one directory's temporaries and the hashes'
        copy more at its peak, not a second index.
        """
        if not len(vectors):
            return
        vectors = numpy.ascontiguousarray(vectors, dtype=numpy.uint8)
        first = len(self)
        total = first + len(vectors)
        if total >= numpy.iinfo(numpy.int32).max:
            raise OverflowError("more rows than one index holds; shard the store")
        row_bytes = max(ROW_BYTES, ((total - 1).bit_length() + 7) // 8)
        keep = numpy.ones(total, dtype=bool)
        for chunk, column in enumerate(_chunk_values(vectors, self.widths)):
            directory = self.directories[chunk]
            order = _stable_order(column, directory.width)
            # Each new row goes at the end of its bucket, in order (``_Directory.grow``).
            places = directory.grow(first, column[order])
            keep[places] = False
            rows = (order + first).astype("<u8").view(numpy.uint8).reshape(-1, 8)
            old = self.rows[chunk]
            if old.shape[1] < row_bytes:  # past 16,777,216 rows: a fourth byte
                old = numpy.pad(old, ((0, 0), (0, row_bytes - old.shape[1])))
            self.rows[chunk] = _grown(old, places, keep, rows[:, :row_bytes])
            keep[places] = True
        grown = _line_aligned_words(total)
        grown[:first] = self.vectors
        grown[first:] = vectors.view(numpy.uint64)
        self.vectors = grown

    def search(
        self, queries: numpy.ndarray, *, max_distance: int
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """(query, row, distance) of every stored row within ``max_distance``; each pair once."""
        queries = numpy.ascontiguousarray(queries, dtype=numpy.uint8)
        if not queries.flags.writeable:  # e.g. from bytes: the kernel is compiled for writable ones
            queries = queries.copy()
        radii = chunk_radii(self.widths, max_distance)
        words = queries.view(numpy.uint64)
        found = [
            _kernels().search_chunk(
                values,
                _flip_masks(radii[chunk], self.widths[chunk]),
                self.directories[chunk].bits,
                self.directories[chunk].samples,
                self.rows[chunk],
                self.vectors,
                words,
                max_distance,
            )
            for chunk, values in enumerate(_chunk_values(queries, self.widths))
            if radii[chunk] >= 0 and len(self)
        ]
        if not found:
            empty = numpy.zeros(0, dtype=numpy.int64)
            return empty, empty, empty
        query_of, rows, distances = (numpy.concatenate(parts) for parts in zip(*found, strict=True))
        # A row found through several chunks is reported once.
        pairs = numpy.unique(query_of * (len(self) + 1) + rows, return_index=True)[1]
        return query_of[pairs], rows[pairs], distances[pairs]


def store_rows(algorithm: Algorithm, value_range: tuple[str, str | None] | None) -> QuerySet:
    """The store's rows of one algorithm whose values lie in ``value_range`` (all without one).

    Values are stored as lower-case hex of one length, so a range of leading
    digits is a range of strings. On PostgreSQL the comparison is made in the
    "C" collation (byte order), whatever the database's locale, so that the
    shards' ranges meet exactly as ``shards.Shard.holds`` computes them.
    """
    rows = KnownHash.objects.filter(algorithm=algorithm)
    if value_range is not None:
        low, high = value_range
        field = "value"
        if connection.vendor == "postgresql":
            rows, field = rows.alias(value_bytes=Collate("value", "C")), "value_bytes"
        rows = rows.filter(**{f"{field}__gte": low})
        if high is not None:
            rows = rows.filter(**{f"{field}__lt": high})
    return rows


class _AscendingIds:
    """Ascending row ids in about one byte each: the gap from each to the one before.

    Rows of one import have consecutive ids (or nearly: several algorithms in
    one file interleave), so nearly every gap fits a byte; the rare larger
    ones (a removed list's ids, another algorithm's import) are kept apart.
    The ids are only needed whole when the live flags are recomputed
    (``values``: a temporary), not per search. Four bytes a row as uint32
    were an eighth of the 64 bytes per PDQ hash that issue 14 allows.
    """

    def __init__(self) -> None:
        self.gaps = numpy.zeros(0, dtype=numpy.uint8)  # 255: look in ``jumps``
        self.jump_at = numpy.zeros(0, dtype=numpy.int64)
        self.jumps = numpy.zeros(0, dtype=numpy.int64)
        self.last = 0

    def __len__(self) -> int:
        return len(self.gaps)

    @property
    def nbytes(self) -> int:
        return self.gaps.nbytes + self.jump_at.nbytes + self.jumps.nbytes

    def append(self, ids: numpy.ndarray) -> None:
        """Take in ascending ids larger than any held."""
        gaps = numpy.diff(ids, prepend=self.last)
        large = numpy.flatnonzero(gaps >= 255)
        self.jump_at = numpy.concatenate([self.jump_at, large + len(self)])
        self.jumps = numpy.concatenate([self.jumps, gaps[large]])
        self.gaps = numpy.concatenate([self.gaps, numpy.minimum(gaps, 255).astype(numpy.uint8)])
        self.last = int(ids[-1])

    def values(self) -> numpy.ndarray:
        """Every id, in order, as int64."""
        gaps = self.gaps.astype(numpy.int64)
        gaps[self.jump_at] = self.jumps
        return numpy.cumsum(gaps)


class _StoreIndex:
    """The rows of one algorithm of the store, in memory, kept current in place.

    Holds every row of the algorithm (row-id order) with a ``live`` flag: rows
    of lists switched off or removed and retired rows are held but never
    reported. Per row, in little memory: its id (``_AscendingIds``, about a
    byte), its list as runs of rows
    (an import is one list, so a few runs in all) and the flag as one bit.
    ``refresh`` (on a new revision token) adds only the rows with a larger id
    than the last one held, and recomputes the flags from two small queries
    (the lists, the retired rows of this algorithm); the arrays are never
    rebuilt from the database while a process runs, unless rows of
    removed lists make up a quarter of them or the store was replaced
    underneath (``stale``, checked on the last row held).

    Subclasses hold the searchable structure over the row numbers
    (``_structure_add``) and search it, always under ``self._lock``.

    ``value_range`` (``shards.Shard.value_range``) limits the index to the
    values from ``low`` up to, not including, ``high`` (``None``: no end): a
    shard process holds only its part of the store (docs/operations.md).
    """

    algorithm: Algorithm

    def __init__(self, *, value_range: tuple[str, str | None] | None = None) -> None:
        self._lock = threading.Lock()
        self.value_range = value_range
        self.row_ids = _AscendingIds()
        self.list_starts = numpy.zeros(0, dtype=numpy.int64)  # first row of each run of one list
        self.list_runs = numpy.zeros(0, dtype=numpy.int64)  # that run's list id
        self.live_bits = numpy.zeros(0, dtype=numpy.uint8)  # the live flags, 8 rows a byte
        self.names: dict[int, str] = {}
        self.last_value = ""
        self.stale = False

    @property
    def width(self) -> int:
        """Bytes per hash."""
        return HEX_LENGTHS[self.algorithm] // 2

    def list_name(self, list_id: int) -> str:
        return self.names.get(list_id, "")

    def _store_rows(self) -> QuerySet:
        return store_rows(self.algorithm, self.value_range)

    def __len__(self) -> int:
        """How many hashes can match now."""
        return int(numpy.bitwise_count(self.live_bits).sum(dtype=numpy.int64))

    @property
    def ids_nbytes(self) -> int:
        """Memory held for the rows' ids and flags (the structure's is its own ``nbytes``)."""
        parts = (self.row_ids, self.list_starts, self.list_runs, self.live_bits)
        return sum(part.nbytes for part in parts)

    def list_ids_of(self, rows: numpy.ndarray) -> numpy.ndarray:
        """The list id (int64) of each of the row numbers ``rows``."""
        return self.list_runs[numpy.searchsorted(self.list_starts, rows, side="right") - 1]

    def live_at(self, rows: numpy.ndarray) -> numpy.ndarray:
        """Whether each of the row numbers ``rows`` (int64) may match now."""
        return ((self.live_bits[rows >> 3] >> (rows & 7)) & 1).astype(bool)

    def refresh(self) -> int:
        """Take in the store's changes since the last refresh; returns the rows added.

        New rows are found by id: imports take the revision row's lock before
        inserting (services.hash_revision_lock), so rows commit in id order and
        none with a smaller id can appear after a larger one was read.
        """
        with self._lock:
            last = self.row_ids.last
            if last and not self._last_row_intact(last):
                self.stale = True  # a restored or rolled-back database: rebuild
                return 0
            added = self._add_rows(last)
            self._flags_update()
            return added

    def _last_row_intact(self, last: int) -> bool:
        """Whether the last row held is still there as held, or went with its removed list."""
        held = (int(self.list_runs[-1]), self.last_value)
        found = (
            KnownHash.objects.filter(pk=last, algorithm=self.algorithm)
            .values_list("hash_list_id", "value")
            .first()
        )
        if found is None:
            return not HashList.objects.filter(pk=held[0]).exists()
        return found == held

    def _add_rows(self, after: int) -> int:
        """Read the rows after id ``after`` and add them, ``ADD_ROWS`` at a time.

        Rows are read and decoded ``READ_CHUNK * 4`` at a time (Python tuples
        are large) but added to the structure in larger groups: each addition
        costs a pass over the whole structure (a PDQ directory is a pass over
        ``2**23`` values per chunk), so a build from the database in reads'
        sizes would make tens of passes instead of a few.
        """
        rows = (
            self._store_rows()
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "hash_list_id", "value")
        )
        added = 0
        batch: list[tuple[int, int, str]] = []
        waiting: list[tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]] = []
        for row in rows.iterator(chunk_size=READ_CHUNK):
            batch.append(row)
            if len(batch) == READ_CHUNK * 4:
                waiting.append(self._decoded(batch))
                batch = []
                if sum(len(part[0]) for part in waiting) >= ADD_ROWS:
                    added += self._waiting_add(waiting)
                    waiting = []
        if batch:
            waiting.append(self._decoded(batch))
        return added + self._waiting_add(waiting)

    def _decoded(
        self, batch: list[tuple[int, int, str]]
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        row_ids, list_ids, values = zip(*batch, strict=True)
        self.last_value = values[-1]
        return (
            numpy.asarray(row_ids, numpy.int64),
            numpy.asarray(list_ids, numpy.int64),
            hex_to_array(values, self.width),
        )

    def _waiting_add(self, waiting: list[tuple[numpy.ndarray, ...]]) -> int:
        if not waiting:
            return 0
        row_ids, list_ids, vectors = zip(*waiting, strict=True)
        self._arrays_add(
            numpy.concatenate(row_ids), numpy.concatenate(list_ids), numpy.concatenate(vectors)
        )
        return sum(len(part) for part in row_ids)

    def _arrays_add(
        self, row_ids: numpy.ndarray, list_ids: numpy.ndarray, vectors: numpy.ndarray
    ) -> None:
        """Rows with larger ids than any held, not live until the next ``_flags_apply``."""
        if not len(row_ids):
            return
        first = len(self.row_ids)
        self._structure_add(vectors)
        self.row_ids.append(row_ids)
        starts = numpy.concatenate([[0], numpy.flatnonzero(list_ids[1:] != list_ids[:-1]) + 1])
        if len(self.list_runs) and self.list_runs[-1] == list_ids[0]:
            starts = starts[1:]  # the last run goes on
        self.list_starts = numpy.concatenate([self.list_starts, starts + first])
        self.list_runs = numpy.concatenate([self.list_runs, list_ids[starts]])
        missing = (len(self.row_ids) + 7) // 8 - len(self.live_bits)
        self.live_bits = numpy.concatenate([self.live_bits, numpy.zeros(missing, numpy.uint8)])

    def _arrays_fill(self, vectors: numpy.ndarray, list_ids: numpy.ndarray) -> None:
        """Rows 1 .. n of the given lists, all live: an index of arrays without a database."""
        list_ids = numpy.asarray(list_ids, dtype=numpy.int64)
        self._arrays_add(numpy.arange(1, len(vectors) + 1), list_ids, vectors)
        self._flags_apply(numpy.unique(list_ids), numpy.zeros(0, dtype=numpy.int64))

    def _structure_add(self, vectors: numpy.ndarray) -> None:
        raise NotImplementedError

    def _flags_update(self) -> None:
        lists = list(HashList.objects.values_list("pk", "name", "is_active"))
        self.names = {pk: name for pk, name, _active in lists}
        active = numpy.asarray([pk for pk, _name, is_active in lists if is_active], numpy.int64)
        retired = numpy.asarray(
            KnownHash.objects.filter(algorithm=self.algorithm, is_retired=True).values_list(
                "pk", flat=True
            ),
            dtype=numpy.int64,
        )
        self._flags_apply(active, retired)
        lengths = numpy.diff(numpy.append(self.list_starts, len(self.row_ids)))
        gone = ~numpy.isin(self.list_runs, numpy.asarray(list(self.names), dtype=numpy.int64))
        if int(lengths[gone].sum()) > max(len(self.row_ids) // 4, 10_000):
            self.stale = True  # rows of removed lists: worth a rebuild to free them

    def _flags_apply(self, active: numpy.ndarray, retired: numpy.ndarray) -> None:
        """Live: the rows of the ``active`` lists whose ids are not among ``retired``.

        Retired ids are found by binary search in the ascending row ids, not by
        a pass over every row per retired one.
        """
        lengths = numpy.diff(numpy.append(self.list_starts, len(self.row_ids)))
        live = numpy.repeat(numpy.isin(self.list_runs, active), lengths)
        ids = self.row_ids.values()
        at = numpy.searchsorted(ids, retired)
        inside = at < len(ids)
        at, retired = at[inside], retired[inside]
        live[at[ids[at] == retired]] = False
        self.live_bits = numpy.packbits(live, bitorder="little")


class PdqIndex(_StoreIndex):
    """PDQ hashes of every list, searchable by Hamming distance, kept current in place.

    The rows' vectors are held in a ``MultiIndex`` under their row numbers.
    """

    algorithm = Algorithm.PDQ

    def __init__(
        self, *, expected: int = 0, value_range: tuple[str, str | None] | None = None
    ) -> None:
        super().__init__(value_range=value_range)
        self._index = MultiIndex(widths=chunk_layout(expected))

    @classmethod
    def from_database(cls, *, value_range: tuple[str, str | None] | None = None) -> "PdqIndex":
        """Every PDQ row of the store (or of the range), in the chunk layout that suits them."""
        expected = store_rows(Algorithm.PDQ, value_range).count()
        index = cls(expected=expected, value_range=value_range)
        index.refresh()
        return index

    @classmethod
    def from_arrays(
        cls,
        vectors: numpy.ndarray,
        list_ids: numpy.ndarray,
        *,
        widths: Sequence[int] | None = None,
    ) -> "PdqIndex":
        """An index of the given (n, 32) hashes, all live, without a database (benchmarks).

        ``widths``: the chunk layout, by default the one ``chunk_layout`` picks.
        """
        index = cls(expected=len(vectors))
        if widths is not None:
            index._index = MultiIndex(widths=widths)
        index._arrays_fill(vectors, list_ids)
        return index

    @property
    def nbytes(self) -> int:
        """Memory held: the multi-index (hashes, permutations, directories), ids and flags."""
        return self._index.nbytes + self.ids_nbytes

    def _structure_add(self, vectors: numpy.ndarray) -> None:
        self._index.add(vectors)

    def search_arrays(
        self, vectors: numpy.ndarray, *, max_distance: int
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """(query position, list id, distance) of every live row within ``max_distance``."""
        with self._lock:
            queries, rows, distances = self._index.search(vectors, max_distance=max_distance)
            live = self.live_at(rows)
            return queries[live], self.list_ids_of(rows[live]), distances[live]

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


class SortedValues:
    """Exact values in arrays sorted by their first 64 bits, for batched look-ups.

    Hashes are random, so their first 64 bits nearly always tell them apart:
    the values are sorted by that prefix, and a table of bucket offsets over
    its top 12-24 bits (about one value per bucket) says where each prefix's
    values lie, so a look-up reads two offsets and one or two keys instead of
    binary-searching 10 million keys (some 24 cache misses each); the full
    value is then compared for the few candidates. A value held several times
    (on several lists) occupies one row each. Each value keeps the row number
    it was added under (``rows``); new values are inserted into the sorted
    arrays (``numpy.insert``, one pass) rather than sorting everything again,
    and the bucket table is recounted. About 44 bytes per SHA-256 value plus
    the table (4 bytes per bucket, at most 64 MiB).

    Not thread-safe by itself: ``ExactIndex`` serialises additions and look-ups.
    """

    def __init__(self, width: int) -> None:
        self.keys = numpy.zeros(0, dtype=numpy.uint64)
        self.vectors = numpy.zeros((0, width), dtype=numpy.uint8)
        self.rows = numpy.zeros(0, dtype=numpy.int32)
        self._buckets_count()

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.vectors.nbytes + self.rows.nbytes + self.offsets.nbytes

    def _buckets_count(self) -> None:
        """The bucket table for the values held: about one value per bucket, 2**12..2**24."""
        self.bits = min(24, max(12, len(self).bit_length()))
        top = (self.keys >> numpy.uint64(64 - self.bits)).astype(numpy.int64)
        counts = numpy.bincount(top, minlength=1 << self.bits)
        self.offsets = numpy.zeros((1 << self.bits) + 1, dtype=numpy.int32)
        numpy.cumsum(counts, out=self.offsets[1:])
        self.longest_bucket = int(counts.max()) if len(self) else 0  # bounds the comparisons

    def add(self, vectors: numpy.ndarray) -> None:
        """Append (n, width) uint8 rows; they get the next row numbers."""
        if not len(vectors):
            return
        first = len(self)
        if first + len(vectors) >= numpy.iinfo(numpy.int32).max:
            raise OverflowError("more rows than one index holds; shard the store")
        keys = _prefix_keys(vectors)
        order = numpy.argsort(keys, kind="stable")
        keys, vectors = keys[order], numpy.ascontiguousarray(vectors[order])
        rows = (order + first).astype(numpy.int32)
        if first:
            at = numpy.searchsorted(self.keys, keys, side="right")  # after equal ones
            self.keys = numpy.insert(self.keys, at, keys)
            self.vectors = numpy.insert(self.vectors, at, vectors, axis=0)
            self.rows = numpy.insert(self.rows, at, rows)
        else:
            self.keys, self.vectors, self.rows = keys, vectors, rows
        self._buckets_count()

    def lookup(self, queries: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Every (query position, row number) pair where a query equals a held value.

        Two offset reads per query for the whole batch, then one vectorised
        step per place in the longest bucket: compare the 64-bit keys, and
        the full values where those are equal.
        """
        empty = numpy.zeros(0, dtype=numpy.int64)
        if not len(self.keys) or not len(queries):
            return empty, empty
        keys = _prefix_keys(queries)
        top = (keys >> numpy.uint64(64 - self.bits)).astype(numpy.int64)
        left = self.offsets[top]
        right = self.offsets[top + 1]
        candidates = numpy.flatnonzero(right > left)
        left, right = left[candidates], right[candidates]
        positions, rows_found = [], []
        for _place in range(self.longest_bucket):
            same = self.keys[left] == keys[candidates]
            at, query_positions = left[same], candidates[same]
            equal = (self.vectors[at] == queries[query_positions]).all(axis=1)
            positions.append(query_positions[equal])
            rows_found.append(self.rows[at[equal]].astype(numpy.int64))
            left = left + 1
            more = left < right
            if not more.any():
                break
            candidates, left, right = candidates[more], left[more], right[more]
        if not positions:
            return empty, empty
        return numpy.concatenate(positions), numpy.concatenate(rows_found)


class ExactIndex(_StoreIndex):
    """Exact hashes (SHA-256, SHA-1 or MD5) of every list, kept current in place.

    The values are held in a ``SortedValues`` under their row numbers; a new
    import is inserted, a switch, retirement or removal only changes flags,
    as for ``PdqIndex``.
    """

    def __init__(
        self, algorithm: Algorithm, *, value_range: tuple[str, str | None] | None = None
    ) -> None:
        super().__init__(value_range=value_range)
        self.algorithm = algorithm
        self._values = SortedValues(self.width)

    @classmethod
    def from_database(
        cls, algorithm: Algorithm, *, value_range: tuple[str, str | None] | None = None
    ) -> "ExactIndex":
        index = cls(algorithm, value_range=value_range)
        index.refresh()
        return index

    @classmethod
    def from_arrays(
        cls, vectors: numpy.ndarray, list_ids: numpy.ndarray, *, algorithm: Algorithm
    ) -> "ExactIndex":
        """An index of the given values, all live, without a database (tests, benchmarks)."""
        index = cls(algorithm)
        index._arrays_fill(vectors, list_ids)
        return index

    @property
    def nbytes(self) -> int:
        """Memory held: the sorted values and the per-row ids and flags."""
        return self._values.nbytes + self.ids_nbytes

    def _structure_add(self, vectors: numpy.ndarray) -> None:
        self._values.add(vectors)

    def lookup_hex(self, values: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray]:
        """``lookup`` for well-formed hex strings of this index's width."""
        return self.lookup(hex_to_array(values, self.width))

    def lookup(self, queries: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Every (query position, list id) pair where a query is on a list that may match.

        ``queries`` is an (n, width) uint8 array (``hex_to_array``).
        """
        with self._lock:
            positions, rows = self._values.lookup(queries)
            live = self.live_at(rows)
            return positions[live], self.list_ids_of(rows[live])
