"""Reading request bodies: multipart, url-encoded or JSON, with every failure a clear error.

Django parses multipart bodies lazily and signals trouble with exceptions that
would otherwise surface as a 400 HTML page or a 500; here each becomes an API
error with its own code.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from meldpunt.jsonapi import ApiError, json_body, refuse_oversized, too_large

from .errors import UNKNOWN_FIELD, ErrorCode, invalid

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def read_body(request: HttpRequest, *, max_bytes: int) -> tuple[QueryDict, MultiValueDict]:
    """Fields and files of a POST, whatever form it came in.

    ``max_bytes`` is checked against Content-Length before a byte is read, so an
    oversized upload is refused without spooling it to disk first.
    """
    refuse_oversized(request, max_bytes=max_bytes)
    if request.content_type in FORM_TYPES:
        return _read_form(request)
    if request.content_type == "application/json":
        return _read_json(request, max_bytes=max_bytes), MultiValueDict()
    raise ApiError(
        415,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        _("Send multipart/form-data, application/x-www-form-urlencoded or application/json."),
    )


def _malformed_multipart() -> ApiError:
    return ApiError(
        400,
        ErrorCode.MALFORMED_MULTIPART,
        _("The multipart body could not be read; it may be cut off or badly formed."),
    )


def _read_form(request: HttpRequest) -> tuple[QueryDict, MultiValueDict]:
    watch = getattr(request, "multipart_watch", None)
    try:
        data, files = request.POST, request.FILES
    except RequestDataTooBig as error:
        raise too_large() from error
    except TooManyFieldsSent as error:
        raise ApiError(
            400, ErrorCode.TOO_MANY_FIELDS, _("The request has too many fields.")
        ) from error
    except TooManyFilesSent as error:
        raise ApiError(400, ErrorCode.TOO_MANY_FILES, _("Too many files.")) from error
    except (MultiPartParserError, UnreadablePostError) as error:
        raise _malformed_multipart() from error
    if watch is not None and not watch.is_complete:
        raise _malformed_multipart()
    return data, files


def _read_json(request: HttpRequest, *, max_bytes: int) -> QueryDict:
    """A JSON object of strings, as a QueryDict so forms treat it like posted fields."""
    payload = json_body(request, max_bytes=max_bytes)
    if not isinstance(payload, dict) or not all(isinstance(v, str) for v in payload.values()):
        raise ApiError(
            400,
            ErrorCode.MALFORMED_JSON,
            _("The body must be a JSON object whose values are strings."),
        )
    data = QueryDict(mutable=True)
    for key, value in payload.items():
        data[key] = value
    return data


def reject_unknown_fields(
    data: QueryDict, files: MultiValueDict, *, field_names: set[str], file_names: set[str]
) -> None:
    """Refuse names no question has: silently dropping them would lose what was sent."""
    unknown = sorted((set(data) - field_names) | (set(files) - file_names))
    if unknown:
        raise invalid(
            {
                name: [{"code": UNKNOWN_FIELD, "message": _("There is no question with this key.")}]
                for name in unknown
            }
        )
