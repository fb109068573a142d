"""Factories shared by the test suites of all apps."""

import contextlib
import io
import itertools
import logging
import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.lines.models import (
    Category,
    Line,
    LineMembership,
    Municipality,
    Question,
    QuestionKind,
)
from meldpunt.vault.keys import staff_key_create
from meldpunt.vault.models import Role, StaffUser

_counter = itertools.count(1)
_SUBMISSION_TOKEN = re.compile(r'<input type="hidden" name="token" value="([^"]+)"')
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - test accounts only


def make_line(*, slug: str | None = None, **fields) -> Line:
    number = next(_counter)
    return Line.objects.create(slug=slug or f"line-{number}", name=f"Line {number}", **fields)


def make_category(*, line: Line | None = None, is_public: bool = True, **fields) -> Category:
    line = line or make_line()
    number = next(_counter)
    category = Category.objects.create(
        line=line, slug=f"cat-{number}", name=f"Category {number}", is_public=is_public, **fields
    )
    Question.objects.create(
        category=category,
        key="what",
        kind=QuestionKind.LONG_TEXT,
        label="Wat weet u?",
        label_en="What do you know?",
        is_required=True,
        order=1,
    )
    Question.objects.create(
        category=category, key="files", kind=QuestionKind.FILE, label="Bestanden", order=9
    )
    return category


def make_full_category(**fields) -> Category:
    """A category whose questionnaire has every kind of question and a conditional one."""
    category = make_category(**fields)
    known = Question.objects.create(
        category=category, key="known", kind=QuestionKind.YES_NO, label="Bekend?", order=2
    )
    Question.objects.create(
        category=category,
        key="who",
        kind=QuestionKind.TEXT,
        label="Wie?",
        label_en="Who?",
        is_required=True,
        shown_if_question=known,
        shown_if_value="yes",
        order=3,
    )
    Question.objects.create(
        category=category, key="when", kind=QuestionKind.DATE, label="Wanneer?", order=4
    )
    Question.objects.create(
        category=category, key="where", kind=QuestionKind.MUNICIPALITY, label="Waar?", order=5
    )
    Question.objects.create(
        category=category,
        key="drug",
        kind=QuestionKind.CHOICE,
        label="Welke drug?",
        choices=[{"value": "coke", "label": "Cocaïne", "label_en": "Cocaine"}],
        order=6,
    )
    Municipality.objects.create(code="GM0363", name="Amsterdam")
    return category


def make_staff(
    *, lines: list[Line] = (), role: str = Role.ANALYST, username: str | None = None
) -> StaffUser:
    """A staff member with a key pair, a confirmed TOTP device and line memberships."""
    user = StaffUser.objects.create_user(
        username=username or f"staff{next(_counter)}", password=PASSWORD, role=role
    )
    staff_key_create(user=user, password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    for line in lines:
        membership = LineMembership(line=line, user=user)
        membership.full_clean()  # the rules the admin applies, e.g. no partner users
        membership.save()
    return user


def current_totp(user: StaffUser) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client, user: StaffUser) -> None:
    """Sign a Django test client in through the real two-step form."""
    client.post("/staff/sign-in/", {"username": user.username, "password": PASSWORD})
    response = client.post("/staff/sign-in/code/", {"token": current_totp(user)})
    assert response.status_code == 302, response.content[:500]


# The permission matrices of the staff pages (cases, forwarding, hotline, statistics)
# share one vocabulary: who asks, and what each may get.
PERMISSION_ROLES = (
    "administrator",
    "supervisor",
    "analyst_of_line",
    "analyst_of_other_line",
    "partner",
    "anonymous",
)
OK, REDIRECT, FORBIDDEN, NOT_FOUND, LOGIN = 200, 302, 403, 404, "login"
# Reading a case's pages: members of its line; other staff and partners learn nothing.
CASE_READ = {
    "administrator": OK,
    "supervisor": OK,
    "analyst_of_line": OK,
    "analyst_of_other_line": NOT_FOUND,
    "partner": NOT_FOUND,
    "anonymous": LOGIN,
}


def answer_mismatch(response, want: int | str) -> str:
    """Empty when the response is what the matrix wants (LOGIN: sent to sign in), else why not."""
    if want == LOGIN:
        if response.status_code == 302 and response["Location"].startswith("/staff/sign-in/"):
            return ""
    elif response.status_code == want:
        return ""
    return f"got {response.status_code}, want {want}"


def url_routes(patterns, prefix: str = "") -> list[tuple[str, object]]:
    """Every route below ``patterns`` with its view, for tests that check each is covered."""
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += url_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append((prefix + str(pattern.pattern), pattern.callback))
    return routes


def submission_token(review_page: str) -> dict[str, str]:
    """The review page's one-time token, as the field its send form posts with the answers."""
    match = _SUBMISSION_TOKEN.search(review_page)
    assert match, "the review page carries no submission token"
    return {"token": match[1]}


@contextlib.contextmanager
def all_log_output(caplog) -> Iterator[io.StringIO]:
    """Every logger at DEBUG. Records go to caplog, even from loggers that do not
    propagate; what the configured handlers write goes to the returned buffer."""
    output = io.StringIO()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = [(logger, logger.level) for logger in loggers]
    quiet = [logger for logger in loggers if not logger.propagate]
    configured = {handler for logger in loggers for handler in logger.handlers}
    configured.discard(caplog.handler)
    streams = []
    for handler in configured:
        if isinstance(handler, logging.StreamHandler):
            streams.append((handler, handler.setStream(output)))
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in quiet:
        logger.addHandler(caplog.handler)
    try:
        yield output
    finally:
        for logger in quiet:
            logger.removeHandler(caplog.handler)
        for logger, level in levels:
            logger.setLevel(level)
        for handler, stream in streams:
            handler.setStream(stream)
