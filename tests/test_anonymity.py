"""Issue 2, point 8: no client address, user agent or proxy header is kept anywhere.

A reporter's HTTP client sends a distinctive user agent and proxy headers with
distinctive addresses while it reports, answers in its mailbox, uses the API and
runs into errors, all through a real HTTP server. Afterwards every log line and
every table (and, for the demo, every file of its data directory) is searched
for those details and for the client's own address, 127.0.0.1.
"""

import copy
import http.cookiejar
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.test import RequestFactory
from django_tasks_db.models import DBTaskResult
from PIL import Image

from meldpunt.intake.models import Report
from meldpunt.privacy.logging import ClientDetailsFilter
from meldpunt.privacy.sessionstore import SessionStore
from meldpunt.testing import all_log_output, submission_token

CLIENT_ADDRESS = "127.0.0.1"
LINE, CATEGORY = "misdaad", "drugs"
REPORT_PAGE = f"/report/{LINE}/{CATEGORY}/"
API_REPORTS = f"/api/v1/lines/{LINE}/categories/{CATEGORY}/reports"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt">\s*([0-9A-Z]{4}(?: [0-9A-Z]{4}){4})\s*<')


@dataclass(frozen=True)
class Response:
    status: int
    text: str


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "anontest" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class ReporterClient:
    """A plain HTTP client with cookies, that sends identifying headers with every request."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base = base
        self.headers = headers
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf_token = ""

    def request(
        self,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = "",
        headers: dict[str, str] | None = None,
    ) -> Response:
        extra = {"Content-Type": content_type} if content_type else {}
        request = urllib.request.Request(  # noqa: S310 - the test server, over http
            self.base + path, data=body, headers={**self.headers, **extra, **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=120) as answer:
                response = Response(answer.status, answer.read().decode())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.read().decode())
        if token := CSRF_TOKEN.search(response.text):
            self.csrf_token = token[1]
        return response

    def _csrf(self) -> dict[str, str]:
        """The form token of the last page, as a browser would send it (the API has none)."""
        return {"csrfmiddlewaretoken": self.csrf_token} if self.csrf_token else {}

    def get(self, path: str, **options) -> Response:
        return self.request(path, **options)

    def post_form(self, path: str, fields: dict[str, str], **options) -> Response:
        data = urlencode({**self._csrf(), **fields}).encode()
        return self.request(
            path, body=data, content_type="application/x-www-form-urlencoded", **options
        )

    def post_multipart(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]], **options
    ) -> Response:
        body, content_type = _multipart({**self._csrf(), **fields}, files)
        return self.request(path, body=body, content_type=content_type, **options)

    def post_json(self, path: str, payload: dict, **options) -> Response:
        body = json.dumps(payload).encode()
        return self.request(path, body=body, content_type="application/json", **options)


def _expect(response: Response, status: int, what: str) -> Response:
    assert response.status == status, f"{what}: {response.status}\n{response.text[:2000]}"
    return response


def _report_and_answer(base: str, headers: dict[str, str]) -> list[str]:
    """Use every reporter route that stores something, and some that fail; return the pages."""
    answers = {"what": "Er staat een busje met drugs achter de sporthal.", "where": "GM0363"}
    note = {"files": ("notitie.txt", b"nummerbord begint met V\n")}
    # A photo: its thumbnail is made by a queued task, whose payload is searched too.
    photo = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(photo, format="PNG")
    web = ReporterClient(base, headers)
    for path in ("/", "/en/", "/safety/", f"/report/{LINE}/", REPORT_PAGE):
        _expect(web.get(path), 200, path)
    review = _expect(web.post_form(REPORT_PAGE, answers), 200, "review")
    sent = _expect(
        web.post_multipart(
            REPORT_PAGE + "send/",
            {**answers, **submission_token(review.text)},
            {"files": ("foto.png", photo.getvalue())},
        ),
        200,
        "submit",
    )
    receipt = RECEIPT.search(sent.text)[1]
    _expect(web.post_form("/mailbox/", {"receipt": receipt}), 200, "mailbox login")
    _expect(
        web.post_multipart(
            "/mailbox/messages/", {"body": "Het busje is wit.", "confirm": "1"}, note
        ),
        200,
        "mailbox answer",
    )
    mailbox_page = _expect(web.get("/mailbox/messages/"), 200, "mailbox").text

    # Error paths: each must give its clear answer, never a 500.
    _expect(web.post_form(REPORT_PAGE, {"what": ""}), 400, "missing answer")
    _expect(web.post_form(REPORT_PAGE, {**answers, "when": "2026-13-45"}), 400, "bad date")
    _expect(web.get("/report/bestaat-niet/"), 404, "unknown line")
    _expect(web.post_form("/mailbox/", {"receipt": "AAAA BBBB CCCC DDDD EEEE"}), 400, "receipt")
    _expect(
        web.request(
            REPORT_PAGE + "send/",
            body=b"--x\r\nnot a part",
            content_type="multipart/form-data",  # without a boundary
            headers={"X-CSRFToken": web.csrf_token},
        ),
        400,
        "broken multipart",
    )
    _expect(web.get("/", headers={"Host": "elders.example"}), 400, "disallowed host")
    stranger = ReporterClient(base, headers)
    _expect(stranger.post_form(REPORT_PAGE, answers), 403, "no CSRF cookie")

    api = ReporterClient(base, headers)
    created = _expect(
        api.post_multipart(API_REPORTS, {"what": answers["what"]}, note), 201, "API submit"
    )
    session = _expect(
        api.post_json("/api/v1/mailbox/session", {"receipt": json.loads(created.text)["receipt"]}),
        201,
        "API mailbox session",
    )
    bearer = {"Authorization": "Bearer " + json.loads(session.text)["token"]}
    answered = api.post_multipart(
        "/api/v1/mailbox/messages", {"body": "Nog een detail."}, note, headers=bearer
    )
    assert answered.status in {200, 201}, answered
    mailbox_json = _expect(api.get("/api/v1/mailbox", headers=bearer), 200, "API mailbox").text
    _expect(api.post_json(API_REPORTS, {"bestaat": "niet"}), 400, "API unknown field")
    _expect(api.get("/api/v1/bestaat-niet"), 404, "API unknown endpoint")
    return [sent.text, mailbox_page, mailbox_json]


def _assert_free_of(text: str, traces: tuple[str, ...], where: str) -> None:
    for trace in traces:
        assert trace not in text, f"{trace!r} found in {where}"


def _assert_bytes_free_of(data: bytes, traces: tuple[str, ...], where: str) -> None:
    for trace in traces:
        assert trace.encode() not in data, f"{trace!r} found in {where}"


def _mail_text(mail) -> str:
    return "\n".join([mail.subject, mail.body, *(content for content, _ in mail.alternatives)])


def _filtered_record_text(record: logging.LogRecord) -> str:
    """Everything a handler with the anonymity filter can format from a record.

    ``exc_info`` is left out: formatters use ``exc_text`` once it is set, and the
    filter always sets it.
    """
    filtered = copy.copy(record)
    ClientDetailsFilter().filter(filtered)
    return repr({key: value for key, value in vars(filtered).items() if key != "exc_info"})


def _table_dump() -> tuple[str, bytes]:
    """Every row of every table of the test database, as text and as raw bytes."""
    tables = connection.introspection.table_names()
    models = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert models <= set(tables), models - set(tables)
    text, binary = [], []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        binary.append(bytes(value))
                    else:
                        text.append(f"{table}: {value!r}")
    store = SessionStore()
    for session in SessionStore.get_model_class().objects.all():
        text.append(f"session: {store.decode(session.session_data)!r}")
    return "\n".join(text), b"\n".join(binary)


def test_live_server_keeps_no_client_details(
    live_server, demo_lines, settings, caplog, mailoutbox, identifying_headers, client_traces
):
    # Tasks are queued in the database as in production, so their payloads are searched too;
    # error e-mails go out, so they are searched too.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ADMINS = ["beheer@example.org"]
    with all_log_output(caplog) as output:
        pages = _report_and_answer(live_server.url, identifying_headers)

    traces = (*client_traces, CLIENT_ADDRESS)
    for page in pages:
        _assert_free_of(page, traces, "what the reporter is shown")
    logged = output.getvalue()
    # Django did log the CSRF refusal (caplog sees every record), but the handlers
    # write nothing about a reporter's request: a log line carries its time.
    assert any(record.name == "django.request" for record in caplog.records)
    assert "Forbidden" not in logged, "a reporter's request reached the log"
    _assert_free_of(logged, traces, "log output")
    for record in caplog.records:
        _assert_free_of(_filtered_record_text(record), traces, f"log record {record.name}")
    for mail in mailoutbox:  # if the installation sends error e-mails at all
        _assert_free_of(_mail_text(mail), client_traces, f"e-mail {mail.subject!r}")
        # Error e-mails list the server's environment and settings, where our own
        # address may appear; the client's would be under REMOTE_*.
        remote = dict(re.findall(r"^(REMOTE_\w+) = '([^']*)'", mail.body, re.MULTILINE))
        assert CLIENT_ADDRESS not in remote.values(), remote

    assert DBTaskResult.objects.exists(), "no task was queued, so no payload was searched"
    text, binary = _table_dump()
    _assert_free_of(text, traces, "the database")
    _assert_bytes_free_of(binary, traces, "the database")


def test_demo_keeps_no_client_details(demo, identifying_headers, client_traces):
    pages = _report_and_answer(demo.url, identifying_headers)

    traces = (*client_traces, CLIENT_ADDRESS)
    for page in pages:
        _assert_free_of(page, traces, "what the reporter is shown")
    assert demo.places_keeping(traces) == []


# The filter, on records that carry what the middleware would have removed.

REQUEST_META = {
    "REMOTE_ADDR": "203.0.113.77",
    "HTTP_USER_AGENT": "AnonTest-UA/9.9 zx81",
    "HTTP_X_FORWARDED_FOR": "198.51.100.23",
}


def _error_record(address: str, logger: str = "django.request") -> logging.LogRecord:
    request = RequestFactory().get("/report/", **REQUEST_META)
    try:
        raise ConnectionError(f"connection from {address} reset")
    except ConnectionError:
        record = logging.getLogger(logger).makeRecord(
            logger,
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s (client %s)",
            ("/report/", address),
            exc_info=sys.exc_info(),
            extra={"request": request, "status_code": 500},
        )
    return record


@pytest.mark.parametrize(
    "address",
    [
        "203.0.113.77",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "2001:db8::77",
        "2001:db8:85a3::8a2e:370:7334",
    ],
)
def test_filter_removes_request_and_masks_addresses(address):
    record = _error_record(address)

    assert ClientDetailsFilter().filter(record) is True

    assert record.request is None
    formatted = logging.Formatter("%(message)s %(request)s").format(record)
    assert "Internal Server Error" in formatted and "ConnectionError" in formatted
    _assert_free_of(formatted, (address, *REQUEST_META.values()), "the formatted record")


def test_every_log_handler_filters_client_details():
    """Django adds handlers of its own (console when DEBUG, error e-mails to ADMINS);
    each handler that can write a record must remove client details first."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    unfiltered = {
        f"{logger.name}: {handler.get_name() or type(handler).__name__}"
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        # Libraries (boto3, requests) add a NullHandler, which writes nothing.
        and type(handler) is not logging.NullHandler
        and not any(isinstance(f, ClientDetailsFilter) for f in handler.filters)
    }
    assert not unfiltered, f"handlers without the anonymity filter: {sorted(unfiltered)}"


def test_error_mail_carries_no_client_details(settings, mailoutbox):
    """A security error Django logs with the request attached, as its error e-mail sees it."""
    settings.ADMINS = ["beheer@example.org"]
    logger = "django.security.DisallowedHost"
    logging.getLogger(logger).handle(_error_record("203.0.113.77", logger))

    for mail in mailoutbox:
        _assert_free_of(_mail_text(mail), tuple(REQUEST_META.values()), "the error e-mail")


_JSON_LOGGING_SCRIPT = """
import logging, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "meldpunt.settings"
import django
django.setup()
from django.http import HttpResponseServerError
from django.test import RequestFactory
from django.utils.log import log_response
meta = dict(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="AnonTest-UA/9.9 zx81",
            HTTP_X_FORWARDED_FOR="198.51.100.23")
logging.getLogger("meldpunt.test").warning(
    "peer %s went away", "203.0.113.77", extra={"client": "198.51.100.23"})
try:
    raise ConnectionError("connection from 2001:db8::77 reset")
except ConnectionError as error:
    request = RequestFactory().get("/staff/", **meta)
    log_response("Internal Server Error: %s", request.path,
                 response=HttpResponseServerError(), request=request, exception=error)
"""


def _django_process(script: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter with the project's settings and ``env``."""
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_log_lines_carry_fixed_fields_and_no_client_details():
    """``MELDPUNT_LOG_FORMAT=json``: one JSON object per line, with only the fixed
    fields, so neither a library's extras nor Django's attached request reach the log."""
    finished = _django_process(_JSON_LOGGING_SCRIPT, MELDPUNT_LOG_FORMAT="json")

    assert finished.returncode == 0, finished.stderr
    records = [json.loads(line) for line in finished.stderr.splitlines()]
    assert [(r["level"], r["logger"]) for r in records] == [
        ("WARNING", "meldpunt.test"),
        ("ERROR", "django.request"),
    ]
    assert all(set(r) <= {"time", "level", "logger", "message", "exception"} for r in records)
    assert records[0]["message"] == "peer [address removed] went away"
    assert records[1]["message"] == "Internal Server Error: /staff/"
    assert "ConnectionError: connection from [address removed] reset" in records[1]["exception"]
    _assert_free_of(finished.stderr, (*REQUEST_META.values(), "2001:db8::77"), "the JSON log lines")


def test_an_unknown_log_format_stops_the_process_with_a_clear_message():
    finished = _django_process(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = "
        "'meldpunt.settings'; django.setup()",
        MELDPUNT_LOG_FORMAT="xml",
    )

    assert finished.returncode != 0
    assert "MELDPUNT_LOG_FORMAT must be 'plain' or 'json', not 'xml'" in finished.stderr


# An error path of the scenario above that the web form does not yet take.


def test_cut_off_web_upload_is_refused_and_stores_nothing(live_server, demo_lines):
    """A multipart body that ends before its closing boundary may be a cut-off upload;
    the API refuses it (meldpunt.intake.api.bodies), the web form must too."""
    web = ReporterClient(live_server.url, {})
    web.get(REPORT_PAGE)
    cut_off = b'--x\r\nContent-Disposition: form-data; name="what"\r\n\r\nEr wordt gedeal'
    response = web.request(
        REPORT_PAGE + "send/",
        body=cut_off,
        content_type="multipart/form-data; boundary=x",
        headers={"X-CSRFToken": web.csrf_token},
    )

    assert response.status == 400, response.text[:2000]
    assert not Report.objects.exists()
