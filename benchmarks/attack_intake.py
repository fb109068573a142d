"""Reporters under load: many submissions at once, and a flood of wrong receipts.

    .venv/bin/python benchmarks/attack_intake.py submissions [--clients 200]
    .venv/bin/python benchmarks/attack_intake.py flood [--processes 8 --threads 8]
    (either with --url http://host:port to aim at a server that already runs)

Without --url the script starts a server as an operator would: ``meldpunt demo``
in a fresh data directory (SQLite, waitress, the production Argon2id cost of
256 MiB, the operator's defaults for the derivation queue), and reports the peak
resident memory of that server process (``VmHWM``).

``submissions``: all clients post a report with a file to the API at the same
moment; printed are the latency p50/p99/max, how many were stored (201) and how
many were told "busy" (503), and the server's peak memory. Issue 10.8's target:
no request waits longer than 30 s, memory bounded.

``flood``: ``--processes`` (default 4 per core) × ``--threads`` clients post
wrong (well-formed) receipts to the web mailbox as fast as they can; after a
few seconds an honest reporter opens the mailbox with the right receipt and the
time that took is printed, with the flood's rate and how busy the machine's
CPUs were from then until the flood ended. A wrong receipt is now so cheap that
the flood alone no longer fills the cores (the server's Python runs on one core
at a time), so ``--spinners`` processes (default one per core) burn every
cycle left over. Flooding clients and spinners run at niceness 10: they stand
for machines elsewhere (an attacker's clients do not run on the server), so
they take all idle CPU without taking it from the server, which still has to
answer every request of the flood. Issue
11.1's target: the reporter gets in within 10 s under a flood that saturates
both cores.

The last line printed is a JSON object with the figures (tests read it).
"""

import argparse
import contextlib
import http.cookiejar
import io
import json
import multiprocessing
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

LINE, CATEGORY = "misdaad", "drugs"
API_REPORTS = f"/api/v1/lines/{LINE}/categories/{CATEGORY}/reports"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REQUEST_TIMEOUT = 300
START_TIMEOUT = 180


# The server -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def demo_server() -> Iterator[tuple[str, int]]:
    """``meldpunt demo`` with an operator's environment; yields its URL and process id."""
    root = Path(tempfile.mkdtemp(prefix="meldpunt-attack-"))
    port = _free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MELDPUNT_") and name not in {"DATABASE_URL"}
    }
    env.update(MELDPUNT_DATA_DIR=str(root / "data"), PYTHONUNBUFFERED="1")
    output = root / "output.log"
    command = [str(Path(sys.executable).parent / "meldpunt"), "demo", "--port", str(port)]
    with output.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _accepts_connections(port):  # the demo announces itself before it listens
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the demo did not start:\n{output.read_text(errors='replace')}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def peak_memory_mib(pid: int) -> float:
    """The peak resident memory of a process so far (Linux ``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_busy_share() -> tuple[int, int]:
    """Busy and total jiffies of all CPUs so far (/proc/stat), to compare two moments."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


# Clients ----------------------------------------------------------------------


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3)).save(out, "JPEG")
    return out.getvalue()


def _multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def _post(url: str, body: bytes, content_type: str, opener=None) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 - our own server, over http
        url, data=body, headers={"Content-Type": content_type}
    )
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=REQUEST_TIMEOUT) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def submit_report(base: str, content: bytes) -> tuple[int, str]:
    """One report with one file through the API; the status and the body."""
    body, boundary = _multipart({"what": "Er wordt gehandeld bij de haven."}, "foto.jpg", content)
    return _post(base + API_REPORTS, body, f"multipart/form-data; boundary={boundary}")


class WebReporter:
    """A browser without JavaScript, as far as the mailbox form needs: cookies and CSRF."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = ""

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
            text = response.read().decode()
        if match := CSRF_TOKEN.search(text):
            self.csrf = match[1]
        return response.status, text

    def open_mailbox(self, receipt: str) -> tuple[int, str]:
        """Log in with the receipt; a right one lands on the mailbox (after the redirect)."""
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, "receipt": receipt})
        return _post(
            self.base + "/mailbox/",
            body.encode(),
            "application/x-www-form-urlencoded",
            self.opener,
        )


def _wrong_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(20))


# Clients and spinners run at a lower priority, as if on other machines: they
# still take every cycle the server leaves, but do not compete with its work.
CLIENT_NICENESS = 10


def _spin(seconds: float) -> None:
    """Keep one core busy with whatever the server leaves idle."""
    os.nice(CLIENT_NICENESS)
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        sum(range(10_000))


def _flood_process(base: str, threads: int, seconds: float, results) -> None:
    """One flooding process: ``threads`` clients posting wrong receipts until time is up."""
    os.nice(CLIENT_NICENESS)
    stop_at = time.monotonic() + seconds
    counts: Counter = Counter()
    lock = threading.Lock()

    def flood() -> None:
        client = WebReporter(base)
        client.get("/mailbox/")
        while time.monotonic() < stop_at:
            status, _text = client.open_mailbox(_wrong_receipt())
            with lock:
                counts[status] += 1

    workers = [threading.Thread(target=flood) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(dict(counts))


# Scenarios --------------------------------------------------------------------


def run_submissions(base: str, clients: int, pid: int | None) -> dict:
    content = _jpeg()
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def one() -> None:
        start.wait()
        began = time.monotonic()
        status, _body = submit_report(base, content)
        with lock:
            results.append((status, time.monotonic() - began))

    threads = [threading.Thread(target=one) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    latencies = sorted(seconds for _status, seconds in results)
    statuses = Counter(status for status, _seconds in results)
    figures = {
        "scenario": "submissions",
        "clients": clients,
        "file_bytes": len(content),
        "stored_201": statuses.pop(201, 0),
        "busy_503": statuses.pop(503, 0),
        "other": dict(statuses),
        "p50_s": round(statistics.median(latencies), 2),
        "p99_s": round(latencies[max(0, round(0.99 * len(latencies)) - 1)], 2),
        "max_s": round(latencies[-1], 2),
        "stored_max_s": round(max((t for st, t in results if st == 201), default=0), 2),
        "busy_p50_s": round(statistics.median([t for st, t in results if st == 503] or [0]), 2),
        "busy_max_s": round(max((t for st, t in results if st == 503), default=0), 2),
        "wall_s": round(wall, 1),
        "server_peak_mib": round(peak_memory_mib(pid), 0) if pid else None,
    }
    print(
        f"{clients} concurrent submissions with a {len(content) // 1024} KiB JPEG each: "
        f"{figures['stored_201']} stored, {figures['busy_503']} told busy, other {figures['other']}"
    )
    print(
        f"latency p50 {figures['p50_s']} s, p99 {figures['p99_s']} s, "
        f"max {figures['max_s']} s (stored: max {figures['stored_max_s']} s; busy: "
        f"p50 {figures['busy_p50_s']} s, max {figures['busy_max_s']} s); "
        f"wall {figures['wall_s']} s; "
        f"server peak memory {figures['server_peak_mib']} MiB"
    )
    return figures


def run_flood(
    base: str, processes: int, threads: int, seconds: float, spinners: int, pid: int | None
) -> dict:
    status, body = submit_report(base, _jpeg())
    if status != 201:
        raise SystemExit(f"could not submit the honest report: {status} {body[:300]}")
    receipt = json.loads(body)["receipt"]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    flooders = [
        context.Process(target=_flood_process, args=(base, threads, seconds, results))
        for _ in range(processes)
    ]
    flooders += [context.Process(target=_spin, args=(seconds,)) for _ in range(spinners)]
    for flooder in flooders:
        flooder.start()
    time.sleep(min(5.0, seconds / 3))  # the flood is in full swing
    busy_before, total_before = cpu_busy_share()
    honest = WebReporter(base)
    began = time.monotonic()
    honest.get("/mailbox/")
    honest_status, page = honest.open_mailbox(receipt)
    honest_seconds = time.monotonic() - began
    is_in = honest_status == 200 and 'action="/mailbox/close/"' in page
    counts: Counter = Counter()
    for index in range(processes):
        counts.update(results.get(timeout=seconds + REQUEST_TIMEOUT))
        if index == 0:  # the flood is ending: how busy the CPUs were since the warm-up
            busy_after, total_after = cpu_busy_share()
    for flooder in flooders:
        flooder.join()
    flood_requests = sum(counts.values())
    figures = {
        "scenario": "flood",
        "flood_clients": processes * threads,
        "spinning_processes": spinners,
        "flood_requests": flood_requests,
        "flood_per_second": round(flood_requests / seconds, 1),
        "flood_statuses": {str(key): value for key, value in counts.items()},
        "cpu_busy_percent": round(
            100 * (busy_after - busy_before) / max(1, total_after - total_before)
        ),
        "honest_in": is_in,
        "honest_seconds": round(honest_seconds, 2),
        "server_peak_mib": round(peak_memory_mib(pid), 0) if pid else None,
    }
    print(
        f"flood: {figures['flood_clients']} clients, {flood_requests} wrong receipts in "
        f"{seconds:.0f} s ({figures['flood_per_second']}/s, answers {figures['flood_statuses']}), "
        f"CPUs {figures['cpu_busy_percent']} % busy during the flood"
    )
    print(
        f"honest reporter {'got in' if is_in else 'did NOT get in'} after "
        f"{figures['honest_seconds']} s (status {honest_status})"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["submissions", "flood"])
    parser.add_argument("--url", help="a running server; default: start `meldpunt demo`")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4 * len(os.sched_getaffinity(0)))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--spinners",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="processes that only burn CPU during the flood (default: one per core)",
    )
    options = parser.parse_args()
    with contextlib.ExitStack() as stack:
        base, pid = (
            (options.url.rstrip("/"), None) if options.url else stack.enter_context(demo_server())
        )
        if options.scenario == "submissions":
            figures = run_submissions(base, options.clients, pid)
        else:
            figures = run_flood(
                base, options.processes, options.threads, options.seconds, options.spinners, pid
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
