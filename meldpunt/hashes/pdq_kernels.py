"""The compiled inner loop of the PDQ multi-index (``indexes.MultiIndex``), by numba.

Kept apart from indexes.py because importing numba costs a process some
0.7 s and LLVM's memory: only a process that builds a PDQ index imports it.
Compiled on first use (about 4 s of CPU and 120 MiB of LLVM's memory);
``compiled`` does that once per process and ``MultiIndex`` calls it when it
is made, so a build's time includes it. The machine code is cached in the
data directory (``DATA_DIR/numba-cache``, where the project may write; never
next to the code), so that a process started after the first, e.g. a shard
answering its first PDQ request within ``HASHES_SHARD_TIMEOUT``, loads it in
a fraction of a second instead of compiling. A cache it cannot write only
makes numba warn and compile. The first PDQ index of a process is often built
for a report's file, so the cache's file times are set to the hour after each
load or compile, like every other file of the data directory
(docs/security.md, "Times").

The bucket directory of a chunk is a bit vector: for each chunk value ``v``
in order, one 0 bit per row with that value, then a 1 bit ending the bucket.
Bucket ``v`` ends at the ``v``-th 1 bit (``t_v``), so its rows are positions
``t_{v-1} + 1 - v`` up to ``t_v - v`` of the chunk's sorted permutation. The
position of every 64th 1 bit is kept (``samples``); finding ``t_v`` reads one
sample and then counts 1 bits a word at a time (about two words). That is
``rows + 2**width`` bits plus 4 bytes per 64 values: about 0.2 bytes per hash
per 22-bit chunk at 10 M hashes, against 0.5 for a table of offsets.
"""

import functools
import os
from pathlib import Path

import numpy
from django.conf import settings

from meldpunt.privacy.hours import path_times_to_hour

# Read by numba when it is imported, so set first.
os.environ.setdefault("NUMBA_CACHE_DIR", str(settings.DATA_DIR / "numba-cache"))

from llvmlite import ir  # noqa: E402
from numba import njit, types  # noqa: E402
from numba.core import cgutils  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

SAMPLE_BITS = 6  # a sample per 64 bucket ends
PREFETCH_AHEAD = 16  # candidates whose hashes are asked for before they are compared
_ALL = numpy.uint64(0xFFFF_FFFF_FFFF_FFFF)


@intrinsic
def _popcount(typingctx, value):
    """The hardware population count of a uint64 (LLVM ``ctpop``)."""

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


@intrinsic
def _trailing_zeros(typingctx, value):
    """The count of trailing zero bits of a non-zero uint64 (LLVM ``cttz``)."""

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return types.uint64(types.uint64), codegen


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask for ``array[index]`` (a 1-d array) to be brought into the caches (LLVM ``prefetch``)."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        held = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, held, [args[1]])
        pointer = builder.bitcast(pointer, ir.IntType(8).as_pointer())
        int32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [pointer.type, int32, int32, int32]),
            "llvm.prefetch.p0",
        )
        builder.call(function, [pointer, int32(0), int32(3), int32(1)])  # read, keep, data
        return context.get_dummy_value()

    return types.void(array, types.intp), codegen


@njit(cache=True, nogil=True, inline="always")
def _select_after(bits, position, left):
    """The position of the ``left``-th 1 bit counting from the 1 bit at ``position`` (the 0th)."""
    word_at = position >> 6
    word = bits[word_at] & (_ALL << numpy.uint64(position & 63))
    count = numpy.int64(_popcount(word))
    while left >= count:
        left -= count
        word_at += 1
        word = bits[word_at]
        count = numpy.int64(_popcount(word))
    # The left-th 1 bit of the word, by halving: six population counts.
    offset = numpy.int64(0)
    half = numpy.int64(32)
    while half:
        low = numpy.int64(_popcount(word & ((numpy.uint64(1) << numpy.uint64(half)) - 1)))
        if left >= low:
            left -= low
            word >>= numpy.uint64(half)
            offset += half
        half >>= 1
    return word_at * 64 + offset


@njit(cache=True, nogil=True, inline="always")
def _bucket(bits, sample, value):
    """The first and past-the-last position of chunk value ``value``'s rows.

    ``sample``: the position of the 1 bit that ``samples`` holds for end
    number ``(value - 1) >> SAMPLE_BITS`` (unused for value 0).
    """
    before = numpy.int64(-1)
    if value:
        before = _select_after(bits, sample, (value - 1) & ((1 << SAMPLE_BITS) - 1))
    at = before + 1
    word_at = at >> 6
    word = bits[word_at] >> numpy.uint64(at & 63)
    while word == 0:  # the next 1 bit ends this bucket
        word_at += 1
        at = word_at * 64
        word = bits[word_at]
    return before + 1 - value, at + numpy.int64(_trailing_zeros(word)) - value


@njit(cache=True, nogil=True)
def search_chunk(values, masks, bits, samples, rows, vectors, query_words, max_distance):
    """(query, row, distance) of every row in the probed buckets of one chunk within the distance.

    ``values``: each query's chunk value; ``masks``: the probes around it;
    ``rows``: the chunk's sorted permutation as little-endian row numbers of
    ``rows.shape[1]`` bytes; ``vectors`` and ``query_words``: the hashes as
    four uint64 words a row. A row may come back from several chunks.

    Nearly every step is a read from a random place in arrays far larger than
    the caches, so each query goes in stages over all its probes (sample,
    bucket bounds, row numbers, hashes), asking for the next stage's memory
    ahead of use: the reads overlap instead of waiting one by one (about 3.7
    times the queries/s of one loop that follows each probe to its hashes,
    measured at 10 M in 8 chunks of 24 bits; docs/benchmarks.md).
    """
    probes = len(masks)
    row_bytes = rows.shape[1]
    flat_rows = rows.reshape(-1)
    flat_vectors = vectors.reshape(-1)
    sampled = numpy.empty(probes, numpy.int64)
    starts = numpy.empty(probes, numpy.int64)
    ends = numpy.empty(probes, numpy.int64)
    candidates = numpy.empty(1024, numpy.int64)
    size = 256
    found_queries = numpy.empty(size, numpy.int64)
    found_rows = numpy.empty(size, numpy.int64)
    found_distances = numpy.empty(size, numpy.int64)
    found = 0
    for query in range(values.shape[0]):
        value = values[query]
        for probe in range(probes):
            _prefetch(samples, max((value ^ masks[probe]) - 1, 0) >> SAMPLE_BITS)
        for probe in range(probes):
            sample = numpy.int64(samples[max((value ^ masks[probe]) - 1, 0) >> SAMPLE_BITS])
            sampled[probe] = sample
            _prefetch(bits, sample >> 6)
        for probe in range(probes):
            starts[probe], ends[probe] = _bucket(bits, sampled[probe], value ^ masks[probe])
            _prefetch(flat_rows, starts[probe] * row_bytes)
        count = 0
        for probe in range(probes):
            for position in range(starts[probe], ends[probe]):
                if count == len(candidates):
                    candidates = _longer(candidates, 2 * count)
                row = numpy.int64(0)
                for byte in range(row_bytes):
                    row |= numpy.int64(rows[position, byte]) << (8 * byte)
                candidates[count] = row
                count += 1
        word0, word1 = query_words[query, 0], query_words[query, 1]
        word2, word3 = query_words[query, 2], query_words[query, 3]
        for candidate in range(count):
            if candidate + PREFETCH_AHEAD < count:
                _prefetch(flat_vectors, candidates[candidate + PREFETCH_AHEAD] * 4)
            row = candidates[candidate]
            distance = numpy.int64(
                _popcount(vectors[row, 0] ^ word0)
                + _popcount(vectors[row, 1] ^ word1)
                + _popcount(vectors[row, 2] ^ word2)
                + _popcount(vectors[row, 3] ^ word3)
            )
            if distance > max_distance:
                continue
            if found == size:
                size *= 2
                found_queries = _longer(found_queries, size)
                found_rows = _longer(found_rows, size)
                found_distances = _longer(found_distances, size)
            found_queries[found] = query
            found_rows[found] = row
            found_distances[found] = distance
            found += 1
    return found_queries[:found], found_rows[:found], found_distances[:found]


@njit(cache=True, nogil=True)
def _longer(array, size):
    longer = numpy.empty(size, array.dtype)
    longer[: len(array)] = array
    return longer


@njit(cache=True, nogil=True)
def directory_grown(bits, old_rows, values, width):
    """A chunk's directory with new rows taken in: (bits, samples, places of the new rows).

    ``bits``: the directory of ``old_rows`` rows over ``2**width`` values;
    ``values``: the new rows' chunk values, sorted (stably). Each new row goes
    at the end of its value's bucket: ``places`` are their positions in the
    grown permutation (the k-th new one lands k places after the old rows
    before it). One pass over the old bits, writing the new ones.
    """
    buckets = 1 << width
    added = len(values)
    grown = numpy.zeros((old_rows + added + buckets + 63) >> 6, numpy.uint64)
    samples = numpy.empty(((buckets - 1) >> SAMPLE_BITS) + 1, numpy.uint32)
    places = numpy.empty(added, numpy.int64)
    new = 0
    value = 0
    rows_before = 0
    out = 0
    for position in range(old_rows + buckets):
        if (bits[position >> 6] >> numpy.uint64(position & 63)) & numpy.uint64(1):
            while new < added and values[new] == value:  # new rows: 0 bits before the end
                places[new] = rows_before + new
                new += 1
                out += 1
            if not value & ((1 << SAMPLE_BITS) - 1):
                samples[value >> SAMPLE_BITS] = out
            grown[out >> 6] |= numpy.uint64(1) << numpy.uint64(out & 63)
            value += 1
        else:
            rows_before += 1
        out += 1
    return grown, samples, places


@functools.cache
def compiled() -> None:
    """Compile the kernels for the index's array types, or load them from the cache."""
    bits, samples, _places = directory_grown(
        numpy.asarray([0b11], dtype=numpy.uint64), 0, numpy.zeros(0, numpy.int64), 1
    )
    search_chunk(
        numpy.zeros(1, numpy.int64),
        numpy.zeros(1, numpy.int64),
        bits,
        samples,
        numpy.zeros((0, 3), numpy.uint8),
        numpy.zeros((0, 4), numpy.uint64),
        numpy.zeros((1, 4), numpy.uint64),
        31,
    )
    cache = Path(os.environ["NUMBA_CACHE_DIR"])
    if cache.is_dir():
        path_times_to_hour(cache, *cache.rglob("*"))
