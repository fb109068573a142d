"""Live chat under load: many chats at once, a message every few seconds per side.

    .venv/bin/python benchmarks/chat.py [--chats 200] [--interval 5] [--seconds 60]
        [--env KEY=VALUE ...] [--server-args ARGS]
        [--baseline-tree DIR] [--baseline-env KEY=VALUE ...] [--baseline-server-args ARGS]
        [--rounds N]

A fresh data directory (SQLite; PostgreSQL with DATABASE_URL, created when
missing; use a fresh database name per run) gets a line with
a chat open all week and one analyst; ``--chats`` chats are started and picked
up through the services. Uvicorn then serves ``meldpunt.asgi`` in its own
process, and every chat's reporter holds a Server-Sent Events stream open
(``/chat/now/events/``), as the page's script does. Every ``--interval`` seconds
per chat and side, spread evenly: the reporter posts a message through the page
(a real form POST with its CSRF token), and the analyst's side writes one
through ``services.staff_message_post`` (the staff page calls exactly that).
Delivery latency is the time from the write until the reporter's stream carries
the message; the staff stream is the same code and is not opened separately.

Printed: delivery latency p50/p99/max for each side, messages lost, the
server's peak resident memory (VmHWM, per process and summed over Uvicorn's
processes) and the CPU time the server's processes used per message delivered
(less sensitive to other jobs on a shared machine than the latency), with the
load average before and after. Issue 15's target: p99 < 500 ms. The last line
printed is a JSON object with the figures.

``--env`` sets environment variables of the server (e.g. ``MELDPUNT_DB_POOL=20``)
and ``--server-args`` adds Uvicorn options (e.g. ``--workers 2`` or
``--loop uvloop --http httptools``). A baseline is served first, to the same
clients on the same database, when any ``--baseline-*`` option is given:
``--baseline-tree DIR`` (a checkout of an older commit, e.g. made with ``git
worktree add DIR COMMIT``; default this tree), ``--baseline-env``,
``--baseline-server-args``. The ratios printed are this run / baseline: before and
after measured back to back under the same load. ``--rounds N`` alternates them N
times (baseline, this, baseline, this ...), since the load of a shared machine
drifts during a run.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _setup(data_dir: str) -> None:
    os.environ["MELDPUNT_DATA_DIR"] = data_dir
    os.environ.setdefault("MELDPUNT_KDF_OPSLIMIT", "1")
    os.environ.setdefault("MELDPUNT_KDF_MEMLIMIT", str(8 * 1024))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    sys.path.insert(0, str(ROOT))
    from _setup import _create_postgres_database

    _create_postgres_database(os.environ.get("DATABASE_URL", ""))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _world(chats: int):
    from meldpunt.chat import services
    from meldpunt.chat.tests.factories import make_chat_line, unlocked_key
    from meldpunt.testing import make_staff

    line = make_chat_line(max_messages_per_minute=60)
    analyst = make_staff(lines=[line])
    started = [services.chat_start(line=line, language="nl") for _ in range(chats)]
    for chat, _token in started:
        services.chat_pick_up(chat=chat, actor=analyst)
    key = unlocked_key(analyst)
    keys = {
        chat.pk: services.staff_chat_key(chat=chat, user=analyst, private_key=key)
        for chat, _token in started
    }
    return analyst, started, keys


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat_fields(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def _processes(root: int) -> list[int]:
    """``root`` and its descendants (Uvicorn's worker processes with ``--workers``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(
                    int(entry.name)
                )
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User plus system CPU time of each process so far (/proc/PID/stat)."""
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat_fields(pid)
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


async def _request(port: int, raw: bytes) -> tuple[bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _sep, body = data.partition(b"\r\n\r\n")
    return head, body


class Reporter:
    def __init__(self, port: int, token: str, chat_pk: int) -> None:
        self.port, self.token, self.chat_pk = port, token, chat_pk
        self.csrf_cookie = self.csrf_token = ""
        self.waiting: dict[str, float] = {}  # marker -> time written
        self.latencies: dict[str, list[float]] = {"reporter": [], "staff": []}

    async def prepare(self) -> None:
        head, body = await _request(
            self.port,
            f"GET /chat/now/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mp_chat={self.token}\r\n"
            "Connection: close\r\n\r\n".encode(),
        )
        self.csrf_cookie = re.search(rb"mp_csrf=([^;]+)", head)[1].decode()
        self.csrf_token = CSRF_FIELD.search(body)[1].decode()

    async def post(self, marker: str) -> None:
        body = f"body={marker}&confirm=1&csrfmiddlewaretoken={self.csrf_token}".encode()
        self.waiting[marker] = time.monotonic()
        await _request(
            self.port,
            b"POST /chat/now/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Cookie: mp_chat={self.token}; mp_csrf={self.csrf_cookie}\r\n".encode()
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body,
        )

    async def listen(self, stop: asyncio.Event) -> None:
        """Hold the event stream open, reconnecting after Last-Event-ID, as EventSource does."""
        last = "0"
        while not stop.is_set():
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write(
                f"GET /chat/now/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: mp_chat={self.token}\r\nLast-Event-ID: {last}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            await writer.drain()
            with contextlib.suppress(ConnectionError):
                while not stop.is_set():
                    line = await reader.readline()
                    if not line:
                        break
                    if line.startswith(b"id: "):
                        last = line[4:].strip().decode()
                    for marker in [m for m in self.waiting if m.encode() in line]:
                        side = "staff" if marker.startswith("s") else "reporter"
                        self.latencies[side].append(time.monotonic() - self.waiting.pop(marker))
            writer.close()


async def _run(args, port: int, started, analyst, keys) -> dict:
    from asgiref.sync import sync_to_async

    from meldpunt.chat import services

    reporters = [Reporter(port, token, chat.pk) for chat, token in started]
    for reporter in reporters:
        await reporter.prepare()
    stop = asyncio.Event()
    listeners = [asyncio.create_task(r.listen(stop)) for r in reporters]
    await asyncio.sleep(2)
    chats = {chat.pk: chat for chat, _token in started}

    def staff_write(chat_pk: int, marker: str, reporter: Reporter) -> None:
        reporter.waiting[marker] = time.monotonic()
        services.staff_message_post(
            chat=chats[chat_pk], actor=analyst, key_bytes=keys[chat_pk], body=marker
        )

    async def side(reporter: Reporter, offset: float, is_staff: bool) -> None:
        await asyncio.sleep(offset)
        number = 0
        loop = asyncio.get_running_loop()
        end = loop.time() + args.seconds
        while loop.time() < end:
            number += 1
            marker = f"{'s' if is_staff else 'r'}{reporter.chat_pk}x{number}q"
            if is_staff:
                await sync_to_async(staff_write)(reporter.chat_pk, marker, reporter)
            else:
                await reporter.post(marker)
            await asyncio.sleep(args.interval)

    count = len(reporters)
    writers = [
        side(r, args.interval * (i / count), is_staff)
        for i, r in enumerate(reporters)
        for is_staff in (False, True)
    ]
    await asyncio.gather(*writers)
    await asyncio.sleep(3)
    stop.set()
    for task in listeners:
        task.cancel()
    figures = {}
    for name in ("reporter", "staff"):
        values = sorted(v for r in reporters for v in r.latencies[name])
        lost = sum(1 for r in reporters for m in r.waiting if (m[0] == "s") == (name == "staff"))
        figures[name] = {
            "delivered": len(values),
            "lost": lost,
            "p50_ms": round(1000 * statistics.median(values)) if values else None,
            "p99_ms": round(1000 * values[int(0.99 * (len(values) - 1))]) if values else None,
            "max_ms": round(1000 * values[-1]) if values else None,
        }
    return figures


@dataclass(frozen=True)
class Variant:
    """What one phase serves: a checkout, the server's environment, Uvicorn's options."""

    tree: Path
    env: dict[str, str]
    server_args: list[str]

    def describe(self) -> str:
        settings = [f"{key}={value}" for key, value in self.env.items()] + self.server_args
        return f"{self.tree} {' '.join(settings)}".strip()


def _serve_and_measure(args, variant: Variant, data_dir: str) -> dict:
    """Serve the variant's meldpunt.asgi with Uvicorn and run the clients against it."""
    analyst, started, keys = _world(args.chats)
    port = _free_port()
    python_path = os.pathsep.join(
        [str(variant.tree)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and application
        [sys.executable, "-m", "uvicorn", "meldpunt.asgi:application", "--port", str(port)]
        + ["--no-access-log", "--log-level", "warning"]
        + variant.server_args,
        cwd=variant.tree,
        env={
            **os.environ,
            **variant.env,
            "MELDPUNT_DATA_DIR": data_dir,
            "PYTHONPATH": python_path,
        },
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start")
            time.sleep(0.2)
        time.sleep(2)  # with --workers, every worker process is up and listening
        pids = _processes(server.pid)
        load_before = _load()
        cpu_before = _cpu_seconds(pids)
        client_before = time.process_time()
        figures = asyncio.run(_run(args, port, started, analyst, keys))
        cpu_after = _cpu_seconds(pids)
        cpu = sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after)
        # The clients and the staff writer share the machine with the server.
        figures["client_cpu_s"] = round(time.process_time() - client_before, 1)
        peaks = [round(_peak_memory_mb(pid)) for pid in pids]
        figures["server_processes"] = len(pids)
        figures["server_peak_mb"] = sum(peaks)
        figures["server_peak_mb_per_process"] = peaks
        figures["load_before"], figures["load_after"] = load_before, _load()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)  # open event streams end within 25 s
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    delivered = figures["reporter"]["delivered"] + figures["staff"]["delivered"]
    figures["server_cpu_s"] = round(cpu, 1)
    figures["server_cpu_ms_per_message"] = round(1000 * cpu / delivered, 2) if delivered else None
    return figures


def _print(title: str, figures: dict) -> None:
    print(title)
    for name in ("reporter", "staff"):
        side = figures[name]
        print(
            f"  {name} -> reporter: {side['delivered']} delivered, {side['lost']} lost, "
            f"p50 {side['p50_ms']} ms, p99 {side['p99_ms']} ms, max {side['max_ms']} ms"
        )
    print(
        f"  server: peak memory {figures['server_peak_mb']} MB, CPU {figures['server_cpu_s']} s, "
        f"{figures['server_cpu_ms_per_message']} ms CPU per message "
        f"(processes: {figures['server_processes']}, peak MB each "
        f"{figures['server_peak_mb_per_process']}); "
        f"benchmark clients CPU {figures['client_cpu_s']} s"
    )
    print(f"  load average before {figures['load_before']}, after {figures['load_after']}")


def _ratio(after: float | None, before: float | None) -> float | None:
    return round(after / before, 2) if after is not None and before else None


def _ratios(figures: dict, baseline: dict) -> dict:
    ratios = {}
    for side in ("reporter", "staff"):
        for figure in ("p50", "p99"):
            ratios[f"{side}_{figure}"] = _ratio(
                figures[side][f"{figure}_ms"], baseline[side][f"{figure}_ms"]
            )
    ratios["cpu_per_message"] = _ratio(
        figures["server_cpu_ms_per_message"], baseline["server_cpu_ms_per_message"]
    )
    return ratios


def _environment(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--server-args", default="", help="more Uvicorn options")
    parser.add_argument(
        "--baseline-tree", type=Path, help="an older checkout, served first as the baseline"
    )
    parser.add_argument("--baseline-env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--baseline-server-args", default=None)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    variant = Variant(ROOT, _environment(args.env), shlex.split(args.server_args))
    baseline = None
    if args.baseline_tree or args.baseline_env or args.baseline_server_args is not None:
        baseline = Variant(
            (args.baseline_tree or ROOT).resolve(),
            _environment(args.baseline_env),
            shlex.split(args.baseline_server_args or ""),
        )
    data_dir = tempfile.mkdtemp(prefix="meldpunt-chat-bench-")
    _setup(data_dir)
    print(f"load before: {_load()}")
    result = {"chats": args.chats, "interval_s": args.interval, "seconds": args.seconds}
    result["this"] = variant.describe()
    if baseline:
        result["baseline"] = baseline.describe()
    result["rounds"] = []
    for number in range(1, args.rounds + 1):
        round_ = {}
        if baseline:
            round_["baseline"] = _serve_and_measure(args, baseline, data_dir)
            _print(f"round {number}, baseline ({baseline.describe()}):", round_["baseline"])
        round_["this"] = _serve_and_measure(args, variant, data_dir)
        _print(f"round {number}, this run ({variant.describe()}):", round_["this"])
        if baseline:
            round_["ratios"] = _ratios(round_["this"], round_["baseline"])
            print(f"  ratios (this run / baseline): {round_['ratios']}")
        result["rounds"].append(round_)
    print(f"load after: {_load()}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
