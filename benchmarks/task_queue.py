"""The database task queue against Redis, side by side, for meldpunt's background work.

    # prerequisites: PostgreSQL and Redis reachable (defaults below), and a
    # Python environment with meldpunt plus the two Redis backends:
    python3.12 -m venv /tmp/qvenv
    /tmp/qvenv/bin/pip install -e . django-tasks-redis==0.4.0 django-tasks-rq==0.12.0 \\
        redis==8.2.0 rq==3.0.0 django-rq==4.2.0 rq-scheduler==0.14.0 django-tasks==0.12.0
    /tmp/qvenv/bin/python benchmarks/queue.py [--backends db,redis,rq] [--tasks 500]

Issue 17 item 1 asks for background work across machines "on the existing
database queue (row locks, skip locked) or on Redis, whichever measures better
for this workload". meldpunt's background work is many small tasks (previews
per uploaded file, staff notifications, the periodic chains) and a few long
ones (videos, the hotline's re-checks), queued from inside the web request's
transaction. Three ``django.tasks`` backends, all maintained packages, are
measured in one run on the same machine, each with its own real worker
processes:

* ``db``: the project's own backend (``django_tasks_db`` writing times to the
  hour, ``meldpunt.privacy.tasktimes``) on PostgreSQL, run by ``meldpunt worker``
  (django_tasks_db's ``db_worker``: ``SELECT ... FOR UPDATE SKIP LOCKED``, plus the
  heartbeat and recovery of ``meldpunt/workers``);
* ``redis``: django-tasks-redis (Redis streams and a consumer group, written for
  Django's own ``django.tasks``), run by its ``run_redis_tasks --continuous``;
* ``rq``: django-tasks-rq (RQ, by the author of ``django.tasks``; it builds on the
  ``django-tasks`` backport), run by django-rq's ``rqworker``.

Measured, in this order, for every backend:

a. the cost of one enqueue inside a transaction that also writes a report row
   (µs per enqueue, and the whole transaction), whether a rolled-back
   transaction takes its task with it, and how precisely the queue stores the
   time (the project keeps task times to the hour, docs/security.md "Times");
b. throughput of no-op tasks with 1 and 2 worker processes, from the first
   enqueue to the last task run, every task run exactly once;
c. latency from enqueue to the task's start at a moderate rate (Poisson
   arrivals, ``--rate`` per second for ``--seconds``), p50, p99 and max, one worker;
d. a worker killed with SIGKILL (its whole process group, as when a machine
   dies) while it runs a long task, a second worker running: is the task run
   again, after how long, how often. Bounds are short so the run stays short:
   the database queue's worker counts as dead after 3 s of silence and is looked
   for every second (production: 60 s and 60 s); django-tasks-redis reclaims a
   message pending for ``--claim-timeout`` seconds (production default 300 s; it
   must exceed the longest task, or a running task is run twice); RQ as it comes.

Every figure is printed with its ratio against the database queue measured in
the same run. The PostgreSQL database (``DATABASE_URL``, default
``meldpunt_queue``) is dropped and made anew at the start and dropped at the
end; the Redis databases (``--redis-url``, ``--rq-url``) must be empty at the
start and are flushed between the parts and at the end. Worker logs stay in
the temporary directory printed at the start when a part fails.
"""

import argparse
import contextlib
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/meldpunt_queue"
BACKENDS = ("db", "redis", "rq")

# The tasks, written as a module of their own at run time: workers import a task
# by its module path, and this file cannot be imported as ``queue``. A task
# appends one line to a file shared by all workers (O_APPEND: whole lines).
TASKS_MODULE = """
import os
import time

from django.tasks import task


def _record(kind, number, stamp):
    line = f"{kind} {number} {stamp!r} {time.time()!r} {os.getpid()} {os.getppid()}\\n"
    descriptor = os.open(os.environ["QUEUE_BENCH_SINK"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


@task()
def noop(kind, number, stamp):
    _record(kind, number, stamp)


@task()
def long(number, stamp, seconds):
    _record("long-start", number, stamp)
    time.sleep(seconds)
    _record("long-end", number, stamp)
"""

# Settings: the project's, plus one task backend alias per queue under test.
SETTINGS_MODULE = """
import os

from meldpunt.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, *os.environ["QUEUE_BENCH_APPS"].split()]  # noqa: F405
TASKS = {
    "default": {"BACKEND": "meldpunt.privacy.tasktimes.HourlyDatabaseBackend"},
}
if "django_tasks_redis" in INSTALLED_APPS:
    TASKS["redis"] = {
        "BACKEND": "django_tasks_redis.RedisTaskBackend",
        "OPTIONS": {
            "REDIS_URL": os.environ["QUEUE_BENCH_REDIS_URL"],
            "REDIS_CLAIM_TIMEOUT": float(os.environ["QUEUE_BENCH_CLAIM_TIMEOUT"]),
        },
    }
if "django_rq" in INSTALLED_APPS:
    TASKS["rq"] = {"BACKEND": "django_tasks_rq.RQBackend"}
    RQ_QUEUES = {"default": {"URL": os.environ["QUEUE_BENCH_RQ_URL"]}}
"""

# Starts a worker command the way ``meldpunt`` starts its own long-running verbs.
BOOT = (
    "import sys, django; django.setup(); "
    "from meldpunt.processes import process_start; process_start(); "
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['django', *sys.argv[1:]])"
)
ALIAS = {"db": "default", "redis": "redis", "rq": "rq"}
APPS = {"db": "", "redis": "django_tasks_redis", "rq": "django_rq"}
# The database worker's fast bounds for part d (tests use the same, workers/testing.py).
FAST_RECOVERY = {
    "MELDPUNT_WORKER_HEARTBEAT_SECONDS": "0.5",
    "MELDPUNT_WORKER_DEAD_SECONDS": "3",
    "MELDPUNT_WORKER_RECOVERY_SECONDS": "1",
}


@dataclass
class Run:
    """What one invocation shares: folders, environment, options, the results."""

    folder: Path
    options: argparse.Namespace
    env: dict[str, str]
    results: dict[str, dict[str, object]] = field(default_factory=dict)
    sink_count: int = 0

    def sink(self) -> Path:
        self.sink_count += 1
        return self.folder / f"sink-{self.sink_count}.txt"


# ----------------------------------------------------------------------------- set-up


def _environment(folder: Path, options: argparse.Namespace, backends: list[str]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("MELDPUNT_")}
    env.update(
        DATABASE_URL=options.database_url,
        DJANGO_SETTINGS_MODULE="queue_bench_settings",
        PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]),
        PYTHONUNBUFFERED="1",
        MELDPUNT_DATA_DIR=str(folder / "data"),
        MELDPUNT_KDF_OPSLIMIT="1",
        MELDPUNT_KDF_MEMLIMIT=str(8 * 1024),
        MELDPUNT_WORKER_KEY_IN_DATA_DIR="1",
        MELDPUNT_ALLOWED_HOSTS="testserver",
        QUEUE_BENCH_APPS=" ".join(APPS[backend] for backend in backends if APPS[backend]),
        QUEUE_BENCH_REDIS_URL=options.redis_url,
        QUEUE_BENCH_RQ_URL=options.rq_url,
        QUEUE_BENCH_CLAIM_TIMEOUT=str(options.claim_timeout),
        QUEUE_BENCH_SINK=str(folder / "sink-0.txt"),
    )
    return env


def _postgres(url: str, statement: str) -> None:
    from _setup import postgres_server_execute

    postgres_server_execute(url, statement)


def _redis_clients(run: Run, backends: list[str]) -> list:
    """Clients for the Redis databases under test (none when only the database queue is)."""
    urls = [run.options.redis_url] * ("redis" in backends) + [run.options.rq_url] * (
        "rq" in backends
    )
    if not urls:
        return []
    import redis

    return [redis.Redis.from_url(url) for url in urls]


def _queues_clear(run: Run, backends: list[str]) -> None:
    """Empty every queue under test, between the parts."""
    from django_tasks_db.models import DBTaskResult

    from meldpunt.workers.models import WorkerHeartbeat

    DBTaskResult.objects.all().delete()
    WorkerHeartbeat.objects.all().delete()
    for client in _redis_clients(run, backends):
        client.flushdb()


# ----------------------------------------------------------------------------- workers


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL to the whole process group: the worker and any child it forked."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def _worker_start(
    run: Run,
    backend: str,
    name: str,
    sink: Path,
    *,
    interval: float = 1.0,
    fast_recovery: bool = False,
) -> Worker:
    """A worker process as production runs it; ``fast_recovery``: part d's short bounds."""
    env = {"QUEUE_BENCH_SINK": str(sink)}
    if backend == "db":
        # As deploy/systemd/meldpunt-worker@.service runs it (interval: db_worker's 1 s).
        arguments = ["-m", "meldpunt.cli", "worker", "--worker-id", name, "--no-reload"]
        arguments += ["--interval", str(interval), "--no-startup-delay"]
        if fast_recovery:
            env.update(FAST_RECOVERY)
    elif backend == "redis":
        arguments = ["-c", BOOT, "run_redis_tasks", "--backend", "redis", "--continuous"]
        if fast_recovery:
            arguments += ["--claim-interval", "1"]
            env["QUEUE_BENCH_CLAIM_TIMEOUT"] = str(run.options.claim_timeout)
    else:
        # django-tasks-rq's README: its own Job class; RQ forks a process per task.
        arguments = ["-c", BOOT, "rqworker", "default", "--name", name]
        arguments += ["--job-class", "django_tasks_rq.Job"]
    log = run.folder / f"{name}.log"
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [sys.executable, *arguments],
            cwd=run.folder,
            env={**run.env, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process=process, log=log)


def _sink_lines(sink: Path) -> list[list[str]]:
    if not sink.exists():
        return []
    return [line.split() for line in sink.read_text().splitlines() if line.strip()]


def _wait_for(sink: Path, kind: str, count: int, seconds: float, workers: list[Worker]) -> float:
    """Wait until ``count`` lines of ``kind`` are in the sink; the moment, or raise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sum(1 for line in _sink_lines(sink) if line[0] == kind) >= count:
            return time.time()
        for worker in workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"a worker exited; see {worker.log}")
        time.sleep(0.02)
    raise TimeoutError(f"{count} × {kind} not run within {seconds} s (sink {sink})")


def _runner(line: list[str], workers: list[Worker]) -> Worker | None:
    """The worker that ran a sink line: itself, or its parent (RQ forks a process per task)."""
    for worker in workers:
        if worker.process.pid in (int(line[4]), int(line[5])):
            return worker
    return None


def _workers_ready(run: Run, backend: str, workers: list[Worker], sink: Path) -> None:
    """Every worker has started and run a task: start-up stays outside the measures."""
    from queue_bench_tasks import noop

    task = noop.using(backend=ALIAS[backend])
    enqueued = 0
    deadline = time.monotonic() + 180
    while True:
        warm = [line for line in _sink_lines(sink) if line[0] == "warm"]
        if {id(_runner(line, workers)) for line in warm} >= {id(w) for w in workers}:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"workers not ready; see {run.folder}")
        for worker in workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"a worker exited; see {worker.log}")
        if enqueued - len(warm) < 2 * len(workers):
            task.enqueue("warm", enqueued, time.time())
            enqueued += 1
        time.sleep(0.05)
    _wait_for(sink, "warm", enqueued, 60, workers)
    time.sleep(1)


# ----------------------------------------------------------------------------- the parts


def part_enqueue(run: Run, backend: str) -> dict[str, object]:
    """(a) One enqueue inside the transaction that writes a report row."""
    from django.db import connection, transaction
    from queue_bench_tasks import noop

    from meldpunt.privacy.hours import hour_floor

    task = noop.using(backend=ALIAS[backend])
    row = ["x" * 200]

    def one(enqueue: bool) -> tuple[float, float]:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO queue_bench_report (body) VALUES (%s)", row)
            before = time.perf_counter()
            if enqueue:
                task.enqueue("a", 0, 0.0)
            after = time.perf_counter()
        return after - before, time.perf_counter() - started

    for _ in range(30):
        one(True)
        one(False)
    enqueue_times, with_task, without_task = [], [], []
    for _ in range(run.options.enqueues):
        enqueue_seconds, whole = one(True)
        enqueue_times.append(enqueue_seconds)
        with_task.append(whole)
        without_task.append(one(False)[1])

    class Rollback(Exception):
        pass

    result = None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO queue_bench_report (body) VALUES (%s)", row)
            result = task.enqueue("rolled-back", 0, 0.0)
            raise Rollback
    except Rollback:
        pass
    try:
        task.get_result(result.id)
        survives = True
    except _missing():
        survives = False
    kept = task.enqueue("a", 0, 0.0)
    stored = task.get_result(kept.id).enqueued_at
    return {
        "enqueue_us_median": statistics.median(enqueue_times) * 1e6,
        "enqueue_us_mean": statistics.fmean(enqueue_times) * 1e6,
        "transaction_ms_with": statistics.fmean(with_task) * 1e3,
        "transaction_ms_without": statistics.fmean(without_task) * 1e3,
        "atomic": not survives,
        "time_kept": "hour" if stored == hour_floor(stored) else "exact",
    }


def _missing() -> tuple[type[Exception], ...]:
    """The "no such task" of Django, and of the django-tasks backport that RQ's backend uses."""
    from django.tasks.exceptions import TaskResultDoesNotExist

    try:
        from django_tasks.exceptions import TaskResultDoesNotExist as BackportDoesNotExist
    except ImportError:
        return (TaskResultDoesNotExist,)
    return (TaskResultDoesNotExist, BackportDoesNotExist)


def part_throughput(run: Run, backend: str, worker_count: int) -> dict[str, object]:
    """(b) No-op tasks, ``--tasks`` of them, ``worker_count`` workers already running."""
    from django.db import transaction
    from queue_bench_tasks import noop

    sink = run.sink()
    name = f"{backend}-t{worker_count}"
    workers = [_worker_start(run, backend, f"{name}-{i}", sink) for i in range(worker_count)]
    try:
        _workers_ready(run, backend, workers, sink)
        task = noop.using(backend=ALIAS[backend])
        started = time.time()
        # The database queue gets them in one transaction, as a batch of file jobs
        # would; a Redis queue has no transaction with the database to join.
        with transaction.atomic():
            for number in range(run.options.tasks):
                task.enqueue("t", number, 0.0)
        enqueued = time.time()
        finished = _wait_for(sink, "t", run.options.tasks, run.options.timeout, workers)
    finally:
        for worker in workers:
            worker.stop()
    numbers = [line[1] for line in _sink_lines(sink) if line[0] == "t"]
    return {
        "tasks_per_s": run.options.tasks / (finished - started),
        "enqueue_s": enqueued - started,
        "total_s": finished - started,
        "ran": len(numbers),
        "duplicates": len(numbers) - len(set(numbers)),
        "processes": len({line[4] for line in _sink_lines(sink) if line[0] == "t"}),
    }


def part_latency(run: Run, backend: str, interval: float = 1.0) -> dict[str, object]:
    """(c) Enqueue → start at ``--rate`` per second, one worker, each enqueue its own commit."""
    from queue_bench_tasks import noop

    sink = run.sink()
    worker = _worker_start(run, backend, f"{backend}-latency", sink, interval=interval)
    rng = random.Random(17)  # noqa: S311 - arrival times, not secrets
    count = int(run.options.rate * run.options.seconds)
    try:
        _workers_ready(run, backend, [worker], sink)
        task = noop.using(backend=ALIAS[backend])
        moment = time.monotonic()
        for number in range(count):
            moment += rng.expovariate(run.options.rate)
            pause = moment - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            task.enqueue("l", number, time.time())
        _wait_for(sink, "l", count, run.options.timeout, [worker])
    finally:
        worker.stop()
    latencies = sorted(
        float(line[3]) - float(line[2]) for line in _sink_lines(sink) if line[0] == "l"
    )
    return {
        "count": len(latencies),
        "p50_ms": _percentile(latencies, 50) * 1e3,
        "p99_ms": _percentile(latencies, 99) * 1e3,
        "max_ms": latencies[-1] * 1e3,
    }


def part_kill(run: Run, backend: str) -> dict[str, object]:
    """(d) The worker running a long task dies with its machine; another worker runs."""
    from queue_bench_tasks import long

    sink = run.sink()
    workers = [
        _worker_start(run, backend, f"{backend}-kill-{i}", sink, fast_recovery=True)
        for i in range(2)
    ]
    try:
        _workers_ready(run, backend, workers, sink)
        task = long.using(backend=ALIAS[backend])
        result = task.enqueue(1, time.time(), run.options.long)
        _wait_for(sink, "long-start", 1, 60, workers)
        line = next(line for line in _sink_lines(sink) if line[0] == "long-start")
        victim = _runner(line, workers)
        time.sleep(1)
        killed = time.time()
        victim.kill()
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(line[4]), signal.SIGKILL)  # RQ's process for the task, if apart
        deadline = time.monotonic() + run.options.kill_wait
        while time.monotonic() < deadline:
            if any(line[0] == "long-end" for line in _sink_lines(sink)):
                time.sleep(min(3.0, run.options.long))  # a duplicate run would show now
                break
            time.sleep(0.1)
        lines = _sink_lines(sink)
        starts = [float(line[3]) for line in lines if line[0] == "long-start"]
        ends = [float(line[3]) for line in lines if line[0] == "long-end"]
        return {
            "runs_started": len(starts),
            "runs_finished": len(ends),
            "rerun_after_s": (starts[1] - killed) if len(starts) > 1 else None,
            "finished_after_s": (ends[0] - killed) if ends else None,
            "status": str(task.get_result(result.id).status),
            "survivor_alive": all(w.process.poll() is None for w in workers if w is not victim),
        }
    finally:
        for worker in workers:
            worker.stop()


def _percentile(values: list[float], percent: float) -> float:
    index = max(0, min(len(values) - 1, round(percent / 100 * len(values) + 0.5) - 1))
    return values[index]


# ----------------------------------------------------------------------------- report


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return f"{value / base:.2f}×"


def _table(title: str, rows: list[tuple[str, str, float | None, float | None]]) -> None:
    print(f"\n{title}")
    print(f"  {'backend':<22}{'figure':<34}{'value':>12}{'vs db':>10}")
    for backend, label, value, base in rows:
        shown = "—" if value is None else f"{value:,.1f}"
        print(f"  {backend:<22}{label:<34}{shown:>12}{_ratio(value, base):>10}")


def report(run: Run, backends: list[str]) -> None:
    results = run.results
    base = results["db"]
    rows = []
    for backend in backends:
        got = results[backend]["a"]
        for key, label in (
            ("enqueue_us_median", "enqueue µs (median)"),
            ("enqueue_us_mean", "enqueue µs (mean)"),
            ("transaction_ms_with", "transaction ms (mean), with task"),
            ("transaction_ms_without", "transaction ms (mean), no task"),
        ):
            rows.append((backend, label, got[key], base["a"][key]))
    _table(f"(a) enqueue inside the report's transaction, {run.options.enqueues} times", rows)
    for backend in backends:
        got = results[backend]["a"]
        print(
            f"  {backend:<22}rolled-back report takes its task with it: "
            f"{'yes' if got['atomic'] else 'NO (task stays queued)'}; "
            f"times stored: {got['time_kept']}"
        )
    rows = []
    for backend in backends:
        for count in (1, 2):
            got = results[backend][f"b{count}"]
            rows.append(
                (
                    backend,
                    f"no-op tasks/s, {count} worker(s)",
                    got["tasks_per_s"],
                    base[f"b{count}"]["tasks_per_s"],
                )
            )
    _table(f"(b) throughput, {run.options.tasks} no-op tasks queued at once", rows)
    for backend in backends:
        for count in (1, 2):
            got = results[backend][f"b{count}"]
            print(
                f"  {backend:<22}{count} worker(s): {got['ran']} ran, {got['duplicates']} twice, "
                f"in {got['processes']} process(es), enqueueing took {got['enqueue_s']:.2f} s "
                f"of {got['total_s']:.2f} s"
            )
    rows = []
    for key, got in results.items():
        for name, measured in got.items():
            if not name.startswith("c"):
                continue
            label = key + (" (--interval 0.1)" if name == "c-fast" else "")
            for figure in ("p50_ms", "p99_ms", "max_ms"):
                rows.append(
                    (label, f"enqueue→start {figure[:-3]} ms", measured[figure], base["c"][figure])
                )
    _table(
        f"(c) latency, one worker, {run.options.rate}/s Poisson for {run.options.seconds} s", rows
    )
    print(
        "\n(d) a worker killed (SIGKILL to its process group) 1 s into a "
        f"{run.options.long} s task, another worker running, waited {run.options.kill_wait} s"
    )
    for backend in backends:
        got = results[backend]["d"]
        rerun = got["rerun_after_s"]
        finished = got["finished_after_s"]
        print(
            f"  {backend:<22}runs started {got['runs_started']}, finished {got['runs_finished']}; "
            f"run again after {'—' if rerun is None else f'{rerun:.1f} s'}, "
            f"done after {'—' if finished is None else f'{finished:.1f} s'} "
            f"({_ratio(finished, base['d']['finished_after_s'])} db); status {got['status']}; "
            f"other worker alive: {got['survivor_alive']}"
        )


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--rq-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--enqueues", type=int, default=300, help="part a: transactions")
    parser.add_argument("--tasks", type=int, default=500, help="part b: no-op tasks")
    parser.add_argument("--rate", type=float, default=10.0, help="part c: tasks per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="part c: duration")
    parser.add_argument("--long", type=float, default=5.0, help="part d: the long task, s")
    parser.add_argument("--claim-timeout", type=float, default=8.0, help="part d: redis")
    parser.add_argument("--kill-wait", type=float, default=60.0, help="part d: wait for a rerun")
    parser.add_argument("--timeout", type=float, default=300.0, help="for any one wait")
    parser.add_argument("--keep", action="store_true", help="keep database and folder")
    options = parser.parse_args()
    backends = [name.strip() for name in options.backends.split(",") if name.strip()]
    if "db" not in backends or set(backends) - set(BACKENDS):
        parser.error(f"--backends: some of {', '.join(BACKENDS)}, db always among them")

    folder = Path(tempfile.mkdtemp(prefix="meldpunt-queue-"))
    (folder / "queue_bench_tasks.py").write_text(TASKS_MODULE)
    (folder / "queue_bench_settings.py").write_text(SETTINGS_MODULE)
    run = Run(folder=folder, options=options, env=_environment(folder, options, backends))
    print(f"uptime: {_uptime()}")
    print(f"folder: {folder}; database: {options.database_url}")
    os.environ.update(run.env)
    sys.path[:0] = [str(folder), str(ROOT)]

    for client in _redis_clients(run, backends):
        if client.dbsize():
            sys.exit(f"Redis database {client.connection_pool.connection_kwargs} is not empty.")
    _postgres(options.database_url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres(options.database_url, 'CREATE DATABASE "{name}"')
    ok = False
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE queue_bench_report (id bigserial PRIMARY KEY, body text)")
        _versions(run, backends)
        for backend in backends:
            results = run.results.setdefault(backend, {})
            print(f"\n== {backend}", flush=True)
            _queues_clear(run, backends)
            results["a"] = part_enqueue(run, backend)
            print(f"  a: {results['a']}", flush=True)
            for count in (1, 2):
                _queues_clear(run, backends)
                results[f"b{count}"] = part_throughput(run, backend, count)
                print(f"  b{count}: {results[f'b{count}']}", flush=True)
            _queues_clear(run, backends)
            results["c"] = part_latency(run, backend)
            print(f"  c: {results['c']}", flush=True)
            if backend == "db":
                _queues_clear(run, backends)
                results["c-fast"] = part_latency(run, backend, interval=0.1)
                print(f"  c (interval 0.1 s): {results['c-fast']}", flush=True)
            _queues_clear(run, backends)
            results["d"] = part_kill(run, backend)
            print(f"  d: {results['d']}", flush=True)
        report(run, backends)
        print(f"\nuptime: {_uptime()}")
        ok = True
    finally:
        if not options.keep:
            from django.db import connections

            connections.close_all()
            for client in _redis_clients(run, backends):
                client.flushdb()
            _postgres(options.database_url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if ok:
                shutil.rmtree(folder, ignore_errors=True)


def _uptime() -> str:
    """``uptime`` in UTC (Django has set TZ to the project's zone by then)."""
    found = subprocess.run(  # noqa: S603, S607 - a fixed command
        ["uptime"], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}, check=False
    )
    return found.stdout.strip()


def _versions(run: Run, backends: list[str]) -> None:
    from importlib.metadata import version

    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        found = [f"PostgreSQL {cursor.fetchone()[0]}", f"psycopg {psycopg.__version__}"]
    clients = _redis_clients(run, backends)
    if clients:
        found.append(f"Redis server {clients[0].info('server')['redis_version']}")
    names = ["django", "django-tasks-db"]
    if "redis" in backends:
        names += ["django-tasks-redis", "redis"]
    if "rq" in backends:
        names += ["django-tasks-rq", "django-tasks", "django-rq", "rq", "redis"]
    found += [f"{name} {version(name)}" for name in dict.fromkeys(names)]
    print(", ".join(found))


if __name__ == "__main__":
    main()
