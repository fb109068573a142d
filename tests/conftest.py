"""Fixtures for the end-to-end tests: headless Chromium and the demo as an operator starts it.

Chromium is Debian's headless shell (package ``chromium-headless-shell``), driven by
Playwright, as Playwright itself drives headless Chromium; nothing is downloaded.
Without it the browser tests skip, except on CI (``CI=true``), where a missing
browser fails them so that the acceptance tests can never pass silently.
"""

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from django.core import signing
from django_tasks_db.models import DBTaskResult

import meldpunt.lines
from meldpunt.lines.models import Line
from meldpunt.lines.transfer import lines_import
from meldpunt.testing import make_staff
from meldpunt.workers.testing import database_url, workers  # noqa: F401 - fixtures

# The headless shell, not the full browser in its new headless mode: no browser UI
# (the full browser's top-chrome WebUI renderer once spun at 90 % CPU for a whole
# module and starved a CI run), fewer processes, and a launch in a third of the time.
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a reporter's browser or proxy could reveal; none of it may be kept anywhere.
CLIENT_USER_AGENT = "AnonTest-UA/9.9 zx81"
FORWARDED_ADDRESSES = ("203.0.113.77", "198.51.100.23", "203.0.113.78")
IDENTIFYING_HEADERS = {
    "User-Agent": CLIENT_USER_AGENT,
    "X-Forwarded-For": f"{FORWARDED_ADDRESSES[0]}, 10.0.0.1",
    "X-Real-IP": FORWARDED_ADDRESSES[1],
    "Forwarded": f'for="{FORWARDED_ADDRESSES[2]}";proto=http',
}
DEMO_START_SECONDS = 120
STAFF_LINE = re.compile(
    r"^\s+user=(?P<username>\S+) password=(?P<password>\S+) "
    r"totp_secret=(?P<totp_secret>[A-Z2-7]+=*) role=(?P<role>\S+)$",
    re.MULTILINE,
)


def on_ci() -> bool:
    """Whether this is CI (``CI=true``), where a test whose tool is missing fails."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@contextlib.contextmanager
def _orm_beside_playwright() -> Iterator[None]:
    """Let the test thread use the ORM while Playwright's sync API is active.

    Playwright's sync API keeps an asyncio loop running in the test thread, which
    makes Django refuse every database call there (including pytest-django's own
    flush after a test). The calls are ordinary blocking ones, so the guard is
    lifted, for as long as the browser lives and no longer.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def identifying_headers() -> dict[str, str]:
    """Request headers that identify a reporter: a distinctive user agent and proxy headers."""
    return dict(IDENTIFYING_HEADERS)


@pytest.fixture
def client_traces() -> tuple[str, ...]:
    """Strings from ``identifying_headers`` that must never be stored or logged."""
    return (CLIENT_USER_AGENT, *FORWARDED_ADDRESSES)


@pytest.fixture
def demo_lines(transactional_db) -> None:
    """The lines the demo ships with, and a member of staff who receives their reports.

    Transactional, because the tests that use it talk to ``live_server``, which
    reads the database from another thread.
    """
    config = Path(meldpunt.lines.__file__).parent / "data" / "demo.yaml"
    lines_import(yaml.safe_load(config.read_text(encoding="utf-8")))
    make_staff(lines=list(Line.objects.all()))


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium with a fresh profile (Playwright makes one per launch).

    Module scope: one browser per test module, closed before the next module so
    that non-browser tests never run beside Playwright's event loop.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium-headless-shell package"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # Pages behind a real Argon2id derivation can take seconds on a busy machine.
    expect.set_options(timeout=30_000)
    with _orm_beside_playwright(), sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _browser_contexts_closed(request):
    """Close every browser context a test leaves open, whatever the test did.

    The browser lives for the whole module: a page left running (a script that
    loops, a stream that reconnects) would otherwise keep its renderer busy
    through every later test of the module.
    """
    yield
    if "browser" not in request.fixturenames:
        return
    browser = request.getfixturevalue("browser")
    for context in list(browser.contexts):
        context.close()


@pytest.fixture
def no_js_context(browser):
    """A factory of browser contexts with JavaScript disabled, as in Tor Browser "Safest"."""
    contexts = []

    def make(**options):
        context = browser.new_context(java_script_enabled=False, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class StaffCredentials:
    username: str
    password: str
    totp_secret: str
    role: str

    def totp(self) -> str:
        """The current code of the printed authenticator key (RFC 6238, via django-otp)."""
        import base64

        from django_otp.oath import TOTP

        return f"{TOTP(base64.b32decode(self.totp_secret)).token():06d}"


@dataclass(frozen=True)
class Demo:
    url: str
    port: int
    data_dir: Path
    output_path: Path
    staff: dict[str, StaffCredentials]

    def output(self) -> str:
        """Everything the demo and its worker printed, stdout and stderr."""
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def places_keeping(self, traces: tuple[str, ...]) -> list[str]:
        """Where the demo keeps any of ``traces``: its output, its database rows and
        sessions, or any file of its data directory (raw, so that free pages of the
        database and its journal, which keep deleted rows, are searched too)."""
        # The one line that names the address the demo serves on, not a client's.
        output = self.output().replace(f"Serving on {self.url}/", "")
        places = {"output": output, **self._database_rows()}
        found = [
            f"{trace!r} in {place}"
            for place, text in places.items()
            for trace in traces
            if trace in text
        ]
        for path in sorted(self.data_dir.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{trace!r} in {path}" for trace in traces if trace.encode() in data]
        return found

    def _database_rows(self) -> dict[str, str]:
        """Every row of every table, and the decoded sessions (signed in the table)."""
        secret = (self.data_dir / "django.secret").read_text().strip()
        rows = {}
        with contextlib.closing(sqlite3.connect(self.data_dir / "meldpunt.sqlite3")) as database:
            tables = [
                name
                for (name,) in database.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ]
            assert {"django_session", DBTaskResult._meta.db_table} <= set(tables), tables
            for table in tables:
                rows[f"table {table}"] = "\n".join(
                    repr(row)
                    for row in database.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                )
            rows["sessions"] = "\n".join(
                repr(
                    # Signed without a timestamp (meldpunt.privacy.sessionstore).
                    signing.Signer(
                        key=secret, salt="django.contrib.sessions.SessionStore"
                    ).unsign_object(data, serializer=signing.JSONSerializer)
                )
                for (data,) in database.execute("SELECT session_data FROM django_session")
            )
        return rows


def _wait_for_demo(process: subprocess.Popen, output_path: Path, port: int) -> str:
    deadline = time.monotonic() + DEMO_START_SECONDS
    serving = f"Serving on http://127.0.0.1:{port}/"
    while time.monotonic() < deadline:
        output = output_path.read_text(encoding="utf-8", errors="replace")
        if process.poll() is not None:
            pytest.fail(f"meldpunt demo exited with {process.returncode}:\n{output}")
        if serving in output:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return output
        time.sleep(0.2)
    pytest.fail(f"meldpunt demo did not serve on port {port} in time:\n{output}")


def _stop_process_group(process: subprocess.Popen) -> None:
    """Stop the demo and its worker (same process group), forcefully if they linger."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue
        # The worker may outlive its parent for a moment; wait until the group is gone.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """``meldpunt demo --port N`` started as the README's quick start does it.

    The installed console script runs with a fresh data directory and an
    operator's environment: no DATABASE_URL (so SQLite, even when the suite runs
    on PostgreSQL) and none of the test suite's MELDPUNT_* shortcuts (cheap key
    derivation, tasks run inline), so the real worker and real costs are used.
    """
    root = tmp_path_factory.mktemp("demo")
    data_dir = root / "data"
    output_path = root / "output.log"
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MELDPUNT_")
        and name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(MELDPUNT_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    command = [str(Path(sys.executable).parent / "meldpunt"), "demo", "--port", str(port)]
    with output_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        printed = _wait_for_demo(process, output_path, port)
        staff = {
            match["username"]: StaffCredentials(**match.groupdict())
            for match in STAFF_LINE.finditer(printed)
        }
        assert staff, f"no staff credentials printed:\n{printed}"
        yield Demo(
            url=f"http://127.0.0.1:{port}",
            port=port,
            data_dir=data_dir,
            output_path=output_path,
            staff=staff,
        )
    finally:
        _stop_process_group(process)
