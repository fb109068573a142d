"""Hash-check API throughput: POST /api/v1/hashes/check with batches of 1,000, end to end.

    .venv/bin/python benchmarks/hashes_api.py [--count 100000] [--batches 40] [--profile]
    benchmarks/hashes_api_compare.sh     # this script on main and on this branch, alternately

Through Django's full middleware stack (test client, no network, one
process): a fresh SQLite store in a temporary directory (or the empty
PostgreSQL database DATABASE_URL names) with ``count`` SHA-256 and ``count``
PDQ hashes imported through the real import path, one client allowed both
lists; batches of 1,000 SHA-256 items and of 1,000 PDQ items, half of them
hits. Prints items/s (wall clock, and per second of this process's CPU time,
which a loaded machine distorts less), milliseconds and database queries per batch; with
``--profile`` the ten functions taking most time (cProfile, SHA-256 batches).
"""

import argparse
import cProfile
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path


def _flip(value: str, bits: int, rng) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["MELDPUNT_DATA_DIR"] = tempfile.mkdtemp(prefix="meldpunt-bench-api-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    os.environ["MELDPUNT_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, os.getcwd())
    import random

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from meldpunt.hashes.clients import check_client_create
    from meldpunt.hashes.models import Algorithm, HashList
    from meldpunt.hashes.services import hash_list_create, hash_list_import

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    sha256 = [secrets.token_hex(32) for _ in range(args.count)]
    pdq = [secrets.token_hex(32) for _ in range(args.count)]
    with tempfile.TemporaryDirectory() as folder:
        for name, values, algorithm in (("s", sha256, Algorithm.SHA256), ("p", pdq, Algorithm.PDQ)):
            path = Path(folder) / f"{name}.txt"
            path.write_text("\n".join(values) + "\n")
            hash_list = hash_list_create(name=name, public_label=f"label {name}")
            hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
    issued = check_client_create(
        name="bench", hash_lists=HashList.objects.all(), daily_quota=2_000_000_000
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    print(
        f"code in {os.getcwd()}, {args.count:,} hashes per algorithm, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for algorithm, make in (
        ("sha256", lambda i: rng.choice(sha256) if i % 2 else secrets.token_hex(32)),
        ("pdq", lambda i: _flip(rng.choice(pdq), 10, rng) if i % 2 else secrets.token_hex(32)),
    ):
        bodies = [
            json.dumps(
                {
                    "items": [
                        {"algorithm": algorithm, "value": make(i), "id": f"f{i}"}
                        for i in range(1000)
                    ]
                }
            )
            for _ in range(args.batches)
        ]
        client.post("/api/v1/hashes/check", bodies[0], content_type="application/json")  # warm
        statements = []
        with connection.execute_wrapper(
            lambda run, sql, *rest, seen=statements: seen.append(sql) or run(sql, *rest)
        ):
            client.post("/api/v1/hashes/check", bodies[0], content_type="application/json")
        profiler = cProfile.Profile() if args.profile and algorithm == "sha256" else None
        responses = []
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for body in bodies:
            responses.append(
                client.post("/api/v1/hashes/check", body, content_type="application/json")
            )
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        assert all(response.status_code == 200 for response in responses)
        matched = sum(response.json()["summary"]["matched"] for response in responses)
        assert matched == 500 * len(bodies), matched
        print(
            f"API {algorithm:>6}: {1000 * len(bodies) / elapsed:>9,.0f} items/s, "
            f"{elapsed / len(bodies) * 1000:5.1f} ms per batch of 1,000; "
            f"{1000 * len(bodies) / cpu:>9,.0f} items per CPU second; "
            f"{len(statements)} SQL statements per request"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
