"""PDQ range search (distance <= 31) side by side: this project's index against FAISS, in one run.

    .venv/bin/python benchmarks/pdq_index.py [--count 1000000] [--queries 2000] [--threads 1]

No database: ``count`` uniform random 256-bit hashes (and, with
``--clustered``, families of near-duplicates instead), half the queries
planted near a stored hash at distances 0..33, half random. Measures, on the
same data and the same queries:

- ``indexes.MultiIndex`` (multi-index hashing in numpy, what ``PdqIndex`` uses):
  build time, bytes per hash, queries/s in batches of 1,000 and one at a time,
  and adding 10,000 hashes to the built index;
- FAISS ``IndexBinaryFlat`` (the previous index) and FAISS
  ``IndexBinaryMultiHash(16 x 16 bits, nflip=1)`` (HMA's index), on
  ``--threads`` OpenMP threads (default 1: the machine is shared);

and checks that all of them return exactly the pairs a brute-force scan
returns for the first ``--verify`` queries (recall 1.0 and nothing extra).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
import django  # noqa: E402

django.setup()
from meldpunt.hashes.indexes import (  # noqa: E402
    NARROW,
    WIDE,
    MultiIndex,
    chunk_layout,
    pdq_brute_force,
)


def _near(rng, vectors, distances):
    bits = numpy.unpackbits(vectors, axis=1)
    for row, distance in enumerate(distances):
        bits[row, rng.choice(256, int(distance), replace=False)] ^= 1
    return numpy.packbits(bits, axis=1)


def _data(args):
    rng = numpy.random.default_rng(11)
    if args.clustered:  # families of 20 re-encodings of one picture
        parents = rng.integers(0, 256, (args.count // 20, 32), dtype=numpy.uint8)
        stored = numpy.repeat(parents, 20, axis=0)
        flips = rng.integers(0, 24, len(stored))
        for start in range(0, len(stored), 100_000):  # bounded memory for unpackbits
            part = slice(start, start + 100_000)
            stored[part] = _near(rng, stored[part], flips[part])
    else:
        stored = rng.integers(0, 256, (args.count, 32), dtype=numpy.uint8)
    half = args.queries // 2
    planted = _near(rng, stored[rng.integers(0, len(stored), half)], numpy.arange(half) % 34)
    random = rng.integers(0, 256, (args.queries - half, 32), dtype=numpy.uint8)
    queries = numpy.concatenate([planted, random])
    return stored, queries[rng.permutation(len(queries))], rng


def _pairs(found):
    return set(zip(*(part.tolist() for part in found), strict=True))


def _faiss_pairs(limits, distances, labels):
    queries = numpy.repeat(numpy.arange(len(limits) - 1), numpy.diff(limits).astype(numpy.int64))
    return set(
        zip(
            queries.tolist(),
            labels.astype(numpy.int64).tolist(),
            distances.astype(numpy.int64).tolist(),
            strict=True,
        )
    )


CPU_TIME = True  # rates per second of this process's CPU time (one thread: per core)


def _timed(function):
    """The result and the seconds it took: CPU seconds of this process, wall ones printed.

    On the shared machine, under ``nice``, the wall clock is mostly waiting
    for a core; FAISS runs on one OpenMP thread here, so CPU time compares
    like with like.
    """
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"    ({cpu:.2f} s CPU, {wall:.2f} s wall)")
    return result, cpu if CPU_TIME else wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--single", type=int, default=200, help="queries sent one at a time")
    parser.add_argument("--verify", type=int, default=200, help="queries checked by brute force")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clustered", action="store_true")
    parser.add_argument("--wall", action="store_true", help="rates by the wall clock")
    parser.add_argument("--skip-faiss-multihash", action="store_true")
    parser.add_argument("--skip-faiss-flat", action="store_true")
    parser.add_argument(
        "--layout",
        choices=["auto", "narrow", "wide", "both"],
        default="auto",
        help="chunk widths: 16 x 16 bits, 12 of 21-22 bits, as PdqIndex chooses, or both",
    )
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    global CPU_TIME
    CPU_TIME = not args.wall and args.threads == 1
    stored, queries, rng = _data(args)
    kind = "clustered" if args.clustered else "uniform"
    print(
        f"{len(stored):,} {kind} hashes, {len(queries):,} queries, distance <= 31, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    layouts = {
        "auto": [chunk_layout(len(stored))],
        "narrow": [NARROW],
        "wide": [WIDE],
        "both": [NARROW, WIDE],
    }[args.layout]
    results = []
    for widths in layouts:
        name = f"MultiIndex({len(widths)} chunks)"
        index, build = _timed(lambda widths=widths: MultiIndex(stored, widths=widths))
        print(f"{name}: build {build:.1f} s, {index.nbytes / len(stored):.0f} bytes per hash")
        found, batch_seconds = _timed(lambda index=index: index.search(queries, max_distance=31))
        print(f"{name}: {len(queries) / batch_seconds:,.0f} queries/s in one batch")
        _, seconds = _timed(
            lambda index=index: [
                index.search(queries[i : i + 1], max_distance=31) for i in range(args.single)
            ]
        )
        print(
            f"{name}: {args.single / seconds:,.0f} queries/s one at a time "
            f"({seconds / args.single * 1000:.2f} ms each)  [load {os.getloadavg()[0]:.1f}]"
        )
        results.append((name, build, _pairs(found), batch_seconds, seconds))
        if widths is not layouts[-1]:
            del index  # its memory back before the next layout
    name, build, ours, batch_seconds, seconds = results[-1]
    for other in results[:-1]:
        assert other[2] == ours, "the layouts differ"
        print(
            f"  ratio {name} / {other[0]}: {other[3] / batch_seconds:.1f}x batched, "
            f"{other[4] / seconds:.1f}x one at a time"
        )
    results = results[-1:]

    if not args.skip_faiss_flat:
        flat = faiss.IndexBinaryFlat(256)
        _, flat_build = _timed(lambda: flat.add(stored))
        result, flat_seconds = _timed(lambda: flat.range_search(queries, 32))
        flat_pairs = _faiss_pairs(*result)
        _, flat_single = _timed(
            lambda: [flat.range_search(queries[i : i + 1], 32) for i in range(args.single)]
        )
        print(
            f"FAISS IndexBinaryFlat: {len(queries) / flat_seconds:,.0f} queries/s in one batch, "
            f"{args.single / flat_single:,.0f}/s one at a time  [load {os.getloadavg()[0]:.1f}]"
        )
        print(
            f"  ratio {name} / IndexBinaryFlat: {flat_seconds / batch_seconds:.1f}x batched, "
            f"{flat_single / seconds:.1f}x one at a time"
        )
        flat.reset()  # its memory back before the next one

    if not args.skip_faiss_multihash:
        multihash = faiss.IndexBinaryMultiHash(256, 16, 16)
        multihash.nflip = 1
        _, mh_build = _timed(lambda: multihash.add(stored))
        result, mh_seconds = _timed(lambda: multihash.range_search(queries, 32))
        mh_pairs = _faiss_pairs(*result)
        _, mh_single = _timed(
            lambda: [multihash.range_search(queries[i : i + 1], 32) for i in range(args.single)]
        )
        print(
            f"FAISS IndexBinaryMultiHash(16x16, nflip=1): build {mh_build:.1f} s, "
            f"{len(queries) / mh_seconds:,.0f} queries/s in one batch, "
            f"{args.single / mh_single:,.0f}/s one at a time  [load {os.getloadavg()[0]:.1f}]"
        )
        print(
            f"  ratio {name} / IndexBinaryMultiHash: {mh_seconds / batch_seconds:.1f}x "
            f"batched, {mh_single / seconds:.1f}x one at a time"
        )
        multihash.reset()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"peak memory of this process: {peak / 1024:,.0f} MiB "
        f"(before the indexes {rss / 1024:,.0f})"
    )

    extra = rng.integers(0, 256, (10_000, 32), dtype=numpy.uint8)
    _, added = _timed(lambda: index.add(extra))
    print(
        f"{name}: adding 10,000 hashes to the built index: {added:.2f} s "
        f"(a rebuild took {build:.1f} s)"
    )
    assert index.search(extra[:5], max_distance=0)[0].tolist() == [0, 1, 2, 3, 4]

    checked = queries[: args.verify]
    expected = _pairs(pdq_brute_force(stored, checked, max_distance=31))
    subset = {pair for pair in ours if pair[0] < args.verify}
    assert subset == expected, "MultiIndex differs from brute force"
    if not args.skip_faiss_flat:
        assert {p for p in flat_pairs if p[0] < args.verify} == expected, "Flat differs"
    if not args.skip_faiss_multihash:
        assert {p for p in mh_pairs if p[0] < args.verify} == expected, "MultiHash differs"
    print(f"all indexes equal brute force on {args.verify} queries ({len(expected)} pairs)")


if __name__ == "__main__":
    main()
