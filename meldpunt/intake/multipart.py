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

# Larger part headers are passed on untouched, for Django's parser to refuse.
MAX_PART_HEADER_BYTES = 64 * 1024
_READ_BYTES = 64 * 1024
_HEADERS_END = b"\r\n\r\n"


def _part_headers_as_utf8(headers: bytes) -> bytes:
    """Part headers that Django can read: UTF-8 as sent, anything else taken as Latin-1.

    Django decodes each part header as UTF-8 and silently skips a header it
    cannot decode, so a file whose name is, say, Latin-1 ("caf\xe9.jpg" from an
    old client) would lose its Content-Disposition and vanish from the
    submission. Latin-1 maps every byte to a character, so the name is kept
    (repaired where it was Latin-1, merely odd where it was something else).
    """
    try:
        headers.decode()
    except UnicodeDecodeError:
        return headers.decode("latin-1").encode()
    return headers


class CloseDelimiterWatch:
    """Passes a multipart body through, noting whether its closing delimiter came by.

    Django's parser takes a body that simply stops (a client that died half-way,
    a proxy that cut it off) for a complete one, and would store the half file
    that came so far as if it were whole. A body is complete only when its close
    delimiter (RFC 2046: CRLF "--" boundary "--") has passed. On the way, part
    headers that are not UTF-8 are re-encoded (``_part_headers_as_utf8``).
    """

    def __init__(self, stream: BinaryIO, boundary: bytes) -> None:
        self._stream = stream
        self._delimiter = b"\r\n--" + boundary
        # Input not yet passed on. It starts with a CRLF so that a delimiter at
        # the very start of the body is found like any other; those two bytes
        # are not passed on (_skip).
        self._pending = b"\r\n"
        self._skip = 2
        self._out = bytearray()
        self._in_part_headers = False
        self._ended = False
        self.is_complete = False

    def _pass_on(self, data: bytes) -> None:
        skipped = min(self._skip, len(data))
        self._skip -= skipped
        self._out += data[skipped:]

    def _scan(self) -> None:
        """Pass on what is known; keep back what may still be a delimiter or a header."""
        while self._pending:
            if self.is_complete:
                self._pass_on(self._pending)
                self._pending = b""
            elif self._in_part_headers:
                end = self._pending.find(_HEADERS_END)
                if end >= 0:
                    self._pass_on(_part_headers_as_utf8(self._pending[:end]))
                elif self._ended or len(self._pending) > MAX_PART_HEADER_BYTES:
                    end = len(self._pending)  # not headers at all: Django's parser refuses it
                    self._pass_on(self._pending)
                else:
                    return
                self._pending = self._pending[end:]
                self._in_part_headers = False
            else:
                start = self._pending.find(self._delimiter)
                after = start + len(self._delimiter)
                if start < 0:
                    # The tail may be the beginning of a delimiter: kept until it is known.
                    cut = len(self._pending) - (0 if self._ended else len(self._delimiter) - 1)
                    self._pass_on(self._pending[: max(0, cut)])
                    self._pending = self._pending[max(0, cut) :]
                    return
                # Two bytes after the delimiter tell a close delimiter ("--") from a part.
                if len(self._pending) < after + 2 and not self._ended:
                    self._pass_on(self._pending[:start])
                    self._pending = self._pending[start:]
                    return
                self._pass_on(self._pending[:after])
                self._pending = self._pending[after:]
                self.is_complete = self._pending.startswith(b"--")
                self._in_part_headers = not self.is_complete

    def _pull(self, size: int) -> None:
        data = self._stream.read(size)
        if data:
            self._pending += data
        else:
            self._ended = True
        self._scan()
        if self._ended and self._pending:  # a body that ends inside a delimiter or header
            self._pass_on(self._pending)
            self._pending = b""

    def _take(self, size: int) -> bytes:
        data = bytes(self._out[:size])
        del self._out[:size]
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while not self._ended:
                self._pull(_READ_BYTES)
            return self._take(len(self._out))
        while not self._out and not self._ended and size:
            self._pull(size)
        return self._take(size)

    def readline(self, size: int | None = -1) -> bytes:
        while b"\n" not in self._out and not self._ended:
            self._pull(_READ_BYTES)
        newline = self._out.find(b"\n")
        end = newline + 1 if newline >= 0 else len(self._out)
        return self._take(end if size is None or size < 0 else min(end, size))


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
