"""Exact (SHA-256) look-ups in the engine at scale, and taking in an import without a rebuild.

    .venv/bin/python benchmarks/hashes_exact.py [--count 10000000] [--queries 1000000]

No database: ``count`` random SHA-256 values in ``indexes.SortedValues`` (what
``ExactIndex`` holds), half the queries stored values, half random. Measures,
on the same data in one run:

- build from scratch; bytes per hash;
- look-ups per second, binary queries in batches of 1,000 (as the API calls
  it) and in one call, and hex queries in batches of 1,000 (decoding included);
- the baseline: a Python ``set`` of the same values as bytes, same queries;
- inserting 10,000 new values into the built arrays (what a new import costs
  each process now), against the rebuild it replaced;

and checks that index and set find the same queries. Rates are per second
of this process's CPU time (one thread, so per core), with the wall-clock
time beside it: on a shared machine run under ``nice`` the two differ a lot.
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
from meldpunt.hashes.indexes import SortedValues, hex_to_array  # noqa: E402


class Clock:
    """CPU seconds of this process and wall seconds since ``start``."""

    def start(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def stop(self) -> float:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        return self.cpu

    def __str__(self) -> str:
        return f"{self.cpu:.2f} s CPU, {self.wall:.2f} s wall"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = numpy.random.default_rng(12)
    stored = rng.integers(0, 256, (args.count, 32), dtype=numpy.uint8)
    queries = rng.integers(0, 256, (args.queries, 32), dtype=numpy.uint8)
    queries[::2] = stored[rng.integers(0, args.count, len(queries[::2]))]
    print(
        f"{args.count:,} SHA-256 values, {args.queries:,} queries, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    clock = Clock()
    clock.start()
    index = SortedValues(32)
    index.add(stored)
    build = clock.stop()
    print(f"SortedValues: build {clock}, {index.nbytes / args.count:.0f} bytes per hash")

    clock.start()
    hits = sum(len(index.lookup(queries[i : i + 1000])[0]) for i in range(0, len(queries), 1000))
    batched = clock.stop()
    print(f"SortedValues: {len(queries) / batched:,.0f} look-ups/s in batches of 1,000 ({clock})")
    clock.start()
    one_call = len(index.lookup(queries)[0])
    single_call = clock.stop()
    print(f"SortedValues: {len(queries) / single_call:,.0f} look-ups/s in one call ({clock})")
    hexes = [bytes(row).hex() for row in queries[:200_000]]
    clock.start()
    for i in range(0, len(hexes), 1000):
        index.lookup(hex_to_array(hexes[i : i + 1000], 32))
    hex_seconds = clock.stop()
    print(
        f"SortedValues: {len(hexes) / hex_seconds:,.0f} hex look-ups/s in batches of 1,000 "
        f"({clock})  [load {os.getloadavg()[0]:.1f}]"
    )

    known = {bytes(row) for row in stored}
    as_bytes = [bytes(row) for row in queries]
    clock.start()
    set_hits = sum(1 for query in as_bytes if query in known)
    set_seconds = clock.stop()
    del known
    print(
        f"Python set of bytes: {len(queries) / set_seconds:,.0f} look-ups/s ({clock})  "
        f"[load {os.getloadavg()[0]:.1f}]"
    )
    print(f"  ratio SortedValues (batches of 1,000) / set: {set_seconds / batched:.2f}x")
    assert hits == one_call == set_hits, (hits, one_call, set_hits)

    extra = rng.integers(0, 256, (10_000, 32), dtype=numpy.uint8)
    clock.start()
    index.add(extra)
    clock.stop()
    assert len(index.lookup(extra)[0]) == 10_000
    print(
        f"SortedValues: inserting 10,000 new values into the built arrays: {clock} "
        f"(a rebuild took {build:.1f} s CPU)"
    )


if __name__ == "__main__":
    main()
