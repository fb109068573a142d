"""PDQ range search (distance <= 31) side by side: this project's index against others, in one run.

    .venv/bin/python benchmarks/pdq_index.py [--count 10000000] [--queries 2000]
        [--baseline /work/main/meldpunt/hashes/indexes.py] [--clustered] [--faiss-flat]
        [--layouts wide,lean,8x24]

No database: ``count`` uniform random 256-bit hashes (with ``--clustered``,
families of 20 near-copies instead), half the queries planted near a stored
hash at distances 0..33, half random. Each candidate is built and measured
in a process of its own (forked from this one, so the data is shared and
nothing one candidate left behind counts against the next):

- ``PdqIndex`` (this project: ``MultiIndex`` in the layout ``chunk_layout``
  picks, plus the per-row ids and live flags), built from arrays; with
  ``--layouts`` also in other chunk layouts (``LAYOUTS``);
- with ``--baseline PATH``, the ``PdqIndex`` of another checkout's
  ``indexes.py`` (e.g. the main branch's), in the layout that checkout
  picks, with its per-row ids and flags;
- FAISS ``IndexBinaryMultiHash(16 x 16 bits, nflip=1)`` (HMA's index) and,
  with ``--faiss-flat``, ``IndexBinaryFlat``, on one OpenMP thread.

Per candidate: build time (for this project's index including numba's
compilation of its kernels, which a fresh process does once), memory per
stored hash **measured** two ways (the
growth of the process's resident memory, and for numpy the bytes that
``tracemalloc`` sees held; FAISS's own allocations only show in the first),
and the arrays' own count (``nbytes``), queries/s in one batch and one at a
time, adding 10,000 hashes to the built index (time and the extra memory it
needed at its peak), and for ``PdqIndex`` retiring 10,000 rows (recomputing
the live flags). Rates are per second of the candidate's CPU time (one thread,
so per core; ``--wall`` for the wall clock, which is printed too). All
candidates must return the same pairs, and those of the first ``--verify``
queries must equal a brute-force scan's (recall 1.0, nothing extra). The
compiler's own memory (LLVM, once per process, whatever the index's size) is
measured apart and printed beside, not spread over the hashes.

At the end, each of issue 14's targets for the PDQ index is printed with this
project's figure, the FAISS ``IndexBinaryMultiHash`` baseline's where there is
one, the ratio, and whether it is met.
"""

import argparse
import concurrent.futures
import ctypes
import gc
import importlib.util
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import faiss
import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
# numba's cache of compiled kernels, emptied before each candidate: every build
# below includes a compilation from scratch, as a fresh install's first one does.
NUMBA_CACHE = Path(tempfile.mkdtemp(prefix="pdq-index-numba-"))
os.environ["NUMBA_CACHE_DIR"] = str(NUMBA_CACHE)
import django  # noqa: E402

django.setup()
from meldpunt.hashes import pdq_kernels  # noqa: E402
from meldpunt.hashes.indexes import COMPACT, LEAN, WIDE, PdqIndex, pdq_brute_force  # noqa: E402
from meldpunt.hashes.synthetic import flip_bits  # noqa: E402

ADDED = 10_000
LAYOUTS = {"wide": WIDE, "lean": LEAN, "compact": COMPACT, "8x24": (24,) * 8}
MULTIHASH = "FAISS IndexBinaryMultiHash(16x16, nflip=1)"
PAGE = os.sysconf("SC_PAGE_SIZE")
DATA: dict = {}  # the stored hashes and queries, set before the candidates' processes fork
WALL = False


def _resident() -> int:
    """This process's resident memory now, in bytes (not the peak).

    Freed temporaries that the C library still keeps in its heap are handed
    back first (``malloc_trim``), as a long-running process would see them
    reused; what remains is what the index holds.
    """
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def _near(rng: numpy.random.Generator, vectors: numpy.ndarray, distances) -> numpy.ndarray:
    """A copy of each vector with exactly ``distances[i]`` of its bits flipped."""
    bits = numpy.unpackbits(vectors, axis=1)
    for row, distance in enumerate(distances):
        bits[row, rng.choice(256, int(distance), replace=False)] ^= 1
    return numpy.packbits(bits, axis=1)


def _data(args) -> None:
    rng = numpy.random.default_rng(11)
    if args.clustered:  # families of 20 re-encodings of one picture
        parents = rng.integers(0, 256, (args.count // 20, 32), dtype=numpy.uint8)
        stored = flip_bits(rng, numpy.repeat(parents, 20, axis=0), 24)
    else:
        stored = rng.integers(0, 256, (args.count, 32), dtype=numpy.uint8)
    half = args.queries // 2
    planted = _near(rng, stored[rng.integers(0, len(stored), half)], numpy.arange(half) % 34)
    random = rng.integers(0, 256, (args.queries - half, 32), dtype=numpy.uint8)
    queries = numpy.concatenate([planted, random])
    DATA.update(
        stored=stored,
        queries=queries[rng.permutation(len(queries))],
        extra=rng.integers(0, 256, (ADDED, 32), dtype=numpy.uint8),
        # Ten lists of consecutive rows, as ten imports would leave them.
        list_ids=numpy.repeat(numpy.arange(1, 11), -(-len(stored) // 10))[: len(stored)],
    )


def _timed(function):
    """The result and the seconds it took (CPU of this process, or wall with --wall)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return result, (wall if WALL else cpu), wall


def _as_pairs(queries, rows, distances) -> set[tuple[int, int, int]]:
    return set(zip(queries.tolist(), rows.tolist(), distances.tolist(), strict=True))


class _Ours:
    """This project's ``PdqIndex`` over arrays: rows numbered 0.. like the others'."""

    compiles = True  # numba's kernels: compiled once per process, timed with the build

    def __init__(self, stored, widths=None):  # None: the layout chunk_layout picks
        self.index = PdqIndex.from_arrays(stored, DATA["list_ids"], widths=widths)

    def nbytes(self):
        return self.index.nbytes

    def search(self, queries):
        found = self.index._index.search(queries, max_distance=31)
        live = self.index.live_at(found[1])
        return _as_pairs(*(part[live] for part in found))

    def _next_id(self) -> int:
        return self.index.row_ids.last + 1

    def add(self, vectors):
        first = self._next_id()
        self.index._arrays_add(
            numpy.arange(first, first + len(vectors)), numpy.full(len(vectors), 11), vectors
        )
        self.index._flags_apply(numpy.arange(1, 12), numpy.zeros(0, dtype=numpy.int64))

    def retire(self, count):
        """Recompute the live flags with ``count`` rows retired (what a retirement costs)."""
        retired = numpy.sort(numpy.random.default_rng(3).choice(len(DATA["stored"]), count)) + 1
        self.index._flags_apply(numpy.arange(1, 12), retired.astype(numpy.int64))


class _Baseline(_Ours):
    """Another checkout's ``PdqIndex`` (its ``MultiIndex`` and its per-row ids and flags)."""

    module = None
    compiles = False

    def __init__(self, stored):
        self.index = self.module.PdqIndex.from_arrays(stored, DATA["list_ids"])

    def _next_id(self) -> int:
        return int(self.index.row_ids[-1]) + 1  # an array of ids before this branch


class _FaissMultiHash:
    compiles = False

    def __init__(self, stored):
        self.index = faiss.IndexBinaryMultiHash(256, 16, 16)
        self.index.nflip = 1
        self.index.add(stored)

    def nbytes(self):
        return None

    def search(self, queries):
        limits, distances, labels = self.index.range_search(queries, 32)
        owners = numpy.repeat(numpy.arange(len(queries)), numpy.diff(limits).astype(numpy.int64))
        return _as_pairs(owners, labels.astype(numpy.int64), distances.astype(numpy.int64))

    def add(self, vectors):
        self.index.add(vectors)


class _FaissFlat(_FaissMultiHash):
    def __init__(self, stored):
        self.index = faiss.IndexBinaryFlat(256)
        self.index.add(stored)


def _measure(kind, single: int, *options) -> dict:
    """Build, measure and search one candidate (in its own forked process)."""
    faiss.omp_set_num_threads(1)
    stored, queries = DATA["stored"], DATA["queries"]
    shutil.rmtree(NUMBA_CACHE, ignore_errors=True)
    gc.collect()
    compiler = _resident()
    _, jit, jit_wall = _timed(pdq_kernels.compiled if kind.compiles else lambda: None)
    compiler = _resident() - compiler
    tracemalloc.start()
    before = _resident()
    index, build, build_wall = _timed(lambda: kind(stored, *options))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    grown = _resident() - before
    figures = {
        "jit": jit,
        "compiler": compiler,
        "build": jit + build,
        "build_wall": jit_wall + build_wall,
        "traced": held / len(stored),
        "resident": grown / len(stored),
        "nbytes": None if index.nbytes() is None else index.nbytes() / len(stored),
    }
    # The addition next, still traced (its peak against what the index held); the
    # searches after it untraced, since tracing every small allocation slows them.
    tracemalloc.reset_peak()
    _, figures["add"], figures["add_wall"] = _timed(lambda: index.add(DATA["extra"]))
    figures["add_peak"] = tracemalloc.get_traced_memory()[1] - held
    tracemalloc.stop()
    figures["pairs"], figures["batch"], figures["batch_wall"] = _timed(
        lambda: index.search(queries)
    )
    _, figures["single"], figures["single_wall"] = _timed(
        lambda: [index.search(queries[i : i + 1]) for i in range(single)]
    )
    found = index.search(DATA["extra"][:5])
    assert {(query, row) for query, row, distance in found if distance == 0} == {
        (i, len(stored) + i) for i in range(5)
    }, "added rows not found"
    if hasattr(index, "retire"):
        _, figures["retire"], figures["retire_wall"] = _timed(lambda: index.retire(ADDED))
    figures["load"] = os.getloadavg()[0]
    return figures


def main() -> None:
    global WALL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--single", type=int, default=100, help="queries sent one at a time")
    parser.add_argument("--verify", type=int, default=100, help="queries checked by brute force")
    parser.add_argument("--clustered", action="store_true")
    parser.add_argument("--wall", action="store_true", help="rates by the wall clock")
    parser.add_argument("--baseline", type=Path, help="another checkout's indexes.py")
    parser.add_argument(
        "--layouts", default="", help=f"also PdqIndex in these layouts: {','.join(LAYOUTS)}"
    )
    parser.add_argument("--skip-faiss-multihash", action="store_true")
    parser.add_argument("--faiss-flat", action="store_true")
    args = parser.parse_args()
    WALL = args.wall
    _data(args)
    kind = "clustered" if args.clustered else "uniform"
    print(
        f"{args.count:,} {kind} hashes, {args.queries:,} queries, distance <= 31, "
        f"rates per {'wall' if WALL else 'CPU'} second; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    candidates = {"PdqIndex (this branch, layout chunk_layout picks)": _Ours}
    for name in filter(None, args.layouts.split(",")):
        widths = LAYOUTS[name]
        bits = "/".join(map(str, sorted(set(widths))))
        label = f"PdqIndex (this branch, {name}: {len(widths)} chunks of {bits} bits)"
        candidates[label] = (_Ours, widths)
    if args.baseline:
        spec = importlib.util.spec_from_file_location("baseline_indexes", args.baseline)
        _Baseline.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_Baseline.module)
        candidates["PdqIndex (baseline)"] = _Baseline
    if not args.skip_faiss_multihash:
        candidates[MULTIHASH] = _FaissMultiHash
    if args.faiss_flat:
        candidates["FAISS IndexBinaryFlat"] = _FaissFlat
    context = multiprocessing.get_context("fork")
    results = {}
    for name, candidate in candidates.items():
        kind, *options = candidate if isinstance(candidate, tuple) else (candidate,)
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            figures = pool.submit(_measure, kind, args.single, *options).result()
        results[name] = figures
        memory = ", ".join(
            f"{label} {figures[key]:.1f}"
            for label, key in (("resident", "resident"), ("traced", "traced"), ("nbytes", "nbytes"))
            if figures[key] is not None
        )
        print(f"{name}:")
        compiled = (
            f", of which numba's compilation {figures['jit']:.1f} s "
            f"(+{figures['compiler'] / 2**20:.0f} MiB resident once per process)"
            if kind.compiles
            else ""
        )
        print(
            f"  build {figures['build']:.1f} s ({figures['build_wall']:.1f} s wall){compiled}; "
            f"bytes per stored hash: {memory}"
        )
        print(
            f"  {args.queries / figures['batch']:,.0f} queries/s in one batch "
            f"({figures['batch_wall']:.2f} s wall), {args.single / figures['single']:,.0f} "
            f"one at a time ({figures['single'] / args.single * 1000:.2f} ms each)"
        )
        peak = figures["add_peak"] / 2**20
        print(
            f"  adding {ADDED:,}: {figures['add']:.2f} s ({figures['add_wall']:.2f} s wall)"
            + (f", {peak:,.0f} MiB more at its peak" if figures["nbytes"] is not None else "")
        )
        if "retire" in figures:
            print(
                f"  retiring {ADDED:,} (live flags recomputed): {figures['retire']:.3f} s "
                f"({figures['retire_wall']:.3f} wall)"
            )
        print(f"  [load average {figures['load']:.1f}]")
    ours_name = next(iter(results))
    ours = results[ours_name]
    for name, figures in list(results.items())[1:]:
        assert figures["pairs"] == ours["pairs"], f"{name} differs from {ours_name}"
        memory = figures["resident"] / ours["resident"]
        print(
            f"ratio {ours_name} / {name}: {figures['batch'] / ours['batch']:.1f}x batched, "
            f"{figures['single'] / ours['single']:.1f}x one at a time, "
            f"{memory:.2f}x less resident memory, build {figures['build'] / ours['build']:.1f}x"
        )
    checked = DATA["queries"][: args.verify]
    expected = _as_pairs(*pdq_brute_force(DATA["stored"], checked, max_distance=31))
    assert {pair for pair in ours["pairs"] if pair[0] < args.verify} == expected
    print(
        f"all {len(results)} candidates returned the same {len(ours['pairs']):,} pairs; on the "
        f"first {args.verify} queries they equal brute force's ({len(expected)} pairs)"
    )
    _targets(args, ours, results.get(MULTIHASH))
    shutil.rmtree(NUMBA_CACHE, ignore_errors=True)


def _targets(args, ours: dict, multihash: dict | None) -> None:
    """Issue 14's targets: this project's figure, FAISS MultiHash's, the ratio, met or not.

    Reached only when every candidate returned the same pairs and those of
    the verified queries equal brute force's, so recall is 1.0 here.
    """
    rate = args.queries / ours["batch"]
    base_rate = args.queries / multihash["batch"] if multihash else None
    worst_memory = max(ours["resident"], ours["traced"])
    rows = [
        ("recall (same pairs as brute force)", "1.0", None, None, True),
        ("queries/s in one batch, >= 1,000", f"{rate:,.0f}", base_rate, None, rate >= 1000),
        (
            "times FAISS MultiHash, >= 10",
            f"{rate / base_rate:,.1f}x" if base_rate else "not run",
            None,
            None,
            bool(base_rate) and rate / base_rate >= 10,
        ),
        (
            "bytes per stored hash (resident, traced), <= 64",
            f"{ours['resident']:.1f}, {ours['traced']:.1f}",
            multihash and multihash["resident"],
            multihash and multihash["resident"] / ours["resident"],
            worst_memory <= 64,
        ),
        (
            "build from scratch incl. compilation, <= 30 s",
            f"{ours['build']:.1f} s",
            multihash and multihash["build"],
            multihash and multihash["build"] / ours["build"],
            ours["build"] <= 30,
        ),
        (
            f"{ADDED:,} additions matchable, <= 10 s",
            f"{ours['add']:.2f} s",
            multihash and multihash["add"],
            None,
            ours["add"] <= 10,
        ),
        (
            f"{ADDED:,} retirements matchable, <= 10 s",
            f"{ours['retire']:.2f} s",
            None,
            None,
            ours["retire"] <= 10,
        ),
    ]
    print(f"issue 14's targets at {args.count:,} stored hashes (baseline: {MULTIHASH}):")
    for label, figure, base, ratio, met in rows:
        base_text = "" if base is None else f"baseline {base:,.1f}"
        ratio_text = "" if ratio is None else f"ratio {ratio:,.1f}x"
        verdict = "met" if met else "NOT MET"
        print(f"  {label:<48} {figure:>12}  {base_text:<18} {ratio_text:<13} {verdict}")


if __name__ == "__main__":
    main()
