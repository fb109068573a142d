"""What splitting the hash index into shards costs: one index of N against n of about N/n.

    .venv/bin/python benchmarks/hashes_shards.py [--count 2000000] [--shards 2 4] [--queries 2000]

No database, no HTTP: the engine work a front's fan-out causes
(meldpunt.hashes.shards). ``count`` uniform random PDQ hashes and as many
SHA-256 values are split by their first four hex digits exactly as shard
processes load them (``shards.shard_of``); each part gets the index a shard
process would build (``MultiIndex`` in the layout ``chunk_layout`` picks for
its size, ``SortedValues``). Then, on the same queries (half of the PDQ ones
planted near a stored hash at distances 0..33, half of the exact ones stored):

- PDQ: every shard searches every query (a near match can be on any shard);
  the baseline is one index over everything. Printed: the CPU time summed
  over the shards (the machines' total work) and the slowest shard's (the
  latency when shards run on separate machines at once), as ratios to the
  baseline; and that the shards together return exactly the baseline's pairs.
- Exact: each query goes to the shard of its prefix only (the front's
  routing); the same two figures.

Rates are per second of this process's CPU time (``time.process_time``;
numpy runs on one thread), as in docs/benchmarks.md's issue-14 sections.
The HTTP round trip per shard and the front's merging are not in these
figures.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
import django  # noqa: E402

django.setup()
from meldpunt.hashes.indexes import MultiIndex, SortedValues, chunk_layout  # noqa: E402
from meldpunt.hashes.shards import PREFIXES  # noqa: E402

BATCH = 1000  # items per API request


def _near(rng, vectors, distances):
    bits = numpy.unpackbits(vectors, axis=1)
    for row, distance in enumerate(distances):
        bits[row, rng.choice(256, int(distance), replace=False)] ^= 1
    return numpy.packbits(bits, axis=1)


def _shard_of(vectors: numpy.ndarray, count: int) -> numpy.ndarray:
    """``shards.shard_of`` for (n, width) uint8 rows: the first two bytes are the 4 hex digits."""
    prefix = vectors[:, 0].astype(numpy.int64) << 8 | vectors[:, 1]
    return prefix * count // PREFIXES


def _cpu(step):
    start = time.process_time()
    result = step()
    return time.process_time() - start, result


def _pdq_search(index: MultiIndex, queries: numpy.ndarray) -> set[tuple[int, int]]:
    pairs = set()
    for start in range(0, len(queries), BATCH):
        found, rows, _distances = index.search(queries[start : start + BATCH], max_distance=31)
        pairs.update(zip((found + start).tolist(), rows.tolist(), strict=True))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2_000_000)
    parser.add_argument("--shards", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--exact-queries", type=int, default=200_000)
    args = parser.parse_args()
    rng = numpy.random.default_rng(14)
    stored = rng.integers(0, 256, (args.count, 32), dtype=numpy.uint8)
    planted = args.queries // 2
    picks = rng.choice(args.count, planted, replace=False)
    queries = numpy.concatenate(
        [
            _near(rng, stored[picks], rng.integers(0, 34, planted)),
            rng.integers(0, 256, (args.queries - planted, 32), dtype=numpy.uint8),
        ]
    )
    exact = rng.integers(0, 256, (args.count, 32), dtype=numpy.uint8)
    half = args.exact_queries // 2
    exact_queries = numpy.concatenate(
        [
            exact[rng.choice(args.count, half, replace=False)],
            rng.integers(0, 256, (args.exact_queries - half, 32), dtype=numpy.uint8),
        ]
    )
    print(
        f"{args.count:,} stored PDQ and SHA-256 hashes; {args.queries:,} PDQ queries, "
        f"{args.exact_queries:,} SHA-256 queries"
    )

    build, whole = _cpu(lambda: MultiIndex(stored, widths=chunk_layout(args.count)))
    pdq_cpu, expected = _cpu(lambda whole=whole: _pdq_search(whole, queries))
    print(
        f"PDQ, one index: build {build:.1f} s, {whole.nbytes / args.count:.0f} bytes/hash, "
        f"{args.queries / pdq_cpu:,.0f} queries/s ({len(expected):,} pairs)"
    )
    del whole
    values = SortedValues(32)
    values.add(exact)
    exact_cpu, exact_expected = _cpu(lambda values=values: len(values.lookup(exact_queries)[0]))
    print(
        f"SHA-256, one index: {args.exact_queries / exact_cpu:,.0f} look-ups/s "
        f"({exact_expected:,} found)"
    )
    del values

    for count in args.shards:
        owner = _shard_of(stored, count)
        cpu, built, found, memory = [], 0.0, set(), 0
        for shard in range(count):
            rows = numpy.flatnonzero(owner == shard)
            seconds, index = _cpu(
                lambda rows=rows: MultiIndex(stored[rows], widths=chunk_layout(len(rows)))
            )
            built = max(built, seconds)
            memory = max(memory, index.nbytes)
            seconds, pairs = _cpu(lambda index=index: _pdq_search(index, queries))
            cpu.append(seconds)
            found.update((query, int(rows[row])) for query, row in pairs)
            del index
        assert found == expected, "the shards together must find exactly what one index finds"
        print(
            f"PDQ, {count} shards: slowest build {built:.1f} s, largest shard "
            f"{memory / 2**20:,.0f} MiB; every query to every shard: total CPU "
            f"{sum(cpu) / pdq_cpu:.2f}x one index, slowest shard {max(cpu) / pdq_cpu:.2f}x "
            f"(latency with shards in parallel), {args.queries / sum(cpu):,.0f} queries per "
            "CPU second over all shards; same pairs as one index"
        )
        exact_owner = _shard_of(exact, count)
        query_owner = _shard_of(exact_queries, count)
        cpu, total_found = [], 0
        for shard in range(count):
            part = SortedValues(32)
            part.add(exact[exact_owner == shard])
            mine = exact_queries[query_owner == shard]
            seconds, hits = _cpu(lambda part=part, mine=mine: len(part.lookup(mine)[0]))
            cpu.append(seconds)
            total_found += hits
        assert total_found == exact_expected
        print(
            f"SHA-256, {count} shards, each query to its shard: total CPU "
            f"{sum(cpu) / exact_cpu:.2f}x one index, slowest shard {max(cpu) / exact_cpu:.2f}x"
        )


if __name__ == "__main__":
    main()
