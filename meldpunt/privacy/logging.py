"""A logging filter that removes client details from every log record.

The anonymity middleware already strips them from requests, but Django attaches
the request object to some records (``django.request``, ``django.server``), and
third-party code may format a WSGI environ into a message. This filter is the
second line: it removes the request from records and masks anything shaped like
an IP address.
"""

import ipaddress
import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Candidate tokens: runs of hex digits, dots and colons (with an optional zone).
# Each is checked by the ipaddress module, so times like 15:05:37 stay readable.
ADDRESS_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*(?:%[0-9A-Za-z]+)?")
MASK = "[address removed]"


def _is_address(token: str) -> bool:
    bare = token.split("%")[0].strip(".")
    candidates = {bare, bare.strip(":")}
    if bare.count(":") == 1:  # host:port
        candidates.add(bare.split(":")[0])
    for candidate in candidates:
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            continue
        return True
    return False


def mask_addresses(text: str) -> str:
    """Replace every IPv4 or IPv6 address in text."""
    return ADDRESS_CANDIDATE.sub(
        lambda match: MASK if _is_address(match.group()) else match.group(), text
    )


class ClientDetailsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for attribute in ("request", "server_time_request"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
        message = record.getMessage()
        record.msg = mask_addresses(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_addresses(record.exc_text)
        # Without exc_info, error reports (the admin e-mail, Sentry-like handlers)
        # cannot walk the frames, whose local variables may hold report content.
        record.exc_info = None
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (``MELDPUNT_LOG_FORMAT=json``).

    Only a fixed set of fields is written: a library's ``extra={...}`` (Django
    attaches the request and its status code) never reaches the output, so no
    field other than the message, which the anonymity filter has masked, can
    carry a client detail. A general-purpose JSON formatter writes every extra
    attribute of a record, which is why this one is written out.
    """

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            fields["exception"] = record.exc_text
        return json.dumps(fields, ensure_ascii=False)


# The request this thread is serving, from the anonymity middleware until the
# response is closed (the request_finished signal); None between requests.
serving_request: ContextVar[Any] = ContextVar("serving_request", default=None)
# Module paths of tasks that run because of a reporter's action
# (``reporter_task_register`` in meldpunt.privacy.tasktimes), and the one this
# worker is running, if any.
reporter_task_paths: set[str] = set()
running_reporter_task: ContextVar[str | None] = ContextVar("running_reporter_task", default=None)


def serving_request_clear(**kwargs: Any) -> None:
    """request_finished: the thread serves no request any more."""
    serving_request.set(None)


def _is_staff_request(request: Any) -> bool:
    """Whether the request's user is known to be signed in, without asking the database.

    Evaluating ``request.user`` here would query the database from inside a log
    call (whose driver logs too, and may have closed its connection already), so
    only a user that the request has already loaded counts; every staff page
    loads it (``login_required``) before it can log anything.
    """
    user = vars(request).get("_cached_user")  # django.contrib.auth.middleware.get_user
    return user is not None and bool(user.is_authenticated)


def _is_reporter_task_line(record: logging.LogRecord) -> bool:
    """django.tasks' own per-task lines ("Task id=... path=... state=...").

    Read from the message, as the anonymity filter (first on every handler)
    leaves it: formatted, without args.
    """
    if record.name != "django.tasks":
        return False
    message = record.getMessage()
    return any(f" path={path} " in message for path in reporter_task_paths)


class ReporterActivityFilter(logging.Filter):
    """Drops every record that would stamp a reporter's action with its time.

    Every log line gets a time, if not from the formatter then from journald or
    whatever collects the output, so the only safe record of a reporter's
    request or of the work it caused is none. Dropped: anything logged while
    serving a request of someone who is not a signed-in staff member (a wrong
    receipt, a page not found, an error), and anything logged by or about a
    task that runs because of a reporter. Errors of such requests and tasks
    therefore reach no log; a failed task keeps its traceback in the task
    table, with its times to the hour (docs/operations.md).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if running_reporter_task.get() is not None or _is_reporter_task_line(record):
            return False
        request = serving_request.get()
        return request is None or _is_staff_request(request)
