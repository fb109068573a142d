"""The crawler's one way to fetch a reported address: safe against what it fetches.

Every fetch of the hotline goes through ``url_fetch`` (nothing else here opens
connections). It resolves the host itself and connects only to an address that
``resolving.address_is_allowed`` passed, to exactly that address (the name is
never resolved again, so DNS rebinding cannot swap in a private address), and
does the same again for every redirect, up to a limit. It sends no cookies and
no referrer, a neutral user agent, asks for the body unencoded, and streams the
body into an owner-only temporary file up to a size limit. A watchdog closes
the connection when the whole fetch runs out of time, so a server that trickles
bytes cannot hold a worker for longer than HOTLINE_FETCH_TOTAL_SECONDS.

The result says what was found; the caller decides what to keep.
"""

import contextlib
import enum
import hashlib
import http.client
import os
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from meldpunt.evidence import formats
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.resolving import ResolveError, address_is_allowed, host_resolve
from meldpunt.lines.webaddress import UrlRefused, WebAddress, url_join

_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
# Answers that say the material is not there (any more); other failures may pass.
_OFFLINE_STATUSES = {404, 410, 451}


class Outcome(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"


class FetchError(enum.StrEnum):
    """Why a fetch found nothing, or found something it could not keep."""

    NXDOMAIN = "nxdomain"
    NO_ADDRESS = "no_address"
    DNS = "dns_error"
    ADDRESS_NOT_ALLOWED = "address_not_allowed"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION = "connection_error"
    TLS = "tls_error"
    TIMEOUT = "timeout"
    PROTOCOL = "protocol_error"
    HTTP_STATUS = "http_status"
    REDIRECT_REFUSED = "redirect_refused"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TOO_LARGE = "too_large"
    EMPTY = "empty"


# Failures that mean "not there": counted towards "gone" by the daily re-check.
OFFLINE_ERRORS = {FetchError.NXDOMAIN, FetchError.NO_ADDRESS, FetchError.CONNECTION_REFUSED}


@dataclass
class FetchResult:
    """What one fetch found. ``path`` (the body) belongs to the caller, who must delete it."""

    outcome: Outcome
    error: str = ""
    status: int | None = None
    final_url: str = ""
    redirects: list[str] = field(default_factory=list)
    address: str = ""
    # Every address the final host resolved to, for the hosting trace (no second look-up).
    host_addresses: list[str] = field(default_factory=list)
    declared_type: str = ""
    media_type: str = ""
    size: int = 0
    sha256: str = ""
    path: Path | None = None
    seconds: float = 0.0

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class _Refused(Exception):
    def __init__(self, error: FetchError, outcome: Outcome = Outcome.ERROR) -> None:
        super().__init__(error)
        self.error = error
        self.outcome = outcome


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted IP address, with SNI and certificate check for the host name."""

    def __init__(self, address: str, port: int, *, server_name: str, timeout: float) -> None:
        context = ssl.create_default_context()
        if not hotline_setting("HOTLINE_FETCH_VERIFY_TLS"):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        super().__init__(address, port, timeout=timeout, context=context)
        self.server_name = server_name

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)  # TCP to the address, no name look-up
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)


def sniff_media_type(head: bytes) -> str:
    """The media type the content shows, never the one the server claims."""
    fmt = formats.sniff(head[: formats.HEAD_BYTES])
    if fmt is not None:
        return fmt.media_type
    start = head.lstrip()[:15].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    return "application/octet-stream"


class _Watchdog:
    """Shuts the connection's socket when the fetch's time is up, unblocking any read."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self._connection = connection
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self.fired = False

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> "_Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _addresses(target: WebAddress) -> list[str]:
    try:
        found = host_resolve(target.host).addresses
    except ResolveError as error:
        code = FetchError(error.code)
        raise _Refused(code, Outcome.OFFLINE if code in OFFLINE_ERRORS else Outcome.ERROR) from None
    # Every address must pass: a name that also points inward is refused as a whole.
    if not all(address_is_allowed(address) for address in found):
        raise _Refused(FetchError.ADDRESS_NOT_ALLOWED)
    return found


def _connect(target: WebAddress, addresses: list[str]) -> tuple[http.client.HTTPConnection, str]:
    connect_seconds = hotline_setting("HOTLINE_FETCH_CONNECT_SECONDS")
    last: FetchError = FetchError.CONNECTION
    for address in addresses:
        if target.scheme == "https":
            connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
                address, target.port, server_name=target.host, timeout=connect_seconds
            )
        else:
            connection = http.client.HTTPConnection(address, target.port, timeout=connect_seconds)
        try:
            connection.connect()
        except ssl.SSLError:
            connection.close()
            raise _Refused(FetchError.TLS) from None
        except ConnectionRefusedError:
            last = FetchError.CONNECTION_REFUSED
        except TimeoutError:
            last = FetchError.TIMEOUT
        except OSError:
            last = FetchError.CONNECTION
        else:
            connection.sock.settimeout(hotline_setting("HOTLINE_FETCH_READ_SECONDS"))
            return connection, address
        connection.close()
    raise _Refused(last, Outcome.OFFLINE if last in OFFLINE_ERRORS else Outcome.ERROR)


def _request_target(target: WebAddress) -> tuple[str, str]:
    """The path with query to send, and the Host header (with a non-default port)."""
    after_host = target.url.split("//", 1)[1]
    slash = after_host.find("/")
    path = after_host[slash:] if slash >= 0 else "/"
    default = {"http": 80, "https": 443}[target.scheme]
    host = f"[{target.host}]" if ":" in target.host else target.host
    return path, host if target.port == default else f"{host}:{target.port}"


def _private_temp_file() -> Path:
    descriptor, name = tempfile.mkstemp(prefix="hotline-fetch-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    os.close(descriptor)
    return Path(name)


def _read_body(
    response: http.client.HTTPResponse, result: FetchResult, watchdog: "_Watchdog", limit: int
) -> None:
    """Stream the body to a private file; over the limit nothing is kept."""
    path = _private_temp_file()
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with path.open("wb") as body:
            while chunk := response.read1(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _Refused(FetchError.TOO_LARGE, Outcome.ONLINE)
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                body.write(chunk)
        if watchdog.fired:  # the watchdog's shutdown reads as an early end of the body
            raise _Refused(FetchError.TIMEOUT)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    result.size = size
    if size == 0:
        path.unlink(missing_ok=True)
        raise _Refused(FetchError.EMPTY, Outcome.ONLINE)
    result.path = path
    result.sha256 = digest.hexdigest()
    result.media_type = sniff_media_type(head)


def _fetch_one(
    target: WebAddress, result: FetchResult, deadline: float, max_bytes: int
) -> str | None:
    """One request; returns the Location of a redirect, or None when the body was read."""
    result.host_addresses = []  # a hop whose look-up fails leaves none of an earlier host
    result.host_addresses = _addresses(target)
    connection, address = _connect(target, result.host_addresses)
    result.address = address
    path, host = _request_target(target)
    with (
        contextlib.closing(connection),
        _Watchdog(connection, deadline - time.monotonic()) as watchdog,
    ):
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in (
                ("Host", host),
                ("User-Agent", hotline_setting("HOTLINE_FETCH_USER_AGENT")),
                ("Accept", "*/*"),
                ("Accept-Encoding", "identity"),
                ("Connection", "close"),
            ):
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            result.status = response.status
            result.declared_type = (response.getheader("Content-Type") or "")[:100]
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                return location
            if response.status in _OFFLINE_STATUSES:
                raise _Refused(FetchError.HTTP_STATUS, Outcome.OFFLINE)
            if not 200 <= response.status < 300:
                raise _Refused(FetchError.HTTP_STATUS)
            _read_body(response, result, watchdog, max_bytes)
            return None
        except _Refused:
            raise
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            if watchdog.fired or isinstance(error, TimeoutError):
                raise _Refused(FetchError.TIMEOUT) from None
            raise _Refused(FetchError.PROTOCOL) from None


def url_fetch(
    address: WebAddress, *, max_bytes: int | None = None, total_seconds: float | None = None
) -> FetchResult:
    """Fetch a normalised address, following redirects; never raises for what it finds.

    ``max_bytes`` and ``total_seconds`` lower the limits of this one fetch below
    HOTLINE_FETCH_MAX_BYTES and HOTLINE_FETCH_TOTAL_SECONDS (the pictures of a
    page share the page's budget); they never raise them.

    Outcome ONLINE with a ``path`` means the body was read; ONLINE without one
    means it was there but empty or over the size limit. OFFLINE means the
    address answered that the material is not there (404, 410, 451), or the
    name or server is gone. ERROR is anything else, including an address the
    crawler may not connect to.
    """
    started = time.monotonic()
    seconds = hotline_setting("HOTLINE_FETCH_TOTAL_SECONDS")
    deadline = started + (seconds if total_seconds is None else min(seconds, total_seconds))
    limit = hotline_setting("HOTLINE_FETCH_MAX_BYTES")
    limit = limit if max_bytes is None else min(limit, max_bytes)
    result = FetchResult(outcome=Outcome.ERROR, final_url=address.url)
    target = address
    try:
        for _hop in range(hotline_setting("HOTLINE_FETCH_MAX_REDIRECTS") + 1):
            result.final_url = target.url
            location = _fetch_one(target, result, deadline, limit)
            if location is None:
                result.outcome = Outcome.ONLINE
                break
            try:
                target = url_join(target.url, location)
            except UrlRefused:
                raise _Refused(FetchError.REDIRECT_REFUSED) from None
            result.redirects.append(target.url)
            if time.monotonic() >= deadline:
                raise _Refused(FetchError.TIMEOUT)
        else:
            raise _Refused(FetchError.TOO_MANY_REDIRECTS)
    except _Refused as refusal:
        result.outcome = refusal.outcome
        result.error = refusal.error
    result.seconds = round(time.monotonic() - started, 3)
    return result
