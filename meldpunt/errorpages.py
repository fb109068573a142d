"""Error pages in the visitor's language and the site's style, instead of Django's bare ones.

A reporter who mistypes an address must not land on an English page that looks
like another site (and makes them doubt where they are); staff and partners get
their own frame; the JSON APIs answer in their documented error shape. Which
frame a page gets follows the same path split as the language (meldpunt.language).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext_lazy

from meldpunt.jsonapi import ApiError
from meldpunt.language import BROWSER_LANGUAGE_PREFIXES

ERRORS = {
    400: (
        "bad_request",
        gettext_lazy("This request could not be understood"),
        gettext_lazy("Something in the request was not right. Go back and try again."),
    ),
    403: (
        "forbidden",
        gettext_lazy("You cannot open this page"),
        gettext_lazy(
            "This page is not meant for you, or the form was open too long. "
            "Go back, reload the page and try again."
        ),
    ),
    404: (
        "not_found",
        gettext_lazy("Page not found"),
        gettext_lazy("There is no page at this address. Check the address or start again."),
    ),
    500: (
        "server_error",
        gettext_lazy("Something went wrong on our side"),
        gettext_lazy(
            "Nothing you sent has been lost because of this page. Please try again in a while."
        ),
    ),
    503: (
        "unavailable",
        gettext_lazy("Temporarily unavailable"),
        gettext_lazy(
            "We cannot handle this request right now. Please try again in a few minutes; "
            "if you were sending a report, you will get a receipt once it has been stored."
        ),
    ),
}
# How long a client is asked to wait when the database is out of reach (a restart, a fail-over).
DATABASE_RETRY_AFTER_SECONDS = 30


def _frame(path: str) -> str:
    """The base template whose header and links fit the part of the site the visitor is in."""
    if path.startswith(BROWSER_LANGUAGE_PREFIXES):
        return "staff_base.html"
    return "intake/base.html"


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The page for ``status``; rendered without the request's context processors.

    A 500 may come from the database or a context processor itself, so the page
    must not depend on them (as Django's own server_error does not).
    """
    code, title, explanation = ERRORS[status]
    if request.path_info.startswith("/api/"):
        return ApiError(status, code, str(title)).response()
    context = {"frame": _frame(request.path_info), "title": title, "explanation": explanation}
    return HttpResponse(loader.render_to_string("errors/page.html", context), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the database could not be reached.

    A PostgreSQL restart or fail-over is an outage, not a bug: clients (and the
    load balancer) should retry rather than report a server error. Django calls
    this handler while the exception is being handled, so it is in sys.exc_info().
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = error_page(request, 503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted after its token expired (a tab left open): say so in the visitor's words."""
    return error_page(request, 403)
