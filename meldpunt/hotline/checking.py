"""The crawler's check of one reported address: fetch, match, trace, record.

The slow part (fetching, cleaning, hashing) runs outside any transaction; the
results are recorded in one. A check is claimed first by moving the address's
``next_check_at`` forward with a compare-and-set update, so any number of
workers may run checks at once and each address is checked once per turn; a
worker that dies mid-check leaves a short lease after which the next sweep
tries again.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from meldpunt.evidence.models import EvidenceMatch
from meldpunt.hotline.capturing import (
    Capture,
    PageMediaCapture,
    body_capture,
    capture_store,
    page_media_capture,
)
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.fetching import FetchResult, Outcome, url_fetch
from meldpunt.hotline.iptable import ip_network
from meldpunt.hotline.models import (
    RECHECKED_STATES,
    CheckPurpose,
    FetchAttempt,
    HostingRoute,
    HostingTrace,
    HotlineState,
    KnownStatus,
    MediaState,
    OnlineStatus,
    PageMediaItem,
    ReportedUrl,
)
from meldpunt.hotline.resolving import ResolveError, host_resolve
from meldpunt.hotline.sealing import details_seal, url_open, url_seal
from meldpunt.lines.webaddress import UrlRefused, url_normalise
from meldpunt.vault import crypto

logger = logging.getLogger(__name__)

# How long a claimed check may take before another worker may try again.
CHECK_LEASE = timedelta(hours=1)
# States in which material has been judged and acted on: offline here means removed.
_ACTED_ON = (
    HotlineState.KNOWN,
    HotlineState.ILLEGAL,
    HotlineState.NOTICE_SENT,
    HotlineState.POLICE_INFORMED,
)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hosting_route(country: str) -> HostingRoute:
    """Where illegal material hosted in ``country`` goes (DESIGN §5)."""
    if not country:
        return HostingRoute.UNKNOWN
    if country == hotline_setting("HOTLINE_HOME_COUNTRY"):
        return HostingRoute.DOMESTIC
    if country in hotline_setting("HOTLINE_PARTNER_COUNTRIES"):
        return HostingRoute.PARTNER_HOTLINE
    return HostingRoute.ABROAD


@dataclass
class Trace:
    """The A/AAAA records of a host, each with its network from the IP table."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    primary: dict[str, Any] = field(default_factory=dict)


def hosting_trace(*, host: str, connected: str = "") -> Trace:
    """Trace a host: its addresses now, and the network, country and organisation of each.

    The address the crawler connected to (if any) is the primary one; a host
    that no longer resolves is traced by that address alone.
    """
    try:
        addresses = host_resolve(host).addresses
    except ResolveError:
        addresses = []
    if connected and connected not in addresses:
        addresses.insert(0, connected)
    entries = []
    for address in addresses:
        network = ip_network(address)
        entries.append(
            {
                "address": address,
                "asn": network.asn if network else None,
                "country": network.country if network else "",
                "organisation": network.organisation if network else "",
            }
        )
    primary = next((e for e in entries if e["address"] == connected), entries[0] if entries else {})
    return Trace(entries=entries, primary=primary)


def _claim(reported_url_id: int, now: datetime) -> ReportedUrl | None:
    item = (
        ReportedUrl.objects.select_related("report__line")
        .filter(
            pk=reported_url_id,
            state__in=RECHECKED_STATES,
            next_check_at__lte=now,
            destroyed_at=None,
        )
        .first()
    )
    if item is None:
        return None
    claimed = ReportedUrl.objects.filter(pk=item.pk, next_check_at=item.next_check_at).update(
        next_check_at=now + CHECK_LEASE, is_checking=True
    )
    return item if claimed else None


def _next_state(item: ReportedUrl, *, first: bool, outcome: str, is_known: bool) -> str:
    if first:
        return HotlineState.KNOWN if is_known else HotlineState.ASSESSMENT
    if item.state == HotlineState.ASSESSMENT and is_known:
        return HotlineState.KNOWN  # a list gained the material since the first check
    gone_after = hotline_setting("HOTLINE_GONE_AFTER_OFFLINE_CHECKS")
    if item.state in _ACTED_ON and outcome == Outcome.OFFLINE and item.offline_checks >= gone_after:
        return HotlineState.GONE
    return item.state


def reported_url_check(*, reported_url_id: int, now: datetime | None = None) -> str:
    """Check one address if it is due; returns what happened (for the task result).

    The first check keeps the body as evidence (cleaned, encrypted for the
    line's staff, matched against the lists) and, for an HTML page, the
    pictures and videos it shows (capturing.page_media_capture); known
    material, of the page or of any of its items, sends the address past the
    analyst. Re-checks only record whether the material is still online; once
    acted-on material is offline HOTLINE_GONE_AFTER_OFFLINE_CHECKS times in a
    row it is gone and no longer checked.
    """
    now = now or timezone.now()
    item = _claim(reported_url_id, now)
    if item is None:
        return "not due"
    first = item.state == HotlineState.NEW
    try:
        address = url_normalise(url_open(item.sealed_url))
    except (UrlRefused, crypto.DecryptionError):
        logger.warning("reported address %s cannot be read", item.pk)
        return "unreadable"
    result = url_fetch(address)
    capture, media = Capture(), PageMediaCapture()
    try:
        capture = body_capture(result, keep=first)
        if first:
            media = page_media_capture(result)
        trace = hosting_trace(host=url_normalise(result.final_url).host, connected=result.address)
        return _record(item.pk, now, first, result, capture, media, trace)
    finally:
        result.discard()
        capture.discard()
        media.discard()


def _record(
    pk: int,
    now: datetime,
    first: bool,
    result: FetchResult,
    capture: Capture,
    media: PageMediaCapture,
    trace: Trace,
) -> str:
    with transaction.atomic():
        item = ReportedUrl.objects.select_for_update().select_related("report__line").get(pk=pk)
        if item.destroyed_at is not None:
            return "destroyed meanwhile"
        evidence = capture_store(item=item, prepared=capture.prepared) if capture.prepared else None
        is_known = bool(capture.matched_lists) or (
            evidence is not None and EvidenceMatch.objects.filter(evidence=evidence).exists()
        )
        details = {
            "checked_at": now.isoformat(),
            "final_url": result.final_url,
            "redirects": result.redirects,
            "address": result.address,
            "declared_type": result.declared_type,
            "sha256": result.sha256,
            "seconds": result.seconds,
            "matched_lists": capture.matched_lists,
            # For the own list, when the analyst confirms the file illegal.
            **_cleaned_hashes(capture),
        }
        attempt = FetchAttempt.objects.create(
            reported_url=item,
            purpose=CheckPurpose.FIRST if first else CheckPurpose.RECHECK,
            checked_at=_hour(now),
            outcome=result.outcome,
            error=result.error,
            http_status=result.status,
            media_type=result.media_type,
            size=result.size,
            sealed_details=details_seal(details),
            evidence=evidence,
            capture_refusal=capture.refusal,
            is_known=is_known,
            media_search=media.search,
            media_more=media.more,
            is_media_search_cut=media.is_cut,
        )
        if _media_record(item, attempt, media):
            is_known = attempt.is_known = True
            attempt.save(update_fields=["is_known"])
        _trace_record(item, trace, now)
        item.online_status = OnlineStatus(result.outcome)
        if result.outcome == Outcome.OFFLINE:
            item.offline_checks += 1
        elif result.outcome == Outcome.ONLINE:
            item.offline_checks = 0
        if is_known:
            item.known_status = KnownStatus.KNOWN
        elif first:
            item.known_status = KnownStatus.NOT_KNOWN
        item.state = _next_state(item, first=first, outcome=result.outcome, is_known=is_known)
        item.check_count += 1
        item.is_checking = False
        item.last_checked_at = _hour(now)
        if item.state == HotlineState.GONE:
            item.gone_at = _hour(now)
            item.next_check_at = None
        else:
            item.next_check_at = now + timedelta(hours=hotline_setting("HOTLINE_RECHECK_HOURS"))
        item.save()
    return f"{item.state}: {result.outcome}"


def _cleaned_hashes(capture: Capture) -> dict:
    hashes = capture.prepared.hashes if capture.prepared else {}
    return {
        "cleaned_sha256": hashes.get("sha256", ""),
        "pdq": hashes.get("pdq", ""),
        "pdq_quality": hashes.get("pdq_quality"),
    }


def _media_record(item: ReportedUrl, attempt: FetchAttempt, media: PageMediaCapture) -> bool:
    """Store the kept pictures and videos and record every item; True when any is known."""
    any_known = False
    for position, found in enumerate(media.items):
        prepared = found.capture.prepared
        evidence = capture_store(item=item, prepared=prepared) if prepared else None
        state = found.state
        if evidence is not None and EvidenceMatch.objects.filter(evidence=evidence).exists():
            state = MediaState.KNOWN  # by PDQ, or the exact hash of the cleaned file
        any_known = any_known or state == MediaState.KNOWN
        PageMediaItem.objects.create(
            attempt=attempt,
            position=position,
            sealed_url=url_seal(found.url),
            sealed_details=details_seal(found.details),
            state=state,
            reason=found.reason,
            http_status=found.http_status,
            media_type=found.media_type,
            size=found.size,
            evidence=evidence,
        )
    return any_known


def _trace_record(item: ReportedUrl, trace: Trace, now: datetime) -> None:
    if not trace.entries:
        return
    latest = item.traces.order_by("-pk").first()
    if latest is None or latest.addresses != trace.entries:
        HostingTrace.objects.create(
            reported_url=item,
            traced_at=_hour(now),
            addresses=trace.entries,
            asn=trace.primary.get("asn"),
            country=trace.primary.get("country", ""),
            organisation=trace.primary.get("organisation", ""),
        )
    item.country = trace.primary.get("country", "")
    item.asn = trace.primary.get("asn")
    item.route = hosting_route(item.country)


def reported_urls_due(*, now: datetime | None = None) -> list[int]:
    """Ids of addresses whose check is due, oldest first."""
    now = now or timezone.now()
    return list(
        ReportedUrl.objects.filter(
            state__in=RECHECKED_STATES, next_check_at__lte=now, destroyed_at=None
        )
        .order_by("next_check_at", "pk")
        .values_list("pk", flat=True)
    )


def reported_urls_recheck_due(*, now: datetime | None = None) -> int:
    """Check every due address in this process (the CLI); returns how many were checked."""
    checked = 0
    for pk in reported_urls_due(now=now):
        if reported_url_check(reported_url_id=pk, now=now) != "not due":
            checked += 1
    return checked
