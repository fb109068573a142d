"""Whether a re-check still finds the material an address was judged on.

An address judged illegal is re-checked until the material is gone. "Gone" is
more than a 404: a page that is still online but no longer shows the pictures
it showed has removed the material too, and a file that now holds something
else is not the file that was judged. The first check kept, sealed under the
hotline key, the SHA-256 of the body as found and of every picture and video
of the page; a re-check compares what it finds now with those hashes.

Only the body as found is compared (its SHA-256, and its exact hashes against
the lists): the re-check cleans nothing, so a re-encoded copy of a picture
counts as gone unless a list knows it.
"""

import time
from dataclasses import dataclass, field

from meldpunt.evidence.hashing import file_digests
from meldpunt.hashes.matching import hashes_match
from meldpunt.hotline.capturing import media_search_kind, page_references
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.fetching import FetchError, FetchResult, Outcome, url_fetch
from meldpunt.hotline.models import (
    CheckPurpose,
    MediaSearch,
    MediaState,
    PageMediaItem,
    Presence,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open, url_open
from meldpunt.lines.webaddress import UrlRefused, url_normalise
from meldpunt.vault import crypto

# What a re-check may find that says the material is no longer there.
ABSENT = (Presence.OFFLINE, Presence.CONTENT_CHANGED, Presence.MEDIA_GONE)
# Items of the first check that were the page's material (kept as evidence).
_KEPT_STATES = (MediaState.STORED, MediaState.KNOWN)


@dataclass
class JudgedMaterial:
    """What the first check found: the body's SHA-256 and, for a page, its kept items."""

    sha256: str = ""
    media: dict[str, str] = field(default_factory=dict)  # item address -> SHA-256 as found

    @property
    def hashes(self) -> set[str]:
        return set(self.media.values())


def judged_material(item: ReportedUrl) -> JudgedMaterial:
    """Read (with the hotline key) what the first check of the address found.

    Items whose sealed details cannot be opened (wiped with the report) are
    left out; with nothing left to compare, only the HTTP status can tell.
    """
    material = JudgedMaterial()
    first = (
        item.attempts.filter(purpose=CheckPurpose.FIRST)
        .order_by("-pk")
        .values_list("pk", "sealed_details", "media_search")
        .first()
    )
    if first is None:
        return material
    first_pk, sealed_details, media_search = first
    material.sha256 = _opened(sealed_details).get("sha256", "")
    if media_search != MediaSearch.SEARCHED:
        return material  # a file, not a page: the first check kept no items
    items = PageMediaItem.objects.filter(attempt=first_pk, state__in=_KEPT_STATES).values_list(
        "sealed_url", "sealed_details"
    )
    for sealed_url, sealed_details in items:
        sha256 = _opened(sealed_details).get("sha256")
        try:
            url = url_open(sealed_url) if sealed_url else ""
        except crypto.DecryptionError:
            url = ""
        if sha256 and url:
            material.media[url] = sha256
    return material


def _opened(sealed: bytes) -> dict:
    try:
        return details_open(sealed) if sealed else {}
    except crypto.DecryptionError:
        return {}


def material_presence(*, result: FetchResult, material: JudgedMaterial, is_listed: bool) -> str:
    """Compare a re-check's fetch with the judged material; a Presence value.

    ``is_listed``: the body as found now matched a list of known material, which
    counts as the material still being there whatever else changed.
    """
    if result.outcome == Outcome.OFFLINE:
        return Presence.OFFLINE
    if result.outcome == Outcome.ERROR:
        return Presence.UNKNOWN
    if result.path is None:  # online, but empty or over the size limit
        return Presence.CONTENT_CHANGED if result.error == FetchError.EMPTY else Presence.UNKNOWN
    if is_listed or (material.sha256 and result.sha256 == material.sha256):
        return Presence.PRESENT
    if not material.media:
        return Presence.CONTENT_CHANGED if material.sha256 else Presence.UNKNOWN
    if media_search_kind(result) != MediaSearch.SEARCHED:
        return Presence.CONTENT_CHANGED  # the page became something that is no page
    return _page_media_presence(result, material)


def _page_media_presence(result: FetchResult, material: JudgedMaterial) -> str:
    """Fetch the page's pictures and videos until one is the judged material (or listed).

    The addresses kept at the first check come first, so the usual answer
    ("still there") costs one fetch; the page's other items follow (the same
    picture may have moved to a new address). All within the page's budget of
    items, bytes and seconds; when the budget runs out before every item was
    looked at, the answer is "could not tell", never "gone".
    """
    media, _is_cut = page_references(result)
    candidates = sorted(media.addresses, key=lambda address: address.url not in material.media)
    for url in material.media:  # kept addresses the page no longer names: maybe still served
        try:
            address = url_normalise(url)
        except UrlRefused:
            continue
        if address.url not in {candidate.url for candidate in candidates}:
            candidates.append(address)
    deadline = time.monotonic() + hotline_setting("HOTLINE_PAGE_MEDIA_TOTAL_SECONDS")
    bytes_left = hotline_setting("HOTLINE_PAGE_MEDIA_MAX_BYTES")
    item_max = hotline_setting("HOTLINE_PAGE_MEDIA_ITEM_MAX_BYTES")
    hashes = material.hashes
    for address in candidates[: hotline_setting("HOTLINE_PAGE_MEDIA_MAX_ITEMS")]:
        seconds_left = deadline - time.monotonic()
        if seconds_left <= 0 or bytes_left <= 0:
            return Presence.UNKNOWN
        fetched = url_fetch(
            address, max_bytes=min(item_max, bytes_left), total_seconds=seconds_left
        )
        try:
            if fetched.path is None:
                continue
            bytes_left -= fetched.size
            if fetched.sha256 in hashes or hashes_match(exact=file_digests(fetched.path)):
                return Presence.PRESENT
        finally:
            fetched.discard()
    return Presence.MEDIA_GONE
