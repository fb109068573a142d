"""The crawler's check of one reported address: fetch, match, trace, record.

The slow part (fetching, cleaning, hashing) runs outside any transaction; the
results are recorded in one. A check is claimed first by moving the address's
``next_check_at`` forward with a compare-and-set update, so any number of
workers may run checks at once and each address is checked once per turn; a
worker that dies mid-check leaves a short lease after which the next sweep
tries again.
"""

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, transaction
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
    JUDGED_ILLEGAL_STATES,
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
    Presence,
    ReportedUrl,
)
from meldpunt.hotline.removal import ABSENT, JudgedMaterial, judged_material, material_presence
from meldpunt.hotline.resolving import ResolveError, host_resolve
from meldpunt.hotline.sealing import details_seal, url_open, url_seal
from meldpunt.hotline.signals import removal_overdue
from meldpunt.lines.webaddress import UrlRefused, url_normalise
from meldpunt.vault import crypto

logger = logging.getLogger(__name__)

# How long a claimed check may take before another worker may try again.
CHECK_LEASE = timedelta(hours=1)


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


def hosting_trace(*, host: str, connected: str = "", resolved: list[str] | None = None) -> Trace:
    """Trace a host: its addresses now, and the network, country and organisation of each.

    The address the crawler connected to (if any) is the primary one; a host
    that no longer resolves is traced by that address alone. ``resolved``: the
    host's addresses as the fetch just looked them up, so as not to ask again.
    """
    if resolved:
        addresses = list(resolved)
    else:
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
    # Only what the fetch needs; the report and line are read in _record, and
    # only for a first check.
    item = (
        ReportedUrl.objects.only("sealed_url", "state", "next_check_at")
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


def _next_state(item: ReportedUrl, *, first: bool, is_absent: bool, is_known: bool) -> str:
    if first:
        return HotlineState.KNOWN if is_known else HotlineState.ASSESSMENT
    if item.state == HotlineState.ASSESSMENT and is_known:
        return HotlineState.KNOWN  # a list gained the material since the first check
    gone_after = hotline_setting("HOTLINE_GONE_AFTER_OFFLINE_CHECKS")
    if item.state in JUDGED_ILLEGAL_STATES and is_absent and item.offline_checks >= gone_after:
        return HotlineState.GONE
    return item.state


def reported_url_check(*, reported_url_id: int, now: datetime | None = None) -> str:
    """Check one address if it is due; returns what happened (for the task result).

    The first check keeps the body as evidence (cleaned, encrypted for the
    line's staff, matched against the lists) and, for an HTML page, the
    pictures and videos it shows (capturing.page_media_capture); known
    material, of the page or of any of its items, sends the address past the
    analyst. Re-checks keep nothing; for material judged illegal they compare
    what is there now with what was judged (hotline.removal), and once it is
    absent HOTLINE_GONE_AFTER_OFFLINE_CHECKS times in a row it is gone and no
    longer checked.
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
    material = judged_material(item) if item.state in JUDGED_ILLEGAL_STATES else None
    result = url_fetch(address)
    capture, media = Capture(), PageMediaCapture()
    try:
        capture = body_capture(result, keep=first)
        if first:
            media = page_media_capture(result)
        presence = _presence(result, capture, material)
        trace = hosting_trace(
            host=url_normalise(result.final_url).host,
            connected=result.address,
            resolved=result.host_addresses,
        )
        return _record(item.pk, now, first, result, capture, media, trace, presence)
    finally:
        result.discard()
        capture.discard()
        media.discard()


def _presence(result: FetchResult, capture: Capture, material: JudgedMaterial | None) -> str:
    """For judged material, whether it is still there; for other addresses only the outcome."""
    if material is not None:
        is_listed = bool(capture.matched_lists)
        return material_presence(result=result, material=material, is_listed=is_listed)
    return {Outcome.OFFLINE: Presence.OFFLINE, Outcome.ONLINE: Presence.PRESENT}.get(
        Outcome(result.outcome), Presence.UNKNOWN
    )


def _record(
    pk: int,
    now: datetime,
    first: bool,
    result: FetchResult,
    capture: Capture,
    media: PageMediaCapture,
    trace: Trace,
    presence: str,
) -> str:
    with transaction.atomic():
        # Lock the address only (no join): locking its report and line too would make
        # every check of a line wait for an analyst's open case and for each other.
        item = ReportedUrl.objects.select_for_update().get(pk=pk)
        if item.destroyed_at is not None:
            return "destroyed meanwhile"
        loaded = _field_values(item)
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
            presence="" if first else presence,
            media_search=media.search,
            media_more=media.more,
            is_media_search_cut=media.is_cut,
        )
        if _media_record(item, attempt, media):
            is_known = attempt.is_known = True
            attempt.save(update_fields=["is_known"])
        _trace_record(item, trace, now)
        item.online_status = OnlineStatus(result.outcome)
        is_absent = presence in ABSENT
        _absence_count(item, presence, _hour(now))
        if is_known:
            item.known_status = KnownStatus.KNOWN
        elif first:
            item.known_status = KnownStatus.NOT_KNOWN
        item.state = _next_state(item, first=first, is_absent=is_absent, is_known=is_known)
        item.check_count += 1
        item.is_checking = False
        item.last_checked_at = _hour(now)
        if item.state in JUDGED_ILLEGAL_STATES and item.illegal_at is None:
            # Known at the first check, or judged by an analyst before this was recorded.
            item.illegal_at = _hour(item.assessed_at or now)
        if item.state == HotlineState.GONE:
            _removal_record(item, presence, _hour(now))
        else:
            item.next_check_at = now + timedelta(hours=hotline_setting("HOTLINE_RECHECK_HOURS"))
        is_overdue = _is_newly_overdue(item, now)
        # Only what changed: a re-check rewrites a few small columns, not the sealed address.
        item.save(
            update_fields=[
                name for name, value in _field_values(item).items() if loaded[name] != value
            ]
        )
        if is_overdue:
            # Inside the transaction: the flag and whatever the receivers record
            # (the reminder notice) are kept together or not at all, so the
            # reminder is announced exactly once.
            removal_overdue.send(sender=ReportedUrl, reported_url=item)
    return f"{item.state}: {result.outcome}"


def _field_values(item: ReportedUrl) -> dict[str, Any]:
    return {field.attname: getattr(item, field.attname) for field in item._meta.concrete_fields}


def _cleaned_hashes(capture: Capture) -> dict:
    hashes = capture.prepared.hashes if capture.prepared else {}
    return {
        "cleaned_sha256": hashes.get("sha256", ""),
        "pdq": hashes.get("pdq", ""),
        "pdq_quality": hashes.get("pdq_quality"),
    }


def _absence_count(item: ReportedUrl, presence: str, hour: datetime) -> None:
    """Count checks in a row that found the material absent; "could not tell" counts neither way."""
    if presence in ABSENT:
        if item.offline_checks == 0 or item.absent_since is None:
            item.absent_since = hour
        item.offline_checks += 1
    elif presence == Presence.PRESENT:
        item.offline_checks = 0
        item.absent_since = None


def _removal_record(item: ReportedUrl, presence: str, hour: datetime) -> None:
    """Gone since the first of the checks in a row that found it absent; the time it took.

    Both ends are whole hours (``illegal_at`` and the check's hour), so the
    time to removal is a whole number of hours and tells no finer time.
    """
    item.gone_at = item.absent_since or hour
    item.gone_reason = presence
    item.next_check_at = None
    if item.illegal_at is not None:
        item.removal_hours = max(0, int((item.gone_at - item.illegal_at).total_seconds() // 3600))


def _is_newly_overdue(item: ReportedUrl, now: datetime) -> bool:
    """Still online HOTLINE_REMOVAL_REMINDER_DAYS after it was judged, and not flagged yet."""
    if item.state not in JUDGED_ILLEGAL_STATES or item.illegal_at is None or item.overdue_at:
        return False
    if now < item.illegal_at + timedelta(days=hotline_setting("HOTLINE_REMOVAL_REMINDER_DAYS")):
        return False
    item.overdue_at = _hour(now)
    return True


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
    latest = item.traces.order_by("-pk").values_list("addresses", flat=True).first()
    if latest != trace.entries:
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


def reported_urls_due(*, now: datetime | None = None) -> Iterator[list[int]]:
    """Ids of addresses whose check is due, in batches of HOTLINE_RECHECK_BATCH.

    Read page by page (by id), so that a sweep over any number of addresses
    holds one batch in memory, never the whole table.
    """
    now = now or timezone.now()
    size = hotline_setting("HOTLINE_RECHECK_BATCH")
    last = 0
    while True:
        batch = list(
            ReportedUrl.objects.filter(
                pk__gt=last, state__in=RECHECKED_STATES, next_check_at__lte=now, destroyed_at=None
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def reported_urls_check(*, reported_url_ids: Iterable[int], now: datetime | None = None) -> int:
    """Check addresses, HOTLINE_RECHECK_CONCURRENCY at a time; returns how many were checked.

    A check spends nearly all its time waiting for the site, so threads share
    the wait; each thread has its own database connection, closed when it
    ends. The ids are taken as they come, a few per thread ahead, so the
    memory used does not grow with their number. With a concurrency of 1 the
    checks run one after the other in the calling thread.
    """
    workers = hotline_setting("HOTLINE_RECHECK_CONCURRENCY")
    if workers <= 1:
        return sum(_check_counted(pk, now) for pk in reported_url_ids)
    waiting: queue.Queue[int | None] = queue.Queue(maxsize=2 * workers)
    counts: list[int] = []

    def work() -> None:
        checked = 0
        try:
            while (pk := waiting.get()) is not None:
                checked += _check_counted(pk, now)
        finally:
            counts.append(checked)
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for pk in reported_url_ids:
            waiting.put(pk)
    finally:
        for _thread in threads:
            waiting.put(None)
        for thread in threads:
            thread.join()
    return sum(counts)


def _check_counted(pk: int, now: datetime | None) -> int:
    """1 when the address was checked; a check that fails is logged and left to its lease."""
    try:
        return int(reported_url_check(reported_url_id=pk, now=now) != "not due")
    except Exception:
        # One broken address must not stop the batch; its lease expires and the
        # next sweep tries again.
        logger.exception("check of reported address %s failed", pk)
        return 0


def reported_urls_recheck_due(*, now: datetime | None = None) -> int:
    """Check every due address in this process (the CLI); returns how many were checked."""
    return reported_urls_check(
        reported_url_ids=(pk for batch in reported_urls_due(now=now) for pk in batch), now=now
    )
