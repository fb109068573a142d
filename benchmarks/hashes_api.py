"""Hash-check API throughput: POST /api/v1/hashes/check with batches of 1,000, end to end.

    .venv/bin/python benchmarks/hashes_api.py [--count 100000] [--batches 40] [--profile]
    .venv/bin/python benchmarks/hashes_api.py --http --baseline /work/main [--servers 1 2]
    .venv/bin/python benchmarks/hashes_api.py --http --bulk 100000 [--servers 1 2] [--env K=V,...]
    .venv/bin/python benchmarks/hashes_api.py --bulk 100000 [--profile]   # in process
    benchmarks/hashes_api_compare.sh     # this script on main and on this branch, alternately

With ``--http --bulk N`` the JSON batches of SHA-256 (the baseline) and bulk
bodies of N SHA-256 hashes (``POST /check/bulk``, raw digests and hex lines,
half of them hits) go to the same waitress servers of this checkout, started
with each ``--env`` in turn (e.g. ``--env '' --env MELDPUNT_DB_POOL=64``: as
deployed, then with a pool) and ``--threads``; printed are the same three
figures per format and the ratios against JSON under the first environment.

``--bulk N`` without ``--http`` sends the bulk bodies through Django's test
client in this process instead: CPU per hash, the peak of Python's traced
memory over one request, and with ``--profile`` where the time goes.

With ``--http`` the batches go over real HTTP to waitress as
docs/operations.md deploys it (``--threads=64``, one process; ``--servers 2``
runs two, the client spreading its connections over them), on the same
store: first servers started from the ``--baseline`` checkout, then from this
one, alternately for ``--rounds``, so that the ratio is measured under the same
load. Clients are threads here holding keep-alive connections (four per
server), sending pre-built bodies; printed are items/s by the wall clock, the
servers' CPU time per item (from /proc) and this client's CPU time.

Without it, through Django's full middleware stack (test client, no network, one
process): a fresh SQLite store in a temporary directory (or the empty
PostgreSQL database DATABASE_URL names) with ``count`` SHA-256 and ``count``
PDQ hashes imported through the real import path, one client allowed both
lists; batches of 1,000 SHA-256 items and of 1,000 PDQ items, half of them
hits. Prints items/s (wall clock, and per second of this process's CPU time,
which a loaded machine distorts less), milliseconds and database queries per batch; with
``--profile`` the ten functions taking most time (cProfile, SHA-256 batches).

With ``--shards N`` the same batches are then sent again through this process
as a front fanning out to N shard processes (waitress on 127.0.0.1, each with
MELDPUNT_HASH_SHARD=i/N, on the same database; meldpunt.hashes.shards), and
the CPU time of the front and of the shards together is printed per item
beside the one-process figure: what the fan-out costs (HTTP, JSON, PDQ on
every shard).
"""

import argparse
import contextlib
import cProfile
import functools
import http.client
import json
import os
import pstats
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgspec

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of another process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextlib.contextmanager
def _waitress(envs: list[dict[str, str]], *, tree: str, threads: int | None = None):
    """One waitress process per environment, code from ``tree``, on this process's database.

    Yields (urls, pids) once every one accepts connections.
    """
    processes, urls = [], []
    for extra in envs:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, MELDPUNT_ALLOWED_HOSTS="127.0.0.1", PYTHONPATH=tree, **extra)
        command = [
            str(Path(sys.executable).parent / "waitress-serve"),
            f"--listen=127.0.0.1:{port}",
        ]
        if threads:
            command.append(f"--threads={threads}")
        processes.append(
            subprocess.Popen(  # noqa: S603 - waitress from this environment
                [*command, "meldpunt.wsgi:application"], env=env, cwd=tree
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            port = int(url.rsplit(":", 1)[1])
            for _attempt in range(600):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.1)
        yield urls, [process.pid for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()


def _shard_processes(count: int, token: str):
    """``count`` waitress shard processes on this process's database; yields (urls, pids)."""
    envs = [
        {"MELDPUNT_HASH_SHARD": f"{number}/{count}", "MELDPUNT_HASH_SHARD_TOKEN": token}
        for number in range(count)
    ]
    return _waitress(envs, tree=os.getcwd())


class _Summary(msgspec.Struct):
    matched: int


class _Answer(msgspec.Struct):
    summary: _Summary


def _http_send(
    urls: list[str],
    token: str,
    bodies: list[bytes],
    requests: int,
    *,
    path: str = "/api/v1/hashes/check",
    content_type: str = "application/json",
    connections: int = 4,
) -> int:
    """Send ``requests`` bodies (cycling through ``bodies``) to ``path``, connections kept alive.

    ``connections`` per server, each in a thread; returns the matches counted
    in the answers (each must be a 200; the JSON and the bulk answer both have
    ``summary.matched``).
    """
    jobs = iter(range(requests))
    lock = threading.Lock()
    matched = [0]
    decoder = msgspec.json.Decoder(_Answer)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}

    def client(url: str) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port))
        found = 0
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                break
            connection.request("POST", path, bodies[job % len(bodies)], headers)
            response = connection.getresponse()
            answer = response.read()
            assert response.status == 200, (response.status, answer[:300])
            found += decoder.decode(answer).summary.matched
        connection.close()
        with lock:
            matched[0] += found

    threads = [
        threading.Thread(target=client, args=(url,)) for url in urls for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return matched[0]


def _bulk_bodies(args, sha256: list[str], rng) -> dict[str, tuple[str, str, list[bytes], int]]:
    """Bulk bodies of ``args.bulk`` SHA-256 hashes, every second one a hit, raw and as hex lines.

    Returned by format as (path, content type, bodies, hashes per body).
    """
    raw = []
    for _ in range(args.bulk_bodies):
        digests = [
            bytes.fromhex(rng.choice(sha256)) if i % 2 else secrets.token_bytes(32)
            for i in range(args.bulk)
        ]
        raw.append(b"".join(digests))
    lines = [
        b"".join(
            body[start : start + 32].hex().encode() + b"\n" for start in range(0, len(body), 32)
        )
        for body in raw
    ]
    path = "/api/v1/hashes/check/bulk?algorithm=sha256"
    return {
        "bulk raw": (path, "application/octet-stream", raw, args.bulk),
        "bulk hex": (path, "text/plain", lines, args.bulk),
    }


def _bulk_compare(args, token: str, json_texts: list[str], sha256: list[str], rng) -> None:
    """The JSON batch check and the bulk check, on the same servers, for each ``--env``.

    Every measure starts its servers afresh from this checkout; per server
    environment and format it prints items/s by the wall clock, the servers'
    CPU per item (/proc) and this client's CPU per item, then the means with
    ratios against the baseline: the JSON check under the first environment.
    """
    formats = {
        "json": (
            "/api/v1/hashes/check",
            "application/json",
            [text.encode() for text in json_texts],
            1000,
        ),
        **_bulk_bodies(args, sha256, rng),
    }
    envs = {
        setting or "as deployed": dict(pair.split("=", 1) for pair in setting.split(",") if pair)
        for setting in args.env or [""]
    }
    rates: dict[tuple[str, str, int], list[tuple[float, float, float]]] = {}
    print(f"waitress --threads={args.threads}", flush=True)
    for round_ in range(args.rounds):
        for servers in args.servers:
            for how, env in envs.items():
                with _waitress([env] * servers, tree=os.getcwd(), threads=args.threads) as (
                    urls,
                    pids,
                ):
                    for name, (path, content_type, bodies, size) in formats.items():
                        bulk = name != "json"
                        connections = args.bulk_connections if bulk else 4
                        requests = args.bulk_requests if bulk else args.requests
                        send = {
                            "path": path,
                            "content_type": content_type,
                            "connections": connections,
                        }
                        _http_send(urls, token, bodies[:1], servers * connections, **send)  # warm
                        load = os.getloadavg()[0]
                        cpu_before = sum(_cpu_seconds(pid) for pid in pids)
                        started, own = time.perf_counter(), time.process_time()
                        matched = _http_send(urls, token, bodies, requests, **send)
                        elapsed = time.perf_counter() - started
                        own = time.process_time() - own
                        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
                        items = size * requests
                        assert matched == items // 2, matched
                        figures = (items / elapsed, cpu * 1e6 / items, own * 1e6 / items)
                        rates.setdefault((how, name, servers), []).append(figures)
                        print(
                            f"round {round_ + 1}, {servers} waitress, {how}, {name}: "
                            f"{figures[0]:,.0f} items/s, server CPU {figures[1]:.2f} µs/item, "
                            f"client CPU {figures[2]:.2f} µs/item, load {load:.1f}",
                            flush=True,
                        )
    baseline = next(iter(envs))
    for servers in args.servers:
        base = _means(rates[(baseline, "json", servers)])
        for how in envs:
            for name in formats:
                mean = _means(rates[(how, name, servers)])
                print(
                    f"{servers} waitress, {how}, {name}: {mean[0]:,.0f} items/s "
                    f"({mean[0] / base[0]:.2f}x); server CPU {mean[1]:.2f} µs/item "
                    f"({base[1] / mean[1]:.1f}x less); client CPU {mean[2]:.2f} µs/item"
                )


def _means(runs: list[tuple[float, ...]]) -> list[float]:
    return [sum(column) / len(runs) for column in zip(*runs, strict=True)]


def _http_compare(args, token: str, batches: dict[str, list[str]]) -> None:
    """Both checkouts' servers, alternately, on the same store and batches; prints the ratios."""
    trees = {"baseline": str(Path(args.baseline).resolve()), "this": os.getcwd()}
    rates: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
    engine = _engine_cost(batches)
    for round_ in range(args.rounds):
        for servers in args.servers:
            for name, tree in trees.items():
                with _waitress([{}] * servers, tree=tree, threads=64) as (urls, pids):
                    for algorithm, texts in batches.items():
                        bodies = [text.encode() for text in texts]
                        _http_send(urls, token, bodies[:1], servers * 4)  # warm: indexes
                        load = os.getloadavg()[0]
                        cpu_before = sum(_cpu_seconds(pid) for pid in pids)
                        started, own = time.perf_counter(), time.process_time()
                        matched = _http_send(urls, token, bodies, args.requests)
                        elapsed = time.perf_counter() - started
                        own = time.process_time() - own
                        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
                        assert matched == 500 * args.requests, matched
                        items = 1000 * args.requests
                        rates.setdefault((algorithm, name, servers), []).append(
                            (items / elapsed, cpu * 1e6 / items)
                        )
                        print(
                            f"round {round_ + 1} {name:>8} {servers} waitress "
                            f"{algorithm:>6}: {items / elapsed:>9,.0f} items/s, "
                            f"server CPU {cpu * 1e6 / items:5.2f} µs/item, "
                            f"client CPU {own * 1e6 / items:4.2f} µs/item, load {load:.1f}",
                            flush=True,
                        )
    for algorithm in batches:
        for servers in args.servers:
            base = rates[(algorithm, "baseline", servers)]
            this = rates[(algorithm, "this", servers)]
            mean = [sum(rate for rate, _ in runs) / len(runs) for runs in (base, this)]
            cpu = [sum(cost for _, cost in runs) / len(runs) for runs in (base, this)]
            print(
                f"{algorithm:>6}, {servers} waitress: {mean[0]:,.0f} -> {mean[1]:,.0f} items/s "
                f"({mean[1] / mean[0]:.2f}x); server CPU {cpu[0]:.2f} -> {cpu[1]:.2f} µs/item "
                f"({cpu[0] / cpu[1]:.2f}x); engine {engine[algorithm]:.2f} µs/item, "
                f"API / engine {cpu[1] / engine[algorithm]:.1f}x"
            )


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
    parser.add_argument("--shards", type=int, default=0)
    parser.add_argument("--http", action="store_true", help="over HTTP to waitress")
    parser.add_argument("--baseline", default="/work/main", help="checkout to compare with")
    parser.add_argument("--servers", type=int, nargs="+", default=[1])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="batches sent per measure")
    parser.add_argument(
        "--bulk", type=int, default=0, help="bulk bodies of this size (with --http: against JSON)"
    )
    parser.add_argument("--bulk-bodies", type=int, default=4, help="distinct bulk bodies")
    parser.add_argument("--bulk-requests", type=int, default=20, help="bulk bodies per measure")
    parser.add_argument("--bulk-connections", type=int, default=2, help="per server, for bulk")
    parser.add_argument("--threads", type=int, default=64, help="waitress threads (--bulk)")
    parser.add_argument(
        "--env",
        action="append",
        help="with --bulk: the servers' environment, K=V,K=V ('' as deployed); repeatable",
    )
    parser.add_argument(
        "--declarations", action="store_true", help="only compare ways to decode a batch"
    )
    args = parser.parse_args()
    # A data directory of its own (SQLite, secrets), shared with the servers it starts.
    os.environ["MELDPUNT_DATA_DIR"] = tempfile.mkdtemp(prefix="meldpunt-bench-api-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    os.environ["MELDPUNT_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, os.getcwd())
    import random

    import django

    django.setup()
    if args.declarations:
        _declarations_compare()
        return
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
    batches = {
        algorithm: [
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
        for algorithm, make in (
            ("sha256", lambda i: rng.choice(sha256) if i % 2 else secrets.token_hex(32)),
            ("pdq", lambda i: _flip(rng.choice(pdq), 10, rng) if i % 2 else secrets.token_hex(32)),
        )
    }
    if args.http and args.bulk:
        _bulk_compare(args, issued.token, batches["sha256"], sha256, rng)
        return
    if args.http:
        _http_compare(args, issued.token, batches)
        return
    if args.bulk:
        _bulk_in_process(client, args, sha256, rng)
        return
    one_process = {}
    for algorithm, bodies in batches.items():
        one_process[algorithm], _ = _measure(
            client, connection, algorithm, bodies, args.profile, "", []
        )
    if args.shards:
        from django.test import override_settings

        token = secrets.token_urlsafe(32)
        with (
            _shard_processes(args.shards, token) as (urls, pids),
            override_settings(HASHES_SHARD_SERVERS=urls, HASHES_SHARD_TOKEN=token),
        ):
            for algorithm, bodies in batches.items():
                front, shards = _measure(
                    client, connection, algorithm, bodies, False, f"{args.shards} shards", pids
                )
                items = 1000 * len(bodies)
                print(
                    f"  front {front * 1e6 / items:.1f} + shards {shards * 1e6 / items:.1f} "
                    f"= {(front + shards) * 1e6 / items:.1f} µs of CPU per item, against "
                    f"{one_process[algorithm] * 1e6 / items:.1f} in one process: "
                    f"{(front + shards) / one_process[algorithm]:.2f}x"
                )


def _measure(client, connection, algorithm, bodies, profile, how, pids):
    """Send the batches, print the figures; returns the CPU seconds of this process and ``pids``.

    Only the timed batches count: the warm-up (where shards build their
    indexes) and the statement count come before.
    """
    client.post("/api/v1/hashes/check", bodies[0], content_type="application/json")  # warm
    statements = []
    with connection.execute_wrapper(
        lambda run, sql, *rest, seen=statements: seen.append(sql) or run(sql, *rest)
    ):
        client.post("/api/v1/hashes/check", bodies[0], content_type="application/json")
    profiler = cProfile.Profile() if profile and algorithm == "sha256" else None
    responses = []
    started, cpu_started = time.perf_counter(), time.process_time()
    others_started = sum(_cpu_seconds(pid) for pid in pids)
    if profiler:
        profiler.enable()
    for body in bodies:
        responses.append(client.post("/api/v1/hashes/check", body, content_type="application/json"))
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    others = sum(_cpu_seconds(pid) for pid in pids) - others_started
    assert all(response.status_code == 200 for response in responses)
    matched = sum(response.json()["summary"]["matched"] for response in responses)
    assert matched == 500 * len(bodies), matched
    print(
        f"API {algorithm:>6}{' (' + how + ')' if how else ''}: "
        f"{1000 * len(bodies) / elapsed:>9,.0f} items/s, "
        f"{elapsed / len(bodies) * 1000:5.1f} ms per batch of 1,000; "
        f"{1000 * len(bodies) / cpu:>9,.0f} items per CPU second; "
        f"{len(statements)} SQL statements per request"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    return cpu, others


def _bulk_in_process(client, args, sha256: list[str], rng) -> None:
    """The bulk check through Django's test client: CPU per hash, peak memory, a profile.

    Per format, ``args.bulk_requests`` bodies of ``args.bulk`` hashes; the
    peak is Python's traced memory (``tracemalloc``, numpy included) over one
    request, the test client's copy of the body included; with ``--profile``
    the ten functions taking most time over the raw bodies.
    """
    import tracemalloc

    for name, (path, content_type, bodies, size) in _bulk_bodies(args, sha256, rng).items():
        post = functools.partial(client.post, path, content_type=content_type)
        assert post(bodies[0]).status_code == 200  # warm: the index
        profiler = cProfile.Profile() if args.profile and name == "bulk raw" else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for number in range(args.bulk_requests):
            post(bodies[number % len(bodies)])
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - started) * 1e6 / (size * args.bulk_requests)
        tracemalloc.start()
        post(bodies[0])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{name}: {cpu:.2f} µs of CPU per hash, peak {peak / 1e6:.1f} MB per request "
            f"of {size:,} hashes ({len(bodies[0]) / 1e6:.1f} MB body), "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(10)


def _engine_cost(batches: dict[str, list[str]]) -> dict[str, float]:
    """CPU µs per item of the search alone (``matching.hashes_search``) on the same batches."""
    from meldpunt.hashes.checking import batch_decode, check_items_parse
    from meldpunt.hashes.conf import hashes_setting
    from meldpunt.hashes.matching import hashes_search

    costs = {}
    for algorithm, texts in batches.items():
        parsed = [check_items_parse(batch_decode(text.encode()).items) for text in texts]
        vectors = [{a: found for a, (_p, found) in batch.hashes.items()} for batch in parsed]
        distance = hashes_setting("HASHES_PDQ_MAX_DISTANCE")
        hashes_search(vectors[0], max_distance=distance)  # builds the index
        started = time.process_time()
        for values in vectors:
            hashes_search(values, max_distance=distance)
        costs[algorithm] = (time.process_time() - started) * 1e6 / (1000 * len(vectors))
        print(f"engine {algorithm:>6}: {costs[algorithm]:.2f} µs of CPU per item", flush=True)
    return costs


def _declarations_compare() -> None:
    """CPU per batch of 1,000 SHA-256 items: decoded and checked the ways an API could declare it.

    The previous code (the standard library's json, then ``check_items_parse``
    over dicts), this code (msgspec into ``checking.Batch``, then the
    column-wise check), and pydantic 2 (what django-ninja validates with):
    a model of the same item, and one that also checks each algorithm's
    hex pattern in compiled code (a union discriminated by algorithm).
    """
    from typing import Annotated, Literal

    import pydantic

    from meldpunt.hashes.checking import batch_decode, check_items_parse

    class Item(pydantic.BaseModel, extra="forbid"):
        algorithm: str
        value: str
        id: Annotated[str, pydantic.StringConstraints(max_length=200)] | None = None
        quality: Annotated[int, pydantic.Field(ge=0, le=100, strict=True)] | None = None

    def exact(name: str, digits: int) -> type:
        pattern = f"^[0-9a-fA-F]{{{digits}}}$"
        return pydantic.create_model(
            f"Item_{name}",
            __config__=pydantic.ConfigDict(extra="forbid"),
            algorithm=(Literal[name], ...),
            value=(Annotated[str, pydantic.StringConstraints(pattern=pattern)], ...),
            id=(Annotated[str, pydantic.StringConstraints(max_length=200)] | None, None),
        )

    typed = Annotated[
        exact("sha256", 64) | exact("sha1", 40) | exact("md5", 32),
        pydantic.Field(discriminator="algorithm"),
    ]
    plain_body = pydantic.TypeAdapter(dict[Literal["items"], list[Item]])
    pattern_body = pydantic.TypeAdapter(dict[Literal["items"], list[typed]])
    body = json.dumps(
        {
            "items": [
                {"algorithm": "sha256", "value": secrets.token_hex(32), "id": f"f{i}"}
                for i in range(1000)
            ]
        }
    ).encode()

    def previous() -> None:
        check_items_parse(json.loads(body)["items"])

    def msgspec_structs() -> None:
        check_items_parse(batch_decode(body).items)

    def pydantic_model() -> None:
        plain_body.validate_json(body)

    def pydantic_patterns() -> None:
        pattern_body.validate_json(body)

    print(f"decoding and checking a batch of 1,000 SHA-256 items, load {os.getloadavg()[0]:.1f}")
    timings = {}
    for name, work in (
        ("standard json, then the column-wise check over dicts", previous),
        ("msgspec structs, then the column-wise check (this code)", msgspec_structs),
        ("pydantic model only (no hex check)", pydantic_model),
        ("pydantic, hex pattern per algorithm (discriminated union)", pydantic_patterns),
    ):
        work()
        started = time.process_time()
        for _ in range(300):
            work()
        timings[name] = (time.process_time() - started) / 300
        print(f"  {name}: {timings[name] * 1e3:.3f} ms of CPU")


if __name__ == "__main__":
    main()
