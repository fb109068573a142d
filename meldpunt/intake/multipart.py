"""Refusing multipart bodies that were cut off before their end.

Django's parser takes a body that simply stops (a client that died half-way, a
proxy that cut it off) for a complete one, and would store the half file that
came so far as if it were whole. The middleware here watches every multipart
body as it is read; views that store uploads ask ``multipart_is_complete``
before they do.
"""

from collections.abc import Callable
from typing import BinaryIO

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError


class CloseDelimiterWatch:
    """Passes a multipart body through and notes whether its closing delimiter came by.

    Django's parser takes a body that simply stops (a client that died half-way,
    a proxy that cut it off) for a complete one, and would store the half file
    that came so far as if it were whole. A body is complete only when its close
    delimiter (RFC 2046: CRLF "--" boundary "--") has passed.
    """

    def __init__(self, stream: BinaryIO, boundary: bytes) -> None:
        self._stream = stream
        self._marker = b"\r\n--" + boundary + b"--"
        # The body may start with the delimiter, without the CRLF before it.
        self._tail = b"\r\n"
        self.is_complete = False

    def _see(self, data: bytes) -> bytes:
        if not self.is_complete:
            window = self._tail + data
            self.is_complete = self._marker in window
            self._tail = window[-(len(self._marker) - 1) :]
        return data

    def read(self, *args: int) -> bytes:
        return self._see(self._stream.read(*args))

    def readline(self, *args: int) -> bytes:
        return self._see(self._stream.readline(*args))


def watch_multipart_body(request: HttpRequest) -> CloseDelimiterWatch | None:
    """Start watching a multipart request's body; must run before anything reads it.

    None for other requests, and for a multipart one without a boundary (which
    Django's parser refuses by itself).
    """
    boundary = request.content_params.get("boundary", "") if request.content_params else ""
    if request.content_type != "multipart/form-data" or not boundary:
        return None
    # HttpRequest reads its body through _stream; there is no public hook.
    watch = request._stream = CloseDelimiterWatch(request._stream, boundary.encode())
    return watch


def multipart_is_complete(request: HttpRequest) -> bool:
    """False when a multipart body ended before its close or could not be parsed.

    Reads the body if nothing has yet (the CSRF check usually has).
    """
    watch = getattr(request, "multipart_watch", None)
    if watch is None:
        return True
    try:
        request.POST  # noqa: B018 - parsing is the point
    except (MultiPartParserError, UnreadablePostError):
        return False
    return watch.is_complete


class MultipartWatchMiddleware:
    """Sets ``request.multipart_watch``; placed before anything that reads request.POST."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.multipart_watch = watch_multipart_body(request)
        return self.get_response(request)
