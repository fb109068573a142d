"""Daily re-checks of reported addresses: addresses per minute and peak memory, by count.

    .venv/bin/python benchmarks/recheck.py [--count 50000] [--processes 2] [--concurrency 32]

Fills a fresh database (SQLite in a temporary data directory, or the
PostgreSQL database DATABASE_URL names, whose hotline rows are replaced) with
``--count`` addresses judged illegal and acted on (state NOTICE_SENT), each with
the sealed first check the re-check compares with, all due. A separate
process serves them over HTTP on 127.0.0.1 with a delay of 50-300 ms per
answer (uniform), a 404 for one address in ten, and answers the crawler's DNS
questions on a local UDP port. Then the real re-check path runs:
``checking.reported_urls_check`` over ``reported_urls_due`` (what the CLI and a
sweep's batch tasks run), with HOTLINE_RECHECK_CONCURRENCY threads in each of
``--processes`` worker processes (as ``meldpunt worker`` runs one per core), in
stages up to 5,000, 20,000 and the full count, printing addresses per minute,
CPU time per re-check and the workers' peak resident memory (ru_maxrss) after
each stage: flat memory means the peak does not grow with the count. Where the
rest of the machine's CPU goes is printed beside it: the whole machine's busy
CPU per re-check, PostgreSQL's, the far side's, the whole machine's (workers,
PostgreSQL, the far side and anything else running) and how much of the
machine stayed idle.
"""

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import shutil
import socket
import tempfile
import time
from datetime import timedelta
from itertools import islice

BODY = b"\xff\xd8\xff\xe0" + b"benchmark picture " * 400  # what every address serves
HOST = "pics.example.test"


def _serve(http_sock: socket.socket, dns_sock: socket.socket) -> None:
    """The far side: an HTTP server with realistic latencies and a DNS server, one event loop."""
    import dns.flags
    import dns.message
    import dns.rrset

    rng = random.Random(7)  # noqa: S311 - test latencies, not secrets

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1]
            await asyncio.sleep(rng.uniform(0.05, 0.3))
            number = int(path.rsplit(b"/", 1)[-1].split(b".")[0] or 0)
            if number % 10 == 0:
                head, body = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain", b"gone"
            else:
                head, body = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg", BODY
            writer.write(
                head + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    class Dns(asyncio.DatagramProtocol):
        def connection_made(self, transport) -> None:  # noqa: ANN001
            self.transport = transport

        def datagram_received(self, data: bytes, peer) -> None:  # noqa: ANN001
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            question = query.question[0]
            if question.rdtype == 1:  # A; AAAA gets an empty answer
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 0, "IN", "A", ["127.0.0.1"])
                )
            self.transport.sendto(response.to_wire(), peer)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(Dns, sock=dns_sock)
        server = await asyncio.start_server(answer, sock=http_sock, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _populate(count: int, port: int) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from meldpunt.cases.tests.factories import make_report
    from meldpunt.hotline.models import CheckPurpose, FetchAttempt, HotlineState, ReportedUrl
    from meldpunt.hotline.sealing import details_seal, url_seal
    from meldpunt.lines.models import Category, Line, LineKind

    call_command("migrate", verbosity=0)
    ReportedUrl.objects.all().delete()
    line = Line.objects.filter(slug="bench-recheck").first() or Line.objects.create(
        slug="bench-recheck", name="Benchmark re-check", kind=LineKind.CONTENT_HOTLINE
    )
    category = Category.objects.filter(line=line).first() or Category.objects.create(
        line=line, slug="urls", name="Addresses", is_public=True
    )
    reports = [make_report(category=category) for _ in range(50)]
    import hashlib

    sha256 = hashlib.sha256(BODY).hexdigest()
    judged = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    started = time.perf_counter()
    batch = 5000
    for offset in range(0, count, batch):
        with transaction.atomic():
            items = ReportedUrl.objects.bulk_create(
                ReportedUrl(
                    report=reports[number % len(reports)],
                    sealed_url=url_seal(f"http://{HOST}:{port}/a/{number}.jpg"),
                    url_tag=f"bench-{number}",
                    state=HotlineState.NOTICE_SENT,
                    created_at=judged,
                    illegal_at=judged,
                    next_check_at=judged,
                    check_count=1,
                )
                for number in range(offset, min(count, offset + batch))
            )
            FetchAttempt.objects.bulk_create(
                FetchAttempt(
                    reported_url=item,
                    purpose=CheckPurpose.FIRST,
                    checked_at=judged,
                    outcome="online",
                    sealed_details=details_seal({"sha256": sha256}),
                )
                for item in items
            )
    _vacuum()
    print(f"filled {count:,} addresses in {time.perf_counter() - started:.0f} s")


def _vacuum() -> None:
    """Fresh statistics and no dead rows from the previous run, as autovacuum would leave them.

    Without it the planner works from the table as it was before the delete and
    the bulk insert, and every run measures the one before it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("hotline_reportedurl", "hotline_fetchattempt", "hotline_hostingtrace"):
                cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 (fixed names)
        else:
            cursor.execute("ANALYZE")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2, help="worker processes, one per core")
    args = parser.parse_args()
    data_dir = None
    if not os.environ.get("DATABASE_URL"):
        data_dir = tempfile.mkdtemp(prefix="meldpunt-recheck-", dir="/var/tmp")
        os.environ["MELDPUNT_DATA_DIR"] = data_dir
    from _setup import django_setup

    django_setup("recheck")
    from django.conf import settings
    from django.db import connection

    http_sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
    dns_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns_sock.bind(("127.0.0.1", 0))
    far_side = multiprocessing.get_context("fork").Process(
        target=_serve, args=(http_sock, dns_sock), daemon=True
    )
    far_side.start()
    try:
        _populate(args.count, http_sock.getsockname()[1])
        settings.HOTLINE_DNS_NAMESERVERS = [f"127.0.0.1:{dns_sock.getsockname()[1]}"]
        settings.HOTLINE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        settings.HOTLINE_RECHECK_CONCURRENCY = args.concurrency
        _measure(args.count, args.concurrency, args.processes, connection.vendor, far_side.pid)
    finally:
        far_side.kill()
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker(index: int, processes: int, stage: int, now, report) -> None:  # noqa: ANN001
    """One worker process: the batches of the stage that fall to it, like a batch task."""
    from meldpunt.hotline.checking import reported_urls_check, reported_urls_due

    cpu = _cpu_seconds()
    mine = (
        pk
        for batch in reported_urls_due(now=now)
        for pk in batch
        if pk % processes == index  # a fixed share: the due set shrinks as checks finish
    )
    checked = reported_urls_check(reported_url_ids=islice(mine, stage), now=now)
    report.put((checked, _cpu_seconds() - cpu, _peak_mib()))


def _machine_jiffies() -> tuple[int, int]:
    """(busy, idle) clock ticks of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return user + nice + system + irq + softirq + steal, idle + iowait


def _process_seconds(pid: int, *, children: bool = False) -> float:
    """CPU seconds (user and system) of another process, from /proc.

    With ``children``, also those of its children that have ended and been
    waited for (PostgreSQL's backends, once their connection closes).
    """
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_seconds() -> float:
    """CPU seconds of every PostgreSQL process on this machine, ended backends included.

    0 when there is none (SQLite). The postmaster holds the time of the
    backends it has reaped; the living ones count for themselves.
    """
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
            if "(postgres)" not in text:
                continue
            parent = int(text.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{parent}/comm") as comm:
                is_postmaster = comm.read().strip() != "postgres"
            total += _process_seconds(int(entry.name), children=is_postmaster)
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended while we looked
    return total


def _measure(count: int, concurrency: int, processes: int, vendor: str, far_pid: int) -> None:
    from django.db import connections
    from django.utils import timezone

    from meldpunt.hotline.models import FetchAttempt, ReportedUrl

    now = timezone.now()
    stages = sorted({min(count, 5_000), min(count, 20_000), count})
    print(
        f"re-check of {count:,} addresses, {vendor}, {processes} worker processes of "
        f"{concurrency} threads, answers after 50-300 ms"
    )
    print(
        f"{'addresses':>10} {'seconds':>8} {'per minute':>11} {'CPU ms each':>12} {'peak MiB':>9}"
        f" {'database ms each':>17} {'far side ms each':>17} {'machine ms each':>16} {'idle %':>7}"
    )
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    done = 0
    cpu_total = 0.0
    for stage in stages:
        connections.close_all()  # the workers open their own
        report = context.Queue()
        workers = [
            context.Process(
                target=_worker,
                args=(i, processes, (stage - done + processes - 1 - i) // processes, now, report),
            )
            for i in range(processes)
        ]
        stage_started = time.perf_counter()
        busy_before, idle_before = _machine_jiffies()
        far_before = _process_seconds(far_pid)
        database_before = _postgres_seconds()
        for worker in workers:
            worker.start()
        results = [report.get() for _ in workers]
        for worker in workers:
            worker.join()
        checked = sum(result[0] for result in results)
        cpu = sum(result[1] for result in results)
        cpu_total += cpu
        rate = checked / (time.perf_counter() - stage_started) * 60
        busy_after, idle_after = _machine_jiffies()
        busy, idle = busy_after - busy_before, idle_after - idle_before
        machine_ms = busy / os.sysconf("SC_CLK_TCK") / checked * 1000
        far_ms = (_process_seconds(far_pid) - far_before) / checked * 1000
        database_ms = (_postgres_seconds() - database_before) / checked * 1000
        peak = max(result[2] for result in results)
        done += checked
        elapsed = time.perf_counter() - started
        print(
            f"{done:>10,} {elapsed:>8.0f} {rate:>11,.0f} {cpu / checked * 1000:>12.1f} {peak:>9.0f}"
            f" {database_ms:>17.1f} {far_ms:>17.1f} {machine_ms:>16.1f}"
            f" {100 * idle / (busy + idle):>7.0f}"
        )
    total = time.perf_counter() - started
    rechecks = FetchAttempt.objects.filter(purpose="recheck").count()
    print(
        f"total: {rechecks:,} re-checks in {total:.0f} s, {rechecks / total * 60:,.0f} per minute"
    )
    print(f"CPU of the workers: {cpu_total / rechecks * 1000:.1f} ms per re-check")
    offline = ReportedUrl.objects.filter(online_status="offline").count()
    stuck = ReportedUrl.objects.filter(is_checking=True).count()
    print(f"offline (404): {offline:,}; left checking: {stuck}; load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
