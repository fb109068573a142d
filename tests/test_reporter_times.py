"""No record lets anyone place a reporter's action closer than the hour.

A reporter sends a report with files and a web address, mistypes the receipt,
opens the mailbox and answers with another file; the worker then processes the
files with the real database task backend. Afterwards every datetime in every
table, every timestamp hidden in text, JSON or session data, the times of every
file and folder of the data directory and everything the log handlers wrote
are searched for a time finer than the hour from the moment the reporter began.

Once through Django's test client (fast, every view is real) and once in
Chromium with JavaScript disabled, as a Tor Browser "Safest" user would.
"""

import io
import os
import re
import signal
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.management import call_command
from django.db import connection, models
from django.test import override_settings
from django_tasks_db.models import DBTaskResult, get_date_max
from PIL import Image

from meldpunt.evidence.models import EvidencePreview
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.models import ReportedUrl
from meldpunt.hotline.tasks import reported_url_check_task
from meldpunt.intake.models import Message, Report
from meldpunt.lines.models import LineKind, Question, QuestionKind
from meldpunt.testing import all_log_output, make_category, make_line, submission_token

pytestmark = pytest.mark.django_db(transaction=True)  # tasks are queued on commit

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

REAL_TASKS = {"default": {"BACKEND": "meldpunt.privacy.tasktimes.HourlyDatabaseBackend"}}
ADDRESS = "https://pics.example.test/album/7"
WRONG_RECEIPT = "AAAA BBBB CCCC DDDD EEEE"
# A time written as text: ISO 8601 or SQLite's "YYYY-MM-DD HH:MM:SS.ffffff".
TEXT_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
# The worker's own start and stop lines: they tell when a worker process ran,
# which in production is when it was started, not when a reporter did anything.
# On PostgreSQL the driver also logs (at DEBUG) each new connection; the worker
# opens one at every poll of the queue, every second, whatever is queued.
WORKER_LIFECYCLE = ("Starting worker", "No more tasks to run", "psycopg")
# SQLite's own files change on every write, staff or reporter (docs/security.md, Times).
DATABASE_FILE = re.compile(r"\.sqlite3(-wal|-shm|-journal)?$")


def _picture(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def _hotline_category():
    """A content-hotline category asking for a description, files and web addresses."""
    category = make_category(line=make_line(kind=LineKind.CONTENT_HOTLINE))
    Question.objects.create(
        category=category,
        key="urls",
        kind=QuestionKind.WEB_ADDRESSES,
        label="Webadressen",
        is_required=True,
        order=2,
    )
    return category


def _is_hour(moment: datetime) -> bool:
    return moment.minute == 0 and moment.second == 0 and moment.microsecond == 0


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class TimeSearch:
    """Collects every time finer than the hour from ``since`` on, with where it was found."""

    def __init__(self, since: datetime) -> None:
        self.since = since
        self.found: list[str] = []

    def moment(self, value: datetime, where: str) -> None:
        value = _aware(value)
        if value >= self.since and not _is_hour(value):
            self.found.append(f"{where}: {value.isoformat()}")

    def timestamp(self, seconds: float, where: str) -> None:
        if seconds % 3600:
            self.moment(datetime.fromtimestamp(seconds, tz=UTC), where)

    def text(self, value: str, where: str) -> None:
        for match in TEXT_TIME.finditer(value):
            try:
                parsed = datetime.fromisoformat(match.group().replace(" ", "T"))
            except ValueError:
                continue
            self.moment(parsed, f"{where} (text {match.group()!r})")

    def data(self, value: object, where: str) -> None:
        """Strings, numbers that could be Unix times, and JSON structures, recursively."""
        if isinstance(value, datetime):
            self.moment(value, where)
        elif isinstance(value, str):
            self.text(value, where)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if self.since.timestamp() - 1 <= value <= self.since.timestamp() + 86400 * 400:
                self.timestamp(float(value), f"{where} (number)")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.data(item, f"{where}.{key}")
        elif isinstance(value, list | tuple):
            for item in value:
                self.data(item, where)


def _allowed_random_times() -> set[tuple[str, datetime]]:
    """The first check of a reported address, at a random time after the report's hour.

    The only reporter-caused times finer than the hour: drawn at random between
    HOTLINE_FIRST_CHECK_MINUTES after the hour (meldpunt.hotline), they tell
    nothing about when within that hour the report came. Checked here to be
    exactly that, and nothing else is let through.
    """
    low, high = hotline_setting("HOTLINE_FIRST_CHECK_MINUTES")
    allowed = set()
    for item in ReportedUrl.objects.all():
        wait = item.next_check_at - item.created_at
        assert _is_hour(item.created_at), item.created_at
        assert timedelta(minutes=low) <= wait <= timedelta(minutes=high), wait
        allowed.add(("hotline_reportedurl.next_check_at", item.next_check_at))
        allowed.add((f"{DBTaskResult._meta.db_table}.run_after", item.next_check_at))
    return allowed


def _search_tables(search: TimeSearch) -> None:
    """Every column of every model's table: datetimes, and times inside text and JSON."""
    allowed = _allowed_random_times()
    tables = set(connection.introspection.table_names())
    every_model = apps.get_models(include_auto_created=True)
    assert {model._meta.db_table for model in every_model} <= tables
    for model in every_model:
        for row in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                where = f"{model._meta.db_table}.{field.column}"
                if isinstance(field, models.DateTimeField) and value is not None:
                    if (where, _aware(value)) not in allowed and value != get_date_max():
                        search.moment(value, where)
                elif isinstance(field, models.DateField | models.TimeField):
                    continue  # dates carry no time of day
                elif not isinstance(value, bytes | memoryview):
                    search.data(value, where)
    for session in SessionStore.get_model_class().objects.all():
        # Django's own store signs session data with a timestamp (base62 seconds).
        parts = session.session_data.split(":")
        if len(parts) >= 3:
            search.timestamp(float(signing.b62_decode(parts[-2])), "django_session signature")
        search.data(SessionStore().decode(session.session_data), "django_session data")


def _search_files(search: TimeSearch) -> None:
    """Modification and access times of the data directory and everything in it."""
    root = Path(settings.DATA_DIR)
    for path in [root, *root.rglob("*")]:
        if DATABASE_FILE.search(path.name):
            continue
        if path.relative_to(root).parts[:2] == ("blobs", "health"):
            continue  # /health/ready's write probe (vault.blobs), run by monitoring, not reporters
        status = path.lstat()
        search.timestamp(status.st_mtime, f"{path} mtime")
        search.timestamp(status.st_atime, f"{path} atime")


def _search_log(search: TimeSearch, written: str) -> None:
    """Every line a log handler wrote has a time, so none may be about the reporter."""
    for line in written.splitlines():
        if line.strip() and not any(marker in line for marker in WORKER_LIFECYCLE):
            search.found.append(f"log line: {line}")


def _run_worker() -> None:
    """What `meldpunt db_worker` does, until the queue has nothing ready.

    The worker takes over SIGINT, SIGTERM and SIGQUIT to shut down gracefully and leaves
    its handlers behind; restored here, so that the test process still stops on SIGTERM.
    """
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    before = {number: signal.getsignal(number) for number in handled}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=1)
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _assert_no_fine_times(since: datetime, written: str) -> None:
    assert EvidencePreview.objects.count() == 2, "the worker made no thumbnails"
    assert ReportedUrl.objects.count() == 1 and Message.objects.count() == 1
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert reported_url_check_task.module_path in queued, queued
    search = TimeSearch(since)
    _search_tables(search)
    _search_files(search)
    _search_log(search, written)
    assert not search.found, "\n".join(search.found)


def _client_flow(client, category) -> None:
    url = f"/report/{category.line.slug}/{category.slug}/"
    answers = {"what": "Afbeeldingen van kinderen op een fotosite", "urls": ADDRESS}
    assert client.get(url).status_code == 200
    review = client.post(url, answers)
    assert review.status_code == 200
    files = [io.BytesIO(_picture("red"))]
    files[0].name = "foto.jpg"
    token = submission_token(review.content.decode())
    sent = client.post(url + "send/", {**answers, **token, "files": files})
    assert sent.status_code == 200, sent.content
    receipt = sent.context["receipt"]
    assert client.get("/favicon.ico").status_code == 404  # browsers ask, on every page
    assert client.post("/mailbox/", {"receipt": WRONG_RECEIPT}).status_code == 400
    assert client.post("/mailbox/", {"receipt": receipt}).status_code == 302
    answer = io.BytesIO(_picture("blue"))
    answer.name = "nog-een.jpg"
    message = {"body": "Er is nog een album."}
    assert client.post("/mailbox/messages/", message).status_code == 200  # the check step
    posted = client.post("/mailbox/messages/", {**message, "confirm": "1", "files": [answer]})
    assert posted.status_code == 302, posted.content


@override_settings(TASKS=REAL_TASKS)
def test_no_time_of_a_reporters_actions_is_finer_than_the_hour(client, caplog):
    category = _hotline_category()
    since = datetime.now(tz=UTC)
    with all_log_output(caplog) as output:
        _client_flow(client, category)
        _run_worker()
    assert Report.objects.count() == 1
    _assert_no_fine_times(since, output.getvalue())


@pytest.mark.browser
@override_settings(TASKS=REAL_TASKS)
def test_no_time_finer_than_the_hour_after_a_report_from_a_browser_without_javascript(
    live_server, no_js_context, caplog, tmp_path
):
    from playwright.sync_api import expect

    category = _hotline_category()
    first, second = tmp_path / "foto.jpg", tmp_path / "nog-een.jpg"
    first.write_bytes(_picture("red"))
    second.write_bytes(_picture("blue"))
    page = no_js_context().new_page()
    base = live_server.url
    since = datetime.now(tz=UTC)
    with all_log_output(caplog) as output:
        path = f"/report/{category.line.slug}/{category.slug}/"
        page.goto(base + path)
        answers = page.locator(f'form[action="{path}"]')
        answers.locator('textarea[name="what"]').fill("Afbeeldingen van kinderen op een fotosite")
        answers.locator('textarea[name="urls"]').fill(ADDRESS)
        answers.locator('input[type="file"]').set_input_files(str(first))
        answers.locator("button[type=submit]").click()
        page.locator(f'form[action="{path}send/"] button[type=submit]').click()
        receipt = page.locator("#receipt").inner_text().strip()
        page.goto(f"{base}/mailbox/")
        page.locator('input[name="receipt"]').fill(WRONG_RECEIPT)
        page.locator('form[action="/mailbox/"] button[type="submit"]').click()
        expect(page.locator(".errorlist")).to_be_visible()
        page.locator('input[name="receipt"]').fill(receipt)
        page.locator('form[action="/mailbox/"] button[type="submit"]').click()
        expect(page).to_have_url(f"{base}/mailbox/messages/")
        reply = page.locator('form[action="/mailbox/messages/"]')
        reply.locator('textarea[name="body"]').fill("Er is nog een album.")
        reply.locator("button[type=submit]").click()
        confirm = page.locator('form:has(input[name="confirm"])')
        confirm.locator('input[type="file"]').set_input_files(str(second))
        confirm.locator('button[type="submit"]').click()
        expect(page.locator(".file")).to_have_count(1)
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        assert page.request.get(base + icon).ok  # our own icon, so no /favicon.ico
        _run_worker()
    _assert_no_fine_times(since, output.getvalue())


def test_staff_sessions_keep_their_exact_idle_timeout():
    """Only sessions without a signed-in staff member are stored to the hour."""
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.save()
    staff_expiry = SessionStore.get_model_class().objects.get(pk=store.session_key).expire_date
    store = SessionStore()
    store["mailbox_report"] = 1
    store.save()
    reporter_expiry = SessionStore.get_model_class().objects.get(pk=store.session_key).expire_date
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    now = datetime.now(tz=UTC)
    assert now + idle - timedelta(seconds=5) < staff_expiry <= now + idle
    assert _is_hour(reporter_expiry)
    assert now + idle <= reporter_expiry <= now + idle + timedelta(hours=1)


def test_the_hourly_clean_up_deletes_expired_sessions_and_finished_tasks(settings):
    from meldpunt.privacy.tasks import FAILED_TASKS_KEPT, traces_clear

    model = SessionStore.get_model_class()
    now = datetime.now(tz=UTC)
    model.objects.create(session_key="a" * 32, session_data="x", expire_date=now - timedelta(1))
    model.objects.create(session_key="b" * 32, session_data="x", expire_date=now + timedelta(1))

    def row(status: str, finished_days_ago: int | None) -> DBTaskResult:
        finished = None if finished_days_ago is None else now - timedelta(days=finished_days_ago)
        return DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path=reported_url_check_task.module_path,
            backend_name="default",
            finished_at=finished,
        )

    waiting = row("READY", None)
    recent_failure = row("FAILED", FAILED_TASKS_KEPT.days - 1)
    row("FAILED", FAILED_TASKS_KEPT.days + 1)
    row("SUCCESSFUL", 0)

    assert traces_clear(now=now) == 2
    assert list(model.objects.values_list("session_key", flat=True)) == ["b" * 32]
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        waiting.pk,
        recent_failure.pk,
    }


def test_a_file_read_leaves_the_access_time_alone(tmp_path):
    from meldpunt.datadir import data_file_read

    path = tmp_path / "secret"
    path.write_text("geheim")
    os.utime(path, (3600.0, 3600.0))
    assert data_file_read(path) == "geheim"
    assert path.stat().st_atime == 3600.0
