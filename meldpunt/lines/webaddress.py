"""Reported web addresses: parsed as a browser would, checked and normalised.

Reporters paste addresses from browsers, e-mails and chats: with spaces, without
``http://``, with Unicode host names or ``#fragments``. The address is parsed
with Ada, the WHATWG URL parser that Node.js uses, so ``http://0x7f.1/`` means
what it means in a browser (127.0.0.1). Then it is normalised so that one
address reported twice compares equal: lower-case scheme and host, IDNA
(punycode) host, no default port, no fragment, no user name or password.
"""

import enum
import ipaddress
import re
from dataclasses import dataclass

import ada_url
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 4096
_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A scheme the reporter typed: "ftp:", "javascript:", "file:" ... but not "example.com:8080".
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d+(?:[/?#]|$))")
# "htp://", "http:/", "https//", "ttps://", and "hxxp://" as analysts defang addresses.
_TYPO_SCHEMES = re.compile(r"^(h?[tx]{0,2}p?s?)(:/{0,3}|/{1,3}|;//)(?=[^/])", re.IGNORECASE)
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class UrlProblem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    SCHEME = "scheme"
    INVALID = "invalid"
    HOST = "host"


def _message(problem: UrlProblem) -> str:
    # Evaluated per call, so the message follows the language of the request.
    messages = {
        UrlProblem.EMPTY: _("Enter the web address (URL) where you saw the material."),
        UrlProblem.TOO_LONG: _("This web address is too long."),
        UrlProblem.SCHEME: _(
            "Only web addresses starting with http:// or https:// can be checked."
        ),
        UrlProblem.INVALID: _(
            "This is not a valid web address. Copy it from the address bar of your browser."
        ),
        UrlProblem.HOST: _(
            "This web address has no public host name. Copy the full address from the "
            "address bar of your browser."
        ),
    }
    return messages[problem]


class UrlRefused(ValueError):
    """An address that cannot be checked; ``message`` is shown to the reporter."""

    def __init__(self, problem: UrlProblem) -> None:
        self.code = str(problem)
        self.message = _message(problem)
        super().__init__(self.message)


@dataclass(frozen=True)
class WebAddress:
    """A normalised http(s) address and the parts the crawler needs."""

    url: str
    scheme: str
    host: str  # IDNA (ASCII) host name, or an IP address without brackets
    port: int

    @property
    def host_is_ip(self) -> bool:
        return _as_ip(self.host) is not None


def _as_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _with_scheme(text: str) -> str:
    """Repair the usual ways a scheme gets lost: "www.x.nl", "htp://", "http:/", "//x"."""
    repaired = _TYPO_SCHEMES.sub(
        lambda m: ("https" if m.group(1).lower().endswith("s") else "http") + "://", text, count=1
    )
    if repaired != text and _TYPO_SCHEMES.match(text).group(1):
        return repaired
    if text.startswith("//"):
        return "http:" + text
    if _HAS_SCHEME.match(text):
        return text
    return "http://" + text


def _host_checked(host: str) -> str:
    if _as_ip(host) is not None:
        return host.strip("[]")
    name = host.rstrip(".")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise UrlRefused(UrlProblem.HOST)
    if labels[-1].isdigit():  # "1.2.3.999": not an address, not a name
        raise UrlRefused(UrlProblem.HOST)
    return name


def url_normalise(text: str) -> WebAddress:
    """The normalised form of a reported address; raises UrlRefused with a clear message."""
    # Leading and trailing spaces go; the parser drops tabs and line breaks (an
    # address wrapped by an e-mail program) and encodes spaces in the path.
    text = (text or "").strip()
    if not text:
        raise UrlRefused(UrlProblem.EMPTY)
    if len(text) > MAX_URL_LENGTH:
        raise UrlRefused(UrlProblem.TOO_LONG)
    try:
        parsed = ada_url.URL(_with_scheme(text))
    except ValueError as error:
        raise UrlRefused(UrlProblem.INVALID) from error
    scheme = parsed.protocol.rstrip(":")
    if scheme not in _SCHEMES:
        raise UrlRefused(UrlProblem.SCHEME)
    host = _host_checked(parsed.hostname)
    port = int(parsed.port) if parsed.port else _DEFAULT_PORTS[scheme]
    parsed.hash = ""
    parsed.username = ""
    parsed.password = ""
    if not parsed.hostname.startswith("[") and host != parsed.hostname:
        parsed.hostname = host  # the trailing dot of "example.com."
    url = parsed.href
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(UrlProblem.TOO_LONG)
    return WebAddress(url=url, scheme=scheme, host=host, port=port)


def url_join(base: str, location: str) -> WebAddress:
    """Where a redirect's Location points, normalised; raises UrlRefused like url_normalise."""
    try:
        joined = ada_url.join_url(base, location.strip())
    except ValueError as error:
        raise UrlRefused(UrlProblem.INVALID) from error
    if not _HAS_SCHEME.match(joined) or not joined.lower().startswith(_SCHEMES):
        raise UrlRefused(UrlProblem.SCHEME)
    return url_normalise(joined)
