"""What the crawler keeps of what it fetched: the body, and the pictures and videos of a page.

Everything here is slow (fetching, cleaning, hashing) and runs outside any
transaction; ``capture_store`` is the one step that writes, inside the
check's recording transaction (checking._record).

A reported address is often an HTML page that shows the material rather than
the material itself. On the first check its pictures and videos
(htmlmedia.page_media_extract) are fetched one by one with the same
SSRF-safe fetcher as the page (every redirect vetted again, inward addresses
refused), within the page's budget of items, bytes and seconds. The content
decides the type, never the server's Content-Type: only what sniffs as a
picture or a video is cleaned and kept, as evidence like the page itself.
Matching against the lists happens as for every file (exact hashes of the
body as found here, exact and PDQ of the cleaned file in ``evidence_store``,
vPDQ later in the evidence worker).
"""

import time
from dataclasses import dataclass, field
from typing import Any

from meldpunt.evidence import formats
from meldpunt.evidence.hashing import file_digests
from meldpunt.evidence.models import EvidenceFile
from meldpunt.evidence.services import (
    EvidenceRejected,
    PreparedFile,
    evidence_prepare,
    evidence_store,
)
from meldpunt.hashes.matching import hashes_match
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.fetching import FetchError, FetchResult, url_fetch
from meldpunt.hotline.htmlmedia import PageMedia, page_media_extract
from meldpunt.hotline.models import MediaSearch, MediaState, ReportedUrl
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import Role, StaffUser

# What a page's item must be to be kept: a picture or a video, by its content.
MEDIA_FORMATS = frozenset(
    fmt.name for fmt in formats.ALL_FORMATS if fmt.media_type.startswith(("image/", "video/"))
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Bytes that never occur in text (WHATWG MIME sniffing, "binary data byte").
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_SNIFF_BYTES = 512
# Fetch failures that are the crawler's refusal rather than the site's failure.
_REFUSALS = {FetchError.ADDRESS_NOT_ALLOWED, FetchError.REDIRECT_REFUSED}


@dataclass
class Capture:
    """A fetched body matched against the lists and, when kept, cleaned for storing."""

    prepared: PreparedFile | None = None
    refusal: str = ""
    matched_lists: list[str] = field(default_factory=list)

    def discard(self) -> None:
        if self.prepared is not None:
            self.prepared.discard()


def body_capture(
    result: FetchResult, *, keep: bool, allowed_formats: frozenset[str] | None = None
) -> Capture:
    """Match the body as found against the lists; when ``keep``, clean it for storing."""
    capture = Capture()
    if result.path is None:
        return capture
    matches = hashes_match(exact=file_digests(result.path))
    capture.matched_lists = sorted({match.list_name for match in matches})
    if keep:
        try:
            with result.path.open("rb") as body:
                capture.prepared = evidence_prepare(
                    source=body,
                    name=result.final_url.rsplit("/", 1)[-1][:255] or "index",
                    max_bytes=hotline_setting("HOTLINE_FETCH_MAX_BYTES"),
                    allowed_formats=allowed_formats,
                )
        except EvidenceRejected as refusal:
            capture.refusal = refusal.code
    return capture


def capture_store(*, item: ReportedUrl, prepared: PreparedFile) -> EvidenceFile:
    """Encrypt a cleaned body under a new data key sealed for the line's staff.

    The crawler forgets the key at once: from here on only the line's staff can
    open the file. Known-material matches are recorded by ``evidence_store``.
    """
    key_bytes = crypto.new_data_key()
    line = item.report.line
    recipients = StaffUser.objects.filter(line_memberships__line=line, is_active=True).exclude(
        role=Role.PARTNER
    )
    data_key = data_key_create(key_bytes=key_bytes, line=line, recipients=recipients)
    return evidence_store(prepared=prepared, data_key=data_key, key_bytes=key_bytes)


@dataclass
class MediaCapture:
    """One picture or video of a page: what the crawler did with it and why."""

    url: str
    state: str = ""
    reason: str = ""
    http_status: int | None = None
    media_type: str = ""
    size: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    capture: Capture = field(default_factory=Capture)


@dataclass
class PageMediaCapture:
    """The pictures and videos of one fetched page, within the page's budget."""

    search: str = MediaSearch.NOT_SEARCHED
    items: list[MediaCapture] = field(default_factory=list)
    more: int = 0
    is_cut: bool = False

    def discard(self) -> None:
        for item in self.items:
            item.capture.discard()


def media_search_kind(result: FetchResult) -> str:
    """Whether a fetched body is a page to search for pictures and videos.

    The content decides: what sniffs as HTML is searched. A body the server
    calls HTML that shows no HTML signature is searched too when it is text (as
    a browser would render it); anything else it calls HTML (binary garbage, a
    picture, a PDF) is recorded as "not HTML". Other files are not pages.
    """
    if result.path is None:
        return MediaSearch.NOT_SEARCHED
    if result.media_type == "text/html":
        return MediaSearch.SEARCHED
    declared = result.declared_type.split(";", 1)[0].strip().lower()
    if declared not in _HTML_TYPES:
        return MediaSearch.NOT_SEARCHED
    with result.path.open("rb") as body:
        head = body.read(_SNIFF_BYTES)
    if result.media_type == "application/octet-stream" and not _BINARY_BYTES.intersection(head):
        return MediaSearch.SEARCHED
    return MediaSearch.NOT_HTML


def page_references(result: FetchResult) -> tuple[PageMedia, bool]:
    """The pictures and videos a searchable page names, and whether the page was cut.

    Only the first HOTLINE_PAGE_PARSE_MAX_BYTES are searched; at most
    HOTLINE_PAGE_MEDIA_MAX_ITEMS addresses are returned, further ones counted.
    """
    parse_max = hotline_setting("HOTLINE_PAGE_PARSE_MAX_BYTES")
    with result.path.open("rb") as body:
        html = body.read(parse_max + 1)
    media = page_media_extract(
        body=html[:parse_max],
        page_url=result.final_url,
        limit=hotline_setting("HOTLINE_PAGE_MEDIA_MAX_ITEMS"),
        declared_type=result.declared_type,
    )
    return media, len(html) > parse_max


def page_media_capture(result: FetchResult) -> PageMediaCapture:
    """Fetch, match and clean the pictures and videos of a fetched page, within its budget.

    Items past HOTLINE_PAGE_MEDIA_MAX_ITEMS are only counted (``more``); items
    reached after the page's bytes or seconds ran out are recorded as over
    budget without being fetched. Never raises for what the page or its items
    contain. The caller discards the result's temporary files.
    """
    page = PageMediaCapture(search=media_search_kind(result))
    if page.search != MediaSearch.SEARCHED:
        return page
    media, page.is_cut = page_references(result)
    page.more = media.more
    deadline = time.monotonic() + hotline_setting("HOTLINE_PAGE_MEDIA_TOTAL_SECONDS")
    bytes_left = hotline_setting("HOTLINE_PAGE_MEDIA_MAX_BYTES")
    item_max = hotline_setting("HOTLINE_PAGE_MEDIA_ITEM_MAX_BYTES")
    for address in media.addresses:
        item = MediaCapture(url=address.url)
        page.items.append(item)
        seconds_left = deadline - time.monotonic()
        if seconds_left <= 0 or bytes_left <= 0:
            item.state = MediaState.OVER_BUDGET
            item.reason = "seconds" if seconds_left <= 0 else "bytes"
            continue
        limit = min(item_max, bytes_left)
        fetched = url_fetch(address, max_bytes=limit, total_seconds=seconds_left)
        try:
            bytes_left -= fetched.size if fetched.path else 0
            if fetched.error == FetchError.TOO_LARGE:
                bytes_left -= limit  # read up to the limit before it was cut off
            _media_classify(
                item,
                fetched,
                cut_by_bytes=limit < item_max,
                cut_by_seconds=seconds_left < hotline_setting("HOTLINE_FETCH_TOTAL_SECONDS"),
            )
        finally:
            fetched.discard()
    return page


def _media_classify(
    item: MediaCapture, fetched: FetchResult, *, cut_by_bytes: bool, cut_by_seconds: bool
) -> None:
    """Decide an item's state from its fetch; keep (clean) only pictures and videos."""
    item.http_status = fetched.status
    item.media_type = fetched.media_type
    item.size = fetched.size
    item.details = {
        "final_url": fetched.final_url,
        "redirects": fetched.redirects,
        "address": fetched.address,
        "declared_type": fetched.declared_type,
        "sha256": fetched.sha256,
        "seconds": fetched.seconds,
    }
    if fetched.path is None:
        if fetched.error == FetchError.TOO_LARGE:
            item.state = MediaState.OVER_BUDGET if cut_by_bytes else MediaState.REFUSED
            item.reason = "bytes" if cut_by_bytes else FetchError.TOO_LARGE
        elif fetched.error == FetchError.TIMEOUT and cut_by_seconds:
            item.state, item.reason = MediaState.OVER_BUDGET, "seconds"
        elif fetched.error in _REFUSALS:
            item.state, item.reason = MediaState.REFUSED, fetched.error
        else:
            item.state, item.reason = MediaState.FAILED, fetched.error
        return
    is_media = fetched.media_type.startswith(("image/", "video/"))
    item.capture = body_capture(fetched, keep=is_media, allowed_formats=MEDIA_FORMATS)
    prepared = item.capture.prepared
    item.details |= {
        "matched_lists": item.capture.matched_lists,
        "cleaned_sha256": prepared.hashes.get("sha256", "") if prepared else "",
        "pdq": prepared.hashes.get("pdq", "") if prepared else "",
        "pdq_quality": prepared.hashes.get("pdq_quality") if prepared else None,
    }
    if item.capture.matched_lists:
        item.state = MediaState.KNOWN
    elif not is_media:
        item.state, item.reason = MediaState.REFUSED, "not_media"
    elif item.capture.refusal:
        item.state, item.reason = MediaState.REFUSED, item.capture.refusal
    else:
        item.state = MediaState.STORED  # may still turn out known when stored
