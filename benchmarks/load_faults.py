"""Load and faults: a production-like installation under mixed traffic while things break.

    .venv/bin/python benchmarks/load_faults.py [--seconds 600] [--clients 8] [--rate 0]
        [--faults web,worker,disk,db] [--database-url postgres://…]
        [--db-down-seconds 3] [--store-retry-seconds 20]

The installation is the one docs/operations.md describes for several machines:
PostgreSQL, two web processes (waitress) and two workers, each with a data
directory of its own, sharing the database, the blob folder
(MELDPUNT_BLOB_DIR) and the exported secrets (MELDPUNT_SECRETS_DIR). Without
``--database-url`` the script starts a throwaway PostgreSQL cluster of its own
(initdb into a temporary folder, as the ``postgres`` user when run as root, on a
free port, made while Django starts), so that it may restart it; the machine's
shared server is never touched. As root the blob folder is a small tmpfs of its
own, so that it can be filled.

``--clients`` threads each run a reproducible (seeded) mix: reports through the
API (with a JPEG) and through the no-JavaScript form (with a JPEG, review, send),
mailbox log-ins with earlier receipts, a signed-in staff member's queue and
report pages (password + TOTP), a partner's inbox and hash-check API batches.
Requests go round robin to the two web processes; a refused connection is tried
once on the other, as nginx's ``proxy_next_upstream error`` does. ``--rate`` is
the total of requests per second to aim at (0: as fast as the clients can).

Faults, in this order at fixed fractions of the run: ``web`` (kill -9 of a web
process, restarted), ``worker`` (kill -9 of a worker, restarted), ``disk`` (the
blob tmpfs filled to the last byte for a tenth of the run, then freed), ``db``
(PostgreSQL stopped for ``--db-down-seconds``, then started). A process that
exits on its own is restarted as systemd would (Restart=on-failure) and counted.

Afterwards every acknowledged report (201, or the receipt page) must be present
once and readable: its text decrypted with a staff key, its file read from the
blob store, its mailbox opened with the receipt. Every file job must have run
once (one preview per file, no job left or failed, none that the workers' sweep
had to queue again for want of a task). Errors are counted by kind;
during a fault only the fault's own refusals are expected (a lost or refused
connection to the killed web process, 503 with Retry-After while the blob store
is full or the database is down); a 500 is always a failure.

The last line printed is a JSON object with the figures (``phases_s``: the wall
seconds of each step, set-up included; ``phases_cpu_s``: this process's CPU in
them); the exit status is 1 when an invariant does not hold.
tests/test_load_faults.py runs a short form in the suite.
"""

import argparse
import contextlib
import http.client
import http.cookiejar
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
REPOSITORY = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT = 60
# How long the clients may go on past a short run until a report is acknowledged.
SETTLE_SECONDS = 90.0
START_TIMEOUT = 120
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
TEXT_INPUT = re.compile(r'<input type="text" name="(name-\d+)" value="([^"]*)"')
RECEIPT = re.compile(r'id="receipt">([^<]+)<')
REPORT_LINK = re.compile(r'href="/staff/cases/reports/(\d+)/"')
# Seconds after a fault ends in which its refusals still count as its own
# (a request that started during the fault, clients told to retry).
GRACE_SECONDS = 5.0
WEIGHTS = {
    "api_report": 3,
    "form_report": 2,
    "mailbox": 3,
    "staff": 3,
    "partner": 1,
    "hash_check": 3,
}


# The installation ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serving(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a folder of its own, to restart at will.

    It is made (initdb, start, the database) in a thread of its own while the
    caller sets up Django; ``wait`` until it is there.
    """

    def __init__(self, folder: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not versions:
            raise SystemExit("no PostgreSQL server binaries in /usr/lib/postgresql")
        self.bin = versions[-1].parent
        self.data = folder / "pgdata"
        self.sockets = folder / "pgsockets"
        self.port = _free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        for path in (self.data, self.sockets):
            path.mkdir()
            if self.as_owner:
                shutil.chown(path, "postgres", "postgres")
        self._failure: BaseException | None = None
        self._making = threading.Thread(target=self._make, daemon=True)
        self._making.start()

    def _make(self) -> None:
        try:
            # -N: initdb does not fsync its files (a throwaway cluster; the server
            # itself syncs as in production).
            self._run(
                "initdb", "-N", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
            )
            self.start()
            import psycopg

            with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
                connection.execute("CREATE DATABASE meldpunt")
        except BaseException as error:  # noqa: BLE001 - handed to wait()
            self._failure = error

    def wait(self) -> None:
        self._making.join()
        if self._failure is not None:
            raise SystemExit(f"the PostgreSQL cluster was not made: {self._failure}")

    def _run(self, program: str, *arguments: str) -> None:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs
            [*self.as_owner, str(self.bin / program), *arguments],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise SystemExit(f"{program} failed:\n{done.stdout}\n{done.stderr}")

    def url(self, name: str = "meldpunt") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@dataclass
class Machine:
    """One web or worker process, restarted after a kill as its supervisor would."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen | None = None
    starts: int = 0
    unexpected_exits: int = 0
    restart_seconds: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process without waiting for it (several start side by side)."""
        self._began = time.monotonic()
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own console scripts
                self.command, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        self.starts += 1

    def wait_ready(self) -> None:
        """Until a web process serves (a worker counts as started once running)."""
        if self.port is not None:
            deadline = time.monotonic() + START_TIMEOUT
            while not _serving(self.port):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{self.name} did not start:\n{self.tail()}")
                time.sleep(0.1)
        self.restart_seconds.append(round(time.monotonic() - self._began, 2))

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up (the OOM killer, a power cut)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


class Installation:
    """Database, shared blob folder and secrets, two web processes and two workers."""

    def __init__(self, root: Path, database_url: str | None, blob_mib: int) -> None:
        self.root = root
        self.cluster = None if database_url else PostgresCluster(root)
        self.database_url = database_url or self.cluster.url()
        self.blobs = root / "blobs"
        self.blobs.mkdir()
        self.tmpfs = False
        if os.geteuid() == 0:
            mounted = subprocess.run(  # noqa: S603, S607 - a fixed command
                ["mount", "-t", "tmpfs", "-o", f"size={blob_mib}m,mode=0700", "tmpfs", self.blobs],
                capture_output=True,
                text=True,
            )
            self.tmpfs = mounted.returncode == 0
        self.machines: list[Machine] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._paused: set[str] = set()
        self.store_retry_seconds = 20.0

    def env(self, name: str, **more: str) -> dict[str, str]:
        """An operator's environment for one machine: none of the caller's MELDPUNT_ settings."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("MELDPUNT_")
            # PGOPTIONS: the suite's unflushed commits (meldpunt.testenv) are no operator's.
            and key
            not in {
                "DATABASE_URL",
                "DJANGO_SETTINGS_MODULE",
                "DJANGO_ALLOW_ASYNC_UNSAFE",
                "PGOPTIONS",
            }
        }
        env.update(
            DATABASE_URL=self.database_url,
            MELDPUNT_DATA_DIR=str(self.root / name),
            MELDPUNT_BLOB_DIR=str(self.blobs),
            MELDPUNT_TASK_BACKEND="django_tasks_db.DatabaseBackend",
            MELDPUNT_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
            PYTHONUNBUFFERED="1",
            **KDF,
            **more,
        )
        return env

    def launch(self, secrets_dir: Path, worker_key: Path) -> None:
        """Start the four processes side by side (each spends seconds importing Django)."""
        shared = {"MELDPUNT_SECRETS_DIR": str(secrets_dir)}
        for number in (1, 2):
            port = _free_port()
            self.machines.append(
                Machine(
                    name=f"web{number}",
                    command=[
                        str(BIN / "waitress-serve"),
                        f"--listen=127.0.0.1:{port}",
                        "meldpunt.wsgi:application",
                    ],
                    env=self.env(f"web{number}", **shared),
                    log=self.root / f"web{number}.log",
                    port=port,
                )
            )
        for number in (1, 2):
            self.machines.append(
                Machine(
                    name=f"worker{number}",
                    command=[
                        str(BIN / "meldpunt"),
                        "worker",
                        "--interval",
                        "0.2",
                        "--no-startup-delay",
                        "--no-reload",
                        "--worker-id",
                        f"w{number}",
                    ],
                    env=self.env(
                        f"worker{number}",
                        **shared,
                        MELDPUNT_WORKER_KEY_FILE=str(worker_key),
                        # A killed worker's job is taken over within seconds.
                        MELDPUNT_WORKER_HEARTBEAT_SECONDS="0.5",
                        MELDPUNT_WORKER_DEAD_SECONDS="3",
                        MELDPUNT_WORKER_RECOVERY_SECONDS="1",
                        MELDPUNT_STORE_RETRY_SECONDS=str(self.store_retry_seconds),
                    ),
                    log=self.root / f"worker{number}.log",
                )
            )
        for machine in self.machines:
            machine.launch()

    def wait_ready(self) -> None:
        """Until both web processes serve; from then on exited processes are restarted."""
        for machine in self.machines:
            machine.wait_ready()
        threading.Thread(target=self._supervise, daemon=True).start()

    def machine(self, name: str) -> Machine:
        return next(m for m in self.machines if m.name == name)

    @property
    def web_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{m.port}" for m in self.machines if m.port]

    def kill_and_restart(self, name: str) -> float:
        """kill -9, then start again at once; the seconds until it serves (web) or runs."""
        machine = self.machine(name)
        with self._lock:
            self._paused.add(name)
        try:
            machine.kill()
            machine.start()
        finally:
            with self._lock:
                self._paused.discard(name)
        return machine.restart_seconds[-1]

    def _supervise(self) -> None:
        """Restart a process that exited on its own (systemd's Restart=on-failure)."""
        while not self._stopping.wait(0.5):
            for machine in self.machines:
                with self._lock:
                    if machine.name in self._paused:
                        continue
                    if machine.process.poll() is not None:
                        machine.unexpected_exits += 1
                        print(f"{machine.name} exited on its own:\n{machine.tail()}", flush=True)
                        with contextlib.suppress(SystemExit):
                            machine.start()

    def close(self) -> None:
        self._stopping.set()
        for machine in self.machines:
            machine.stop()
        if self.cluster:
            with contextlib.suppress(SystemExit):
                self.cluster.stop("immediate")
        if self.tmpfs:
            subprocess.run(["umount", "-l", str(self.blobs)], check=False)  # noqa: S603, S607


# The suite's cheap key derivation: this measures the installation, not Argon2id
# (benchmarks/attack_intake.py measures reporters under the production cost).
KDF = {"MELDPUNT_KDF_OPSLIMIT": "1", "MELDPUNT_KDF_MEMLIMIT": str(8 * 1024)}


def django_start(installation: Installation) -> None:
    """Django in this process as the first machine: to set up, and to check afterwards."""
    for name in [
        name for name in os.environ if name.startswith("MELDPUNT_") or name == "PGOPTIONS"
    ]:
        del os.environ[name]
    os.environ.update(installation.env("first"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "meldpunt.settings"
    sys.path.insert(0, str(REPOSITORY))
    import django

    django.setup()


@dataclass
class Seed:
    line: str
    category: str
    staff: list[str]
    partners: list[str]
    hash_token: str
    known_hashes: list[str]


def share(installation: Installation) -> tuple[Path, Path]:
    """What the operator does after migrating, before starting the machines.

    The worker key moved out, the shared files exported for every machine, the
    periodic tasks scheduled; returns the secrets folder and the worker key.
    """
    from django.core.management import call_command
    from django.db import connections

    worker_key = installation.root / "worker.key"
    call_command("worker_key", "move", "--out", str(worker_key))
    secrets_dir = installation.root / "secrets"
    call_command("secrets", "export", str(secrets_dir))
    call_command("schedule")
    connections.close_all()
    return secrets_dir, worker_key


def seed(installation: Installation, clients: int) -> Seed:
    """What the operator sets up while the machines start: a category, accounts, a hash client."""
    from meldpunt.hashes.clients import check_client_create
    from meldpunt.hashes.models import Algorithm
    from meldpunt.hashes.services import hash_list_create, hash_list_import
    from meldpunt.network.models import PartnerMembership
    from meldpunt.network.tests.factories import make_partner
    from meldpunt.testing import make_category, make_staff

    category = make_category()
    staff = [make_staff(lines=[category.line]).username for _ in range(clients)]
    partner = make_partner(lines=[category.line], members=clients)
    partners = list(
        PartnerMembership.objects.filter(partner=partner).values_list("user__username", flat=True)
    )
    known = [secrets.token_hex(32) for _ in range(200)]
    hash_file = installation.root / "known.txt"
    hash_file.write_text("\n".join(known) + "\n")
    hash_list = hash_list_create(name="load", public_label="load test")
    hash_list_import(hash_list=hash_list, path=hash_file, algorithm=Algorithm.SHA256)
    issued = check_client_create(name="load", hash_lists=[hash_list], daily_quota=2_000_000_000)
    from django.db import connections

    connections.close_all()
    return Seed(
        line=category.line.slug,
        category=category.slug,
        staff=staff,
        partners=partners,
        hash_token=issued.token,
        known_hashes=known,
    )


def totp_for(username: str) -> tuple[str, float]:
    """The current code of a staff member's device, read by this process (the phone).

    A code is taken once (django-otp keeps the last step used): when a sign-in
    broke off after its code was taken (the database stopped, the web process
    killed), the person waits for the next code, as with a phone. Then the code
    is "" and the seconds to wait are given.
    """
    from django.db import connection
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    finally:
        connection.close()  # no connection of a client thread outlives a database restart
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    if totp.t() <= device.last_t:
        return "", device.t0 + (device.last_t + 1 - device.drift) * device.step - int(now) + 0.1
    return f"{totp.token():0{device.digits}d}", 0.0


# Clients ------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    began: float
    ended: float
    result: str  # "ok", an HTTP status, "refused", "lost" or "timeout"
    web: int


class Refused(Exception):
    """Both web processes refused the connection."""


def _jpeg(rng: random.Random) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    pixels = bytes(rng.getrandbits(8) for _ in range(48 * 48 * 3))
    Image.frombytes("RGB", (48, 48), pixels).save(out, "JPEG")
    return out.getvalue()


def _multipart(fields: dict[str, str], content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="foto.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Browser:
    """Cookies, CSRF and a load balancer in front of the web processes."""

    def __init__(self, urls: list[str], rng: random.Random) -> None:
        self.urls, self.rng = urls, rng
        self.web = rng.randrange(len(urls))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = ""

    def request(
        self, path: str, body: bytes | None = None, content_type: str = "", headers=None
    ) -> tuple[int, str]:
        """One request; a refused connection goes once to the other process."""
        for attempt in range(2):
            base = self.urls[self.web]
            all_headers = dict(headers or {})
            if content_type:
                all_headers["Content-Type"] = content_type
            request = urllib.request.Request(base + path, data=body, headers=all_headers)  # noqa: S310
            try:
                with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode(errors="replace")
            except urllib.error.URLError as error:
                if isinstance(error.reason, ConnectionRefusedError) and attempt == 0:
                    self.web = (self.web + 1) % len(self.urls)
                    continue
                raise
            if match := CSRF_TOKEN.search(text):
                self.csrf = match[1]
            return status, text
        raise Refused

    def next_web(self) -> None:
        self.web = (self.web + 1) % len(self.urls)


class Load:
    """Shared state of the clients: what was acknowledged, and every outcome."""

    def __init__(self, urls: list[str], seeded: Seed, run_id: str) -> None:
        self.urls, self.seed, self.run_id = urls, seeded, run_id
        self.lock = threading.Lock()
        self.outcomes: list[Outcome] = []
        self.acknowledged: list[tuple[str, str, str]] = []  # receipt, text, kind
        self.totp_lock = threading.Lock()

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def receipts(self) -> list[str]:
        with self.lock:
            return [receipt for receipt, _text, _kind in self.acknowledged]


class Client:
    def __init__(self, load: Load, number: int, seed_value: int) -> None:
        self.load, self.number = load, number
        self.rng = random.Random(seed_value * 1000 + number)
        self.files = [_jpeg(self.rng) for _ in range(4)]
        self.count = 0

    def _text(self, kind: str) -> str:
        self.count += 1
        return f"load {self.load.run_id} {kind} {self.number}-{self.count}"

    def act(self) -> None:
        kinds = list(WEIGHTS)
        kind = self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        if kind == "mailbox" and not self.load.receipts():
            kind = "api_report"
        browser_web = None
        began = time.monotonic()
        try:
            ok, browser_web = getattr(self, kind)()
            result = "ok" if ok is True else str(ok)
        except Refused:
            result = "refused"
        except urllib.error.URLError as error:
            reason = error.reason
            result = "timeout" if isinstance(reason, TimeoutError) else "lost"
        except (ConnectionError, http.client.HTTPException):
            result = "lost"
        except TimeoutError:
            result = "timeout"
        except Exception as error:  # noqa: BLE001 - the client's own trouble, counted by name
            result = f"client_{type(error).__name__}"
        self.load.record(
            Outcome(
                kind, began, time.monotonic(), result, -1 if browser_web is None else browser_web
            )
        )

    # Each action returns (True or the status that was not right, the web process used).

    def api_report(self):
        browser = Browser(self.load.urls, self.rng)
        text = self._text("api")
        body, content_type = _multipart({"what": text}, self.rng.choice(self.files))
        path = f"/api/v1/lines/{self.load.seed.line}/categories/{self.load.seed.category}/reports"
        status, answer = browser.request(path, body, content_type)
        if status != 201:
            return status, browser.web
        with self.load.lock:
            self.load.acknowledged.append((json.loads(answer)["receipt"], text, "api_report"))
        return True, browser.web

    def form_report(self):
        browser = Browser(self.load.urls, self.rng)
        path = f"/report/{self.load.seed.line}/{self.load.seed.category}/"
        status, _page = browser.request(path)
        if status != 200:
            return status, browser.web
        text = self._text("form")
        body, content_type = _multipart(
            {"csrfmiddlewaretoken": browser.csrf, "what": text}, self.rng.choice(self.files)
        )
        status, review = browser.request(path, body, content_type)
        if status != 200 or 'name="token"' not in review:
            return status if status != 200 else "no_review", browser.web
        send = review[review.index(f'action="{path}send/"') :]
        fields = dict(HIDDEN.findall(send))
        fields.update(TEXT_INPUT.findall(send))
        fields["csrfmiddlewaretoken"] = browser.csrf
        status, page = browser.request(
            path + "send/",
            urllib.parse.urlencode(fields).encode(),
            "application/x-www-form-urlencoded",
        )
        match = RECEIPT.search(page)
        if status != 200 or not match:
            return status if status != 200 else "no_receipt", browser.web
        with self.load.lock:
            self.load.acknowledged.append((match[1].strip(), text, "form_report"))
        return True, browser.web

    def mailbox(self):
        browser = Browser(self.load.urls, self.rng)
        receipt = self.rng.choice(self.load.receipts())
        status, _page = browser.request("/mailbox/")
        if status != 200:
            return status, browser.web
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": browser.csrf, "receipt": receipt})
        status, page = browser.request(
            "/mailbox/", body.encode(), "application/x-www-form-urlencoded"
        )
        if status != 200 or 'action="/mailbox/close/"' not in page:
            return status if status != 200 else "not_in", browser.web
        return True, browser.web

    def _signed_in(self, username: str) -> tuple[Browser | None, int | str]:
        """Password, then the current TOTP code: a session, or None and what went wrong."""
        browser = Browser(self.load.urls, self.rng)
        status, _page = browser.request("/staff/sign-in/")
        if status != 200:
            return None, status
        body = {
            "csrfmiddlewaretoken": browser.csrf,
            "username": username,
            "password": "correct horse battery staple 42",
        }
        form = "application/x-www-form-urlencoded"
        status, _page = browser.request(
            "/staff/sign-in/", urllib.parse.urlencode(body).encode(), form
        )
        if status != 200:
            return None, status
        token = ""
        while not token:
            with self.load.totp_lock:
                token, wait = totp_for(username)
            time.sleep(wait)
        code = {"csrfmiddlewaretoken": browser.csrf, "token": token}
        status, page = browser.request(
            "/staff/sign-in/code/", urllib.parse.urlencode(code).encode(), form
        )
        if status != 200:
            return None, status
        if 'name="token"' in page or 'name="password"' in page:
            return None, "sign_in_refused"
        return browser, 200

    def staff(self):
        if self.staff_browser is None:
            browser, status = self._signed_in(self.load.seed.staff[self.number])
            if browser is None:
                return status, -1
            self.staff_browser = browser
        browser = self.staff_browser
        browser.next_web()
        status, page = browser.request("/staff/cases/")
        if status != 200:
            return status, browser.web
        if 'name="username"' in page:  # signed out
            self.staff_browser = None
            return "signed_out", browser.web
        reports = REPORT_LINK.findall(page)
        if reports and self.rng.random() < 0.5:
            status, page = browser.request(f"/staff/cases/reports/{self.rng.choice(reports)}/")
            if status != 200:
                return status, browser.web
        return True, browser.web

    def partner(self):
        if self.partner_browser is None:
            browser, status = self._signed_in(self.load.seed.partners[self.number])
            if browser is None:
                return status, -1
            self.partner_browser = browser
        browser = self.partner_browser
        browser.next_web()
        status, page = browser.request("/partner/")
        if status != 200 or 'name="username"' in page:
            self.partner_browser = None if status == 200 else browser
            return status if status != 200 else "signed_out", browser.web
        return True, browser.web

    def hash_check(self):
        browser = Browser(self.load.urls, self.rng)
        known = self.load.seed.known_hashes
        items = [
            {
                "algorithm": "sha256",
                "value": self.rng.choice(known) if i % 2 else secrets.token_hex(32),
                "id": f"i{i}",
            }
            for i in range(50)
        ]
        status, answer = browser.request(
            "/api/v1/hashes/check",
            json.dumps({"items": items}).encode(),
            "application/json",
            {"Authorization": f"Bearer {self.load.seed.hash_token}"},
        )
        if status != 200:
            return status, browser.web
        return True, browser.web

    staff_browser: Browser | None = None
    partner_browser: Browser | None = None


def run_clients(load: Load, clients: int, rate: float, seconds: float, seed_value: int) -> None:
    """Load for ``seconds``, and on past them (at most ``SETTLE_SECONDS`` or as long
    again, whichever is longer) until a report is acknowledged: on a loaded machine the
    first reports can take the whole of a short run, its faults included, and a run
    that acknowledged nothing checks nothing. At a load of 12 on two cores a report
    took 9 s, and a 16 s run plus 16 s acknowledged none."""
    stop_at = time.monotonic() + seconds
    give_up_at = stop_at + max(seconds, SETTLE_SECONDS)
    interval = clients / rate if rate > 0 else 0.0

    def going_on() -> bool:
        now = time.monotonic()
        return now < stop_at or (now < give_up_at and not load.receipts())

    def loop(number: int) -> None:
        client = Client(load, number, seed_value)
        next_at = time.monotonic() + (number * interval / clients if interval else 0)
        while going_on():
            if interval:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at = max(next_at + interval, time.monotonic() - interval)
            client.act()

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Faults -------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    began: float = 0.0
    ended: float = 0.0
    details: dict = field(default_factory=dict)


def fill_disk(folder: Path) -> Path:
    """Take every free byte of the file system under ``folder``; the filler's path."""
    filler = folder / "filler"
    # Unbuffered: the full disk fails a write, never the close after it. Buffered, the
    # close flushed what the last write left and raised ENOSPC (seen on CI), so the
    # fault thread died with the disk still full.
    with filler.open("wb", buffering=0) as out:
        stats = os.statvfs(folder)
        with contextlib.suppress(OSError):
            os.posix_fallocate(out.fileno(), 0, stats.f_bavail * stats.f_frsize)
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while out.write(chunk):
                pass
    return filler


def inject_faults(
    installation: Installation, names: list[str], seconds: float, began: float
) -> list[Fault]:
    """The faults at fixed fractions of the run, one after the other."""
    plan = {"web": 0.15, "worker": 0.3, "disk": 0.45, "db": 0.7}
    done = []
    for name in names:
        time.sleep(max(0.0, began + plan[name] * seconds - time.monotonic()))
        fault = Fault(name, began=time.monotonic())
        if name == "web":
            fault.details["restart_s"] = installation.kill_and_restart("web1")
        elif name == "worker":
            fault.details["restart_s"] = installation.kill_and_restart("worker1")
        elif name == "disk":
            filler = fill_disk(installation.blobs)
            try:
                time.sleep(max(2.0, seconds / 10))
            finally:
                filler.unlink()
        elif name == "db":
            down = installation.db_down_seconds
            installation.cluster.stop("fast")
            time.sleep(down)
            installation.cluster.start()
        fault.ended = time.monotonic()
        fault.details["seconds"] = round(fault.ended - fault.began, 1)
        print(f"fault {name}: {fault.details}", flush=True)
        done.append(fault)
    return done


# Checks -------------------------------------------------------------------------


def wait_for_jobs(seconds: float) -> bool:
    from meldpunt.evidence.models import DerivativeJob, EvidenceFile

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (
            not DerivativeJob.objects.exists()
            and not EvidenceFile.objects.exclude(derivative_status="done").exists()
        ):
            return True
        time.sleep(0.2)
    return False


def check_invariants(load: Load, jobs_drained: bool) -> dict:
    """Every acknowledged report present once and readable; every file job run once."""
    from django.db.models import Count
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from meldpunt.evidence.models import DerivativeJob, EvidenceFile, EvidencePreview
    from meldpunt.intake.models import Attachment, Report
    from meldpunt.intake.services import mailbox_open, report_content
    from meldpunt.testing import PASSWORD
    from meldpunt.vault.blobs import blob_read_all
    from meldpunt.vault.keys import data_key_open, staff_key_unlock
    from meldpunt.vault.models import StaffUser

    analyst = StaffUser.objects.get(username=load.seed.staff[0])
    private_key = staff_key_unlock(user=analyst, password=PASSWORD)
    texts: Counter = Counter()
    unreadable_files = 0
    for report in Report.objects.all():
        key = data_key_open(data_key=report.data_key, private_key=private_key, user=analyst)
        texts[report_content(report=report, key_bytes=key)["answers"]["what"]] += 1
        for attachment in Attachment.objects.filter(report=report).select_related("file"):
            try:
                blob_read_all(key=key, name=attachment.file.blob_name)
            except Exception:  # noqa: BLE001 - counted: any failure to read is a finding
                unreadable_files += 1
    missing, no_mailbox, without_file = [], [], []
    for receipt, text, kind in load.acknowledged:
        if texts[text] == 0:
            missing.append(kind)
            continue
        access = mailbox_open(receipt=receipt)
        if access is None:
            no_mailbox.append(kind)
        elif not Attachment.objects.filter(report=access.report).exists():
            without_file.append(kind)
    acknowledged_texts = {text for _receipt, text, _kind in load.acknowledged}
    previews = Counter(
        EvidencePreview.objects.values("evidence")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    tasks = Counter(
        f"{path.rsplit('.', 1)[-1]}:{status}"
        for path, status in DBTaskResult.objects.values_list("task_path", "status")
    )
    return {
        "acknowledged": len(load.acknowledged),
        "reports_stored": sum(texts.values()),
        "acknowledged_missing": len(missing),
        "acknowledged_mailbox_not_opening": len(no_mailbox),
        "acknowledged_without_file": len(without_file),
        "duplicated": sum(1 for n in texts.values() if n > 1),
        "stored_not_acknowledged": sum(
            1 for text in texts if text.startswith("load ") and text not in acknowledged_texts
        ),
        "files": EvidenceFile.objects.count(),
        "files_unreadable": unreadable_files,
        "files_not_done": EvidenceFile.objects.exclude(derivative_status="done").count(),
        "file_statuses": dict(
            Counter(EvidenceFile.objects.values_list("derivative_status", flat=True))
        ),
        "files_with_previews": {str(k): v for k, v in previews.items()},
        "files_without_preview": EvidenceFile.objects.filter(previews__isnull=True).count(),
        "derivative_jobs_left": DerivativeJob.objects.count(),
        "jobs_drained": jobs_drained,
        "tasks": dict(tasks),
        "tasks_failed": sum(n for k, n in tasks.items() if k.endswith(TaskResultStatus.FAILED)),
    }


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))], 3)


def classify(load: Load, faults: list[Fault], web1: int) -> dict:
    """Errors by kind, and which of them a fault explains."""

    def during(outcome: Outcome, name: str) -> bool:
        return any(
            f.name == name and outcome.began <= f.ended + GRACE_SECONDS and outcome.ended >= f.began
            for f in faults
        )

    errors, explained, unexplained = Counter(), Counter(), Counter()
    for outcome in load.outcomes:
        if outcome.result == "ok":
            continue
        key = f"{outcome.kind}:{outcome.result}"
        errors[key] += 1
        if outcome.result in {"lost", "refused", "timeout"} and during(outcome, "web"):
            explained[key] += 1
        elif (outcome.result == "503" or outcome.result.startswith("client_")) and (
            during(outcome, "db")
            or (during(outcome, "disk") and outcome.kind in {"api_report", "form_report"})
        ):
            explained[key] += 1
        else:
            unexplained[key] += 1
    return {
        "errors": dict(errors),
        "errors_explained_by_faults": dict(explained),
        "errors_unexplained": dict(unexplained),
        "server_errors_500": sum(n for k, n in errors.items() if k.endswith(":500")),
    }


def figures_by_kind(load: Load, seconds: float) -> dict:
    by_kind = defaultdict(list)
    for outcome in load.outcomes:
        by_kind[outcome.kind].append(outcome)
    figures = {}
    for kind, outcomes in sorted(by_kind.items()):
        latencies = [o.ended - o.began for o in outcomes if o.result == "ok"]
        figures[kind] = {
            "requests": len(outcomes),
            "ok": len(latencies),
            "per_s": round(len(outcomes) / seconds, 2),
            "p50_s": _percentile(latencies, 0.5),
            "p99_s": _percentile(latencies, 0.99),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rate", type=float, default=0, help="requests/s in all; 0: flat out")
    parser.add_argument("--faults", default="web,worker,disk,db", help="comma-separated, or none")
    parser.add_argument(
        "--database-url", help="an existing, empty PostgreSQL database (no db fault)"
    )
    parser.add_argument("--blob-mib", type=int, default=256)
    parser.add_argument("--db-down-seconds", type=float, default=3)
    parser.add_argument(
        "--store-retry-seconds",
        type=float,
        default=20,
        help="MELDPUNT_STORE_RETRY_SECONDS of the workers (a preview after the full disk)",
    )
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)
    faults = [f for f in options.faults.split(",") if f and f != "none"]
    # Wall seconds of each step, and this process's CPU seconds in it (on a loaded
    # machine the second says more about what a step costs).
    phases: dict[str, float] = {}
    phases_cpu: dict[str, float] = {}
    mark, mark_cpu = time.monotonic(), time.process_time()

    def phase(name: str) -> None:
        nonlocal mark, mark_cpu
        now, now_cpu = time.monotonic(), time.process_time()
        phases[name] = round(now - mark, 1)
        phases_cpu[name] = round(now_cpu - mark_cpu, 1)
        mark, mark_cpu = now, now_cpu

    root = Path(tempfile.mkdtemp(prefix="meldpunt-load-"))
    root.chmod(0o711)  # the postgres user reaches its own folders below it
    installation = Installation(root, options.database_url, options.blob_mib)
    installation.store_retry_seconds = options.store_retry_seconds
    installation.db_down_seconds = options.db_down_seconds
    if "db" in faults and installation.cluster is None:
        raise SystemExit("the db fault needs the script's own cluster (no --database-url)")
    if "disk" in faults and not installation.tmpfs:
        raise SystemExit("the disk fault needs a tmpfs for the blob store (run as root)")
    try:
        django_start(installation)  # while the cluster is made
        if installation.cluster:
            installation.cluster.wait()
        phase("cluster_and_django")
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        phase("migrate")
        secrets_dir, worker_key = share(installation)
        installation.launch(secrets_dir, worker_key)
        seeded = seed(installation, options.clients)  # while the processes start
        phase("seed")
        installation.wait_ready()
        phase("processes_start")
        print(
            f"installation in {root}: {installation.database_url}, webs {installation.web_urls}, "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        load = Load(installation.web_urls, seeded, secrets.token_hex(3))
        began = time.monotonic()
        injector_result: list[Fault] = []
        injector = threading.Thread(
            target=lambda: injector_result.extend(
                inject_faults(installation, faults, options.seconds, began)
            )
        )
        injector.start()
        run_clients(load, options.clients, options.rate, options.seconds, options.seed)
        injector.join()
        wall = time.monotonic() - began
        phase("load")
        drained = wait_for_jobs(120)
        phase("drain")
        invariants = check_invariants(load, drained)
        # Jobs the workers' sweep had to queue again (evidence.tasks.derivative_jobs_requeue):
        # none while a job and its task are written in one transaction.
        invariants["jobs_requeued_by_sweep"] = sum(
            (root / f"worker{number}.log").read_text(errors="replace").count("had no task")
            for number in (1, 2)
        )
        phase("check")
        errors = classify(load, injector_result, 0)
        machines = {
            m.name: {
                "starts": m.starts,
                "unexpected_exits": m.unexpected_exits,
                "start_s": m.restart_seconds,
            }
            for m in installation.machines
        }
    finally:
        installation.close()
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)
    problems = [
        name
        for name, bad in (
            ("acknowledged report missing", invariants["acknowledged_missing"]),
            ("mailbox does not open", invariants["acknowledged_mailbox_not_opening"]),
            ("acknowledged report without its file", invariants["acknowledged_without_file"]),
            ("report stored twice", invariants["duplicated"]),
            ("file unreadable", invariants["files_unreadable"]),
            ("file job not finished", invariants["files_not_done"] or not drained),
            ("file without preview", invariants["files_without_preview"]),
            ("file with more than one preview", set(invariants["files_with_previews"]) - {"1"}),
            ("derivative job left", invariants["derivative_jobs_left"]),
            ("task failed", invariants["tasks_failed"]),
            ("job left without a task", invariants["jobs_requeued_by_sweep"]),
            ("500 answered", errors["server_errors_500"]),
            ("errors no fault explains", errors["errors_unexplained"]),
        )
        if bad
    ]
    total = len(load.outcomes)
    result = {
        "seconds": round(wall, 1),
        "clients": options.clients,
        "rate_target": options.rate,
        "requests": total,
        "requests_per_s": round(total / wall, 2),
        "by_kind": figures_by_kind(load, wall),
        "faults": {f.name: f.details for f in injector_result},
        "machines": machines,
        "phases_s": phases,
        "phases_cpu_s": phases_cpu,
        "load_average": os.getloadavg()[0],
        **errors,
        "invariants": invariants,
        "problems": problems,
        "ok": not problems,
    }
    print(json.dumps(result))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
