"""What every JSON API of meldpunt shares: the error shape, the view wrapper, JSON bodies.

The reporter API (intake) and the hash-check API (hashes) sit in different
layers and may not import each other, so the common ground lives here, beside
the other project-wide modules (language, periodic). Each API keeps its own
error codes (a StrEnum) and OpenAPI document; clients branch on ``code``, and
``message`` is for people and follows Accept-Language.
"""

import json
from collections.abc import Callable, Iterable
from functools import wraps
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

View = Callable[..., HttpResponse]
ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
FieldErrors = dict[str, list[dict[str, str]]]

# Codes every API uses for the failures handled here.
METHOD_NOT_ALLOWED = "method_not_allowed"
REQUEST_TOO_LARGE = "request_too_large"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
MALFORMED_JSON = "malformed_json"


class ApiError(Exception):
    """Raised anywhere below an ``api_view``; the wrapper turns it into the JSON error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: FieldErrors | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        body: dict = {"code": str(self.code), "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return JsonResponse({"error": body}, status=self.status, headers=self.headers)


def _forget_cookies(request: HttpRequest) -> None:
    """Ignore whatever cookies came along, so no middleware renews or sets one.

    The session middleware would otherwise re-save a session whose cookie a
    client happened to send and answer with Set-Cookie, and a language cookie
    would override Accept-Language, which alone decides the language here.
    """
    request.COOKIES = {}
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    translation.activate(translation.get_language_from_request(request))
    request.LANGUAGE_CODE = translation.get_language()


def api_view(*methods: str) -> Callable[[View], View]:
    """Method check, cookie-less requests, errors as JSON and no caching, for every API view.

    The APIs authenticate with bearer tokens, never cookies, so they need no
    CSRF protection. Answers may hold a reporter's mailbox or a company's
    matches: no cache may keep them.
    """

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
            _forget_cookies(request)
            try:
                if request.method not in methods:
                    raise ApiError(
                        405,
                        METHOD_NOT_ALLOWED,
                        _("This method is not allowed here."),
                        headers={"Allow": ", ".join(methods)},
                    )
                response = view(request, *args, **kwargs)
            except ApiError as error:
                response = error.response()
            response["Cache-Control"] = "no-store"
            return response

        return wrapper

    return decorate


def too_large() -> ApiError:
    return ApiError(413, REQUEST_TOO_LARGE, _("The request is larger than allowed."))


def refuse_oversized(request: HttpRequest, *, max_bytes: int) -> None:
    """Refuse by Content-Length before a byte is read, so nothing large is spooled first."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes:
        raise too_large()


def json_body(
    request: HttpRequest,
    *,
    max_bytes: int,
    decode: Callable[[bytes], object] = json.loads,
    decode_errors: tuple[type[Exception], ...] = (ValueError, UnicodeDecodeError),
) -> object:
    """The parsed JSON body; a body too large or not JSON is a clear API error.

    The length is checked again after reading: a chunked body has no Content-Length.
    ``decode`` lets an API with heavy bodies use a faster decoder; ``decode_errors``
    are what it raises on a body that is not JSON.
    """
    refuse_oversized(request, max_bytes=max_bytes)
    try:
        body = request.body
    except RequestDataTooBig as error:
        raise too_large() from error
    if len(body) > max_bytes:
        raise too_large()
    try:
        return decode(body)
    except (*decode_errors, RecursionError) as error:
        raise ApiError(400, MALFORMED_JSON, _("The body is not valid JSON.")) from error


# The OpenAPI documents are written out by hand (the views are plain Django
# views); these build the parts both documents share.


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def error_response(description: str, *codes: str) -> dict[str, Any]:
    """A response in the error shape, listing the codes it can carry."""
    listed = ", ".join(f"`{code}`" for code in codes)
    return {
        "description": f"{description} Codes: {listed}.",
        "content": json_content(schema_ref("Error")),
    }


def error_schema(codes: Iterable[str], **extra_properties: dict[str, Any]) -> dict[str, Any]:
    """The ``Error`` schema: ``{"error": {"code", "message", ...}}`` with the API's codes."""
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": [str(code) for code in codes]},
                    "message": {
                        "type": "string",
                        "description": "For people, in the language of Accept-Language.",
                    },
                    **extra_properties,
                },
            }
        },
    }


def openapi_envelope(
    *,
    title: str,
    description: str,
    server: str,
    paths: dict[str, Any],
    schemas: dict[str, Any],
    security_schemes: dict[str, Any],
    language_description: str,
) -> dict[str, Any]:
    """An OpenAPI 3.1 document with what every meldpunt API declares the same way."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": description,
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "AcceptLanguage": {
                    "name": "Accept-Language",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "examples": ["nl", "en"]},
                    "description": language_description,
                }
            },
            "securitySchemes": security_schemes,
        },
    }
