"""Known-hash matching against 1,000,000 hashes: exact look-ups/s, PDQ queries/s, hash-check API.

    .venv/bin/python benchmarks/hashes.py [--count 1000000] [--queries 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meldpunt_bench_hashes \\
        .venv/bin/python benchmarks/hashes.py

Builds a fresh store (SQLite in a temporary data directory unless DATABASE_URL
names an existing, empty PostgreSQL database) through the real import path:
``count`` SHA-256 hashes on one list, ``count`` PDQ hashes on another, both
from text files. Then measures, in the same run:

- exact: ``hashes_match_exact`` (one indexed query per file) and a batched
  ``value IN (...)`` look-up, against the baseline of a Python set in memory;
  then the in-memory ``ExactIndex`` (build time, and look-ups of ``--exact-queries``
  hashes in batches of 1,000 and in one call) against the same set;
- PDQ: ``hashes_match_pdq`` (revision check + ``PdqIndex`` multi-index range
  search) and a batch of queries in one index call, against the baseline of a
  numpy brute-force scan (XOR and popcount over all hashes);
- the hash-check API: ``POST /api/v1/hashes/check`` through Django's full
  middleware stack (test client, no network), batches of 1,000 SHA-256 items
  and batches of 1,000 PDQ items, with token check, quota counter and JSON.

Half the queries hit (a stored hash, for PDQ with 10 of 256 bits flipped).
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path


def _configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("MELDPUNT_DATA_DIR", tempfile.mkdtemp(prefix="meldpunt-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def _flip(value: str, bits: int, rng) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--exact-queries", type=int, default=1_000_000)
    parser.add_argument("--api-batches", type=int, default=20)
    args = parser.parse_args()
    _configure()

    import random

    import numpy
    from django.core.management import call_command

    from meldpunt.hashes import indexes, matching
    from meldpunt.hashes.models import Algorithm, KnownHash
    from meldpunt.hashes.services import hash_list_create, hash_list_import

    call_command("migrate", verbosity=0)
    if KnownHash.objects.exists():
        sys.exit("the database already holds hashes: use an empty one")
    rng = random.Random(7)
    sha256 = [secrets.token_hex(32) for _ in range(args.count)]
    pdq = [secrets.token_hex(32) for _ in range(args.count)]
    with tempfile.TemporaryDirectory() as folder:
        for name, values, algorithm in (
            ("bench-sha256", sha256, Algorithm.SHA256),
            ("bench-pdq", pdq, Algorithm.PDQ),
        ):
            path = Path(folder) / f"{name}.txt"
            path.write_text("\n".join(values) + "\n")
            started = time.perf_counter()
            hash_list = hash_list_create(name=name, public_label=f"label of {name}")
            hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
            elapsed = time.perf_counter() - started
            print(
                f"import {args.count:,} {algorithm.label} hashes: {elapsed:.1f} s "
                f"({_rate(args.count, elapsed)})"
            )

    hits = iter(rng.sample(sha256, args.queries // 2 + 1))
    queries = [next(hits) if i % 2 else secrets.token_hex(32) for i in range(args.queries)]
    known = set(sha256)
    started = time.perf_counter()
    set_hits = sum(1 for query in queries if query in known)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    db_hits = sum(1 for query in queries if matching.hashes_match_exact({"sha256": query}))
    single = time.perf_counter() - started
    started = time.perf_counter()
    batch_hits = 0
    for start in range(0, len(queries), 500):
        batch = queries[start : start + 500]
        batch_hits += KnownHash.objects.filter(
            algorithm=Algorithm.SHA256, value__in=batch, hash_list__is_active=True
        ).count()
    batched = time.perf_counter() - started
    assert set_hits == db_hits == batch_hits, (set_hits, db_hits, batch_hits)
    print(f"exact, hashes_match_exact (one query per look-up): {_rate(len(queries), single)}")
    print(f"exact, batched value IN (500 per query):          {_rate(len(queries), batched)}")
    print(f"exact, baseline Python set in memory:             {_rate(len(queries), baseline)}")

    started = time.perf_counter()
    exact = matching.exact_index(Algorithm.SHA256)
    print(
        f"exact index build from the database ({len(exact):,} hashes): "
        f"{time.perf_counter() - started:.1f} s"
    )
    many = [
        rng.choice(sha256) if i % 2 else secrets.token_hex(32) for i in range(args.exact_queries)
    ]
    started = time.perf_counter()
    set_many = sum(1 for query in many if query in known)
    set_seconds = time.perf_counter() - started
    started = time.perf_counter()
    vectors = indexes.hex_to_array(many, 32)
    decoded = time.perf_counter()
    one_call = len(exact.lookup(vectors)[0])
    one_call_seconds = time.perf_counter() - started
    lookup_seconds = time.perf_counter() - decoded
    started = time.perf_counter()
    batched_hits = 0
    for start in range(0, len(many), 1000):
        batch = indexes.hex_to_array(many[start : start + 1000], 32)
        batched_hits += len(exact.lookup(batch)[0])
    batched_seconds = time.perf_counter() - started
    assert set_many == one_call == batched_hits, (set_many, one_call, batched_hits)
    print(
        f"exact, ExactIndex, {len(many):,} hex queries in one call:  "
        f"{_rate(len(many), one_call_seconds)}"
    )
    print(f"exact, ExactIndex, same, binary already decoded:  {_rate(len(many), lookup_seconds)}")
    print(f"exact, ExactIndex, batches of 1,000 hex queries:   {_rate(len(many), batched_seconds)}")
    print(f"exact, baseline Python set, same queries:         {_rate(len(many), set_seconds)}")
    index_bytes = exact.nbytes
    set_bytes = sys.getsizeof(known) + sum(sys.getsizeof(value) for value in known)
    print(
        f"exact, memory: ExactIndex {index_bytes / 2**20:.0f} MiB, "
        f"Python set of hex strings {set_bytes / 2**20:.0f} MiB"
    )

    started = time.perf_counter()
    index = matching.pdq_index()
    print(
        f"PDQ index build from the database ({len(index):,} hashes): "
        f"{time.perf_counter() - started:.1f} s"
    )
    pdq_queries = [
        _flip(rng.choice(pdq), 10, rng) if i % 2 else secrets.token_hex(32)
        for i in range(min(args.queries, 400))
    ]
    started = time.perf_counter()
    faiss_hits = sum(1 for q in pdq_queries if matching.hashes_match_pdq(q, quality=100))
    faiss_single = time.perf_counter() - started
    started = time.perf_counter()
    batch_found = index.search(pdq_queries, max_distance=31)
    faiss_batch = time.perf_counter() - started
    assert faiss_hits == sum(1 for found in batch_found if found) == len(pdq_queries) // 2

    stored = numpy.frombuffer(bytes.fromhex("".join(pdq)), dtype=numpy.uint8).reshape(-1, 32)
    popcount = numpy.array([bin(i).count("1") for i in range(256)], dtype=numpy.uint8)
    scanned = pdq_queries[:20]
    started = time.perf_counter()
    numpy_hits = 0
    for query in scanned:
        vector = numpy.frombuffer(bytes.fromhex(query), dtype=numpy.uint8)
        distances = popcount[numpy.bitwise_xor(stored, vector)].sum(axis=1, dtype=numpy.uint16)
        numpy_hits += bool((distances <= 31).any())
    numpy_scan = time.perf_counter() - started
    assert numpy_hits == len(scanned) // 2
    print(
        f"PDQ, hashes_match_pdq (one query at a time):      {_rate(len(pdq_queries), faiss_single)}"
    )
    print(
        f"PDQ, one index call for {len(pdq_queries)} queries:             "
        f"{_rate(len(pdq_queries), faiss_batch)}"
    )
    print(f"PDQ, baseline numpy XOR+popcount scan:            {_rate(len(scanned), numpy_scan)}")
    _api(args, sha256, pdq, rng)


def _api(args, sha256: list[str], pdq: list[str], rng) -> None:
    """Batches of 1,000 through POST /api/v1/hashes/check, as a client would send them."""
    import json

    from django.test import Client
    from django.test.utils import setup_test_environment

    from meldpunt.hashes.clients import check_client_create
    from meldpunt.hashes.models import HashList

    setup_test_environment()  # lets the test client's host name through ALLOWED_HOSTS
    issued = check_client_create(
        name="bench", hash_lists=HashList.objects.all(), daily_quota=2_000_000_000
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    for algorithm, make in (
        ("sha256", lambda i: rng.choice(sha256) if i % 2 else secrets.token_hex(32)),
        ("pdq", lambda i: _flip(rng.choice(pdq), 10, rng) if i % 2 else secrets.token_hex(32)),
    ):
        batches = [
            json.dumps({"items": [{"algorithm": algorithm, "value": make(i)} for i in range(1000)]})
            for _ in range(args.api_batches)
        ]
        client.post("/api/v1/hashes/check", batches[0], content_type="application/json")  # warm
        started = time.perf_counter()
        matched = 0
        for body in batches:
            response = client.post("/api/v1/hashes/check", body, content_type="application/json")
            assert response.status_code == 200, response.content[:300]
            matched += response.json()["summary"]["matched"]
        elapsed = time.perf_counter() - started
        assert matched == 500 * len(batches), matched
        print(
            f"API, POST /check, {len(batches)} batches of 1,000 {algorithm}:"
            f"{'':>{8 - len(algorithm)}}{_rate(1000 * len(batches), elapsed)} items "
            f"({elapsed / len(batches) * 1000:.0f} ms per batch)"
        )


if __name__ == "__main__":
    main()
