"""The pictures and videos an HTML page shows or links, as the crawler should fetch them.

A reported page rarely is the material itself: it shows pictures and videos
that live at their own addresses. This module reads a fetched page with
Python's own tolerant HTML parser (no network, no scripts, no CSS) and lists
those addresses the way a browser would resolve them: against the page's
final address, or its first ``<base href>``; normalised with
``lines.webaddress`` (only http and https, public host names), without
duplicates, in the order the page names them.

Looked at: ``img`` (``src``, ``srcset``, and the ``data-src``/``data-srcset``
of lazy loading), ``picture``/``source`` (``srcset``), ``video`` (``src``,
``poster``) and its ``source`` (``src``), Open Graph and Twitter card
pictures and videos (``og:image``, ``twitter:image`` ...), ``link
rel=image_src`` and plain links (``a href``) whose path ends like a picture or
video file. Not looked at: CSS backgrounds, scripts, ``data:`` addresses,
frames. The page is hostile input: only its first bytes are read (the caller
caps them) and nothing here can fail on what it contains.
"""

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from meldpunt.lines.webaddress import UrlRefused, WebAddress, url_join

# Extensions of direct links (a href) that point at a picture or video file.
MEDIA_EXTENSIONS = (
    ".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff",
    ".heic", ".heif", ".avif", ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi",
    ".wmv", ".mpg", ".mpeg", ".3gp", ".flv",
)  # fmt: skip
# <meta property|name=... content=...> that name a picture or video of the page.
_META_MEDIA = {
    "og:image", "og:image:url", "og:image:secure_url",
    "og:video", "og:video:url", "og:video:secure_url",
    "twitter:image", "twitter:image:src", "twitter:player:stream",
}  # fmt: skip
_IMG_ATTRIBUTES = ("src", "data-src")
_IMG_SRCSETS = ("srcset", "data-srcset")
# Bytes a browser looks at for <meta charset> before decoding (WHATWG prescan).
_PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET_PARAMETER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Schemes a page may use that are never fetched (no address to go to).
_SKIPPED_SCHEMES = ("data:", "javascript:", "blob:", "about:", "mailto:")


@dataclass
class PageMedia:
    """The first distinct media addresses of a page, in document order, and how many more.

    ``more`` counts the further distinct references past the limit, as written
    in the page (not resolved: a page with a hundred thousand pictures must not
    cost a hundred thousand address parses).
    """

    addresses: list[WebAddress] = field(default_factory=list)
    more: int = 0


def srcset_urls(value: str) -> list[str]:
    """The addresses of a ``srcset`` ("a.jpg 1x, b.jpg 2x"), as the WHATWG parser splits it.

    An address runs to the next white space (it may contain commas); a comma
    right after it ends the candidate; descriptors run to the next comma
    outside parentheses.
    """
    urls = []
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < length and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while position < length and (depth or value[position] != ","):
                depth += {"(": 1, ")": -1}.get(value[position], 0)
                depth = max(depth, 0)
                position += 1
        if url:
            urls.append(url)
    return urls


def _is_media_link(href: str) -> bool:
    try:
        path = urlsplit(href.strip()).path
    except ValueError:
        return False
    return path.lower().endswith(MEDIA_EXTENSIONS)


class _MediaParser(HTMLParser):
    """Collects raw media addresses and the first <base href> while parsing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.base: str | None = None
        # Open <picture>, <video> and <audio> elements: what a <source> belongs to.
        self._containers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("picture", "video", "audio"):
            self._containers.append(tag)
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag == "img":
            self.found += [values[name] for name in _IMG_ATTRIBUTES if values.get(name)]
            for name in _IMG_SRCSETS:
                self.found += srcset_urls(values.get(name, ""))
        elif tag == "video":
            self.found += [values[name] for name in ("src", "poster") if values.get(name)]
        elif tag == "source" and self._containers:
            if self._containers[-1] == "picture":
                self.found += srcset_urls(values.get("srcset", ""))
            elif self._containers[-1] == "video" and values.get("src"):
                self.found.append(values["src"])
        elif tag == "meta":
            kind = (values.get("property") or values.get("name") or "").strip().lower()
            if kind in _META_MEDIA and values.get("content"):
                self.found.append(values["content"])
        elif tag == "link" and "image_src" in values.get("rel", "").lower().split():
            if values.get("href"):
                self.found.append(values["href"])
        elif tag == "a" and _is_media_link(values.get("href", "")):
            self.found.append(values["href"])

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![`` that is not CDATA or a conditional comment is a bogus comment up to ``>``.

        So browsers read it (WHATWG); Python 3.12's parser raises AssertionError
        on it instead, and hostile pages are full of such bytes.
        """
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._containers:
            # Close the innermost open element of this name (and what was left open in it).
            index = len(self._containers) - 1 - self._containers[::-1].index(tag)
            del self._containers[index:]


def _encoding(body: bytes, declared_type: str) -> str:
    """The page's character encoding: byte-order mark, Content-Type, <meta charset>, UTF-8."""
    for bom, name in _BYTE_ORDER_MARKS:
        if body.startswith(bom):
            return name
    candidates = []
    if declared := _CHARSET_PARAMETER.search(declared_type):
        candidates.append(declared.group(1))
    if meta := _META_CHARSET.search(body[:_PRESCAN_BYTES]):
        candidates.append(meta.group(1).decode("ascii"))
    for candidate in candidates:
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return "utf-8"


def page_media_extract(
    *, body: bytes, page_url: str, limit: int, declared_type: str = ""
) -> PageMedia:
    """The first ``limit`` pictures and videos the page ``body`` (from ``page_url``) shows or links.

    Addresses that do not resolve to a fetchable http(s) address (``data:``,
    ``javascript:``, internal host names, garbage) are left out; so is the page
    itself.
    """
    parser = _MediaParser()
    parser.feed(body.decode(_encoding(body, declared_type), errors="replace"))
    parser.close()
    base = page_url
    if parser.base is not None:
        try:
            base = url_join(page_url, parser.base).url
        except UrlRefused:
            pass  # a browser falls back to the document's address too
    media = PageMedia()
    looked_at: set[str] = set()  # references as written
    resolved = {page_url}
    rest: set[str] = set()
    for raw in parser.found:
        raw = raw.strip()
        if not raw or raw in looked_at or raw.lower().startswith(_SKIPPED_SCHEMES):
            continue
        if len(media.addresses) >= limit:
            rest.add(raw)
            continue
        looked_at.add(raw)
        try:
            address = url_join(base, raw)
        except UrlRefused:
            continue
        if address.url not in resolved:
            resolved.add(address.url)
            media.addresses.append(address)
    media.more = len(rest)
    return media
