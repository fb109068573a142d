"""What the analyst's hotline page shows of a report's addresses."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.access import STAFF_ROLES, member_line_ids
from meldpunt.evidence.models import EvidenceFile, EvidenceMatch, EvidencePreview, PreviewKind
from meldpunt.hotline.actionpages import action_page_url
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.models import (
    QUEUE_STATES,
    RECHECKED_STATES,
    AddressAction,
    CheckPurpose,
    FetchAttempt,
    HostingRoute,
    HotlineState,
    ItemClassification,
    MediaSearch,
    MediaState,
    PageMediaItem,
    QueueBucket,
    ReportedUrl,
)
from meldpunt.hotline.sealing import details_open, url_open
from meldpunt.hotline.services import ACTIONABLE_STATES, ASSESSABLE_STATES, NEXT_STEPS
from meldpunt.hotline.sources import address_sources
from meldpunt.intake.models import Report
from meldpunt.lines.models import Line, LineKind
from meldpunt.vault import crypto
from meldpunt.vault.models import StaffUser

QUEUE_PAGE_SIZE = 50

NEXT_STEP_LABELS = {
    "police_and_notice": _("Inform the police and send a notice to the provider."),
    "forward": _("Forward to the partner hotline of the hosting country."),
    "police": _("Inform the police; the address is checked every day until it is gone."),
    "trace": _("The hosting could not be traced; check again to trace it."),
}


# Why an item of a page was not kept, for the analyst (state and reason codes of
# capturing._media_classify; fetch errors of fetching.FetchError).
REASON_LABELS = {
    "bytes": _("the page's budget of bytes was used up"),
    "seconds": _("the page's time budget was used up"),
    "address_not_allowed": _(
        "its address, or a redirect, points into a private or internal network"
    ),
    "redirect_refused": _("it redirects to an address the crawler may not follow"),
    "too_many_redirects": _("it redirects too often"),
    "too_large": _("it is larger than the limit for one item"),
    "type_not_allowed": _("a kind of picture or video that cannot be cleaned"),
    "corrupt": _("it is damaged or incomplete and cannot be opened"),
    "too_complex": _("it is too large or too complex to process"),
    "encrypted": _("it is protected with a password"),
    "empty": _("the server sent nothing"),
    "timeout": _("it did not arrive in time"),
    "nxdomain": _("its host name does not exist"),
    "no_address": _("its host name has no address"),
    "dns_error": _("its host name could not be looked up"),
    "connection_refused": _("the server refused the connection"),
    "connection_error": _("the server could not be reached"),
    "tls_error": _("the server's certificate is not valid"),
    "protocol_error": _("the server's answer was broken"),
}


@dataclass
class MediaRow:
    """One picture or video of a page as the analyst sees it (never a known one).

    The address's own file, when it is an unknown picture or video, is shown
    as a row too (``item`` is then its first FetchAttempt), so that both are
    classified the same way.
    """

    item: PageMediaItem | FetchAttempt
    address: str | None
    evidence_id: int | None = None
    has_preview: bool = False
    message: str = ""
    classification: ItemClassification | None = None
    form: object = None  # the classification form, set by the view
    retire_form: object = None


@dataclass
class PageMediaView:
    """The pictures and videos of an address's page: unknown ones, what was not kept,
    and known ones only as counts per list."""

    notice: str = ""
    shown: list[MediaRow] = field(default_factory=list)
    not_kept: list[MediaRow] = field(default_factory=list)
    known_count: int = 0
    known_lists: list[str] = field(default_factory=list)  # "3 known items (list X)"
    known_list_names: list[str] = field(default_factory=list)
    more: str = ""
    is_searched: bool = False


@dataclass
class AddressRow:
    item: ReportedUrl
    address: str | None  # None when it cannot be decrypted (wiped or tampered)
    latest: FetchAttempt | None
    trace: object | None
    known_lists: list[str] = field(default_factory=list)
    evidence_id: int | None = None
    next_step: Promise | str = ""
    may_assess: bool = False
    may_recheck: bool = False
    media: PageMediaView | None = None
    file: MediaRow | None = None  # the address's own file, when an unknown picture or video
    source: str = ""  # e.g. the partner hotline that sent it (hotline.sources)
    form: object = None  # the assessment form, set by the view
    actions: list["ActionRow"] = field(default_factory=list)
    action_url: str = ""  # the page where the analyst confirms the actions


class ActionStatus(StrEnum):
    WAITING = "waiting"
    SENT = "sent"
    FAILING = "failing"
    GIVEN_UP = "given_up"


@dataclass
class ActionRow:
    """One action on an address and how it stands, for the analyst and the operator."""

    action: AddressAction
    status: ActionStatus
    label: str


def action_status(action: AddressAction) -> ActionRow:
    """Where an action stands: waiting, sent (when), failing (retried when) or given up."""
    if action.sent_at is not None:
        status = ActionStatus.SENT
        label = gettext("sent %(time)s") % {"time": _when(action.sent_at)}
    elif action.attempts >= hotline_setting("HOTLINE_ACTION_MAX_ATTEMPTS"):
        status = ActionStatus.GIVEN_UP
        label = gettext("given up after %(count)d attempts: %(error)s") % {
            "count": action.attempts,
            "error": action.last_error,
        }
    elif action.attempts:
        status = ActionStatus.FAILING
        label = gettext("failed (%(count)d attempts), tried again %(time)s: %(error)s") % {
            "count": action.attempts,
            "time": _when(action.next_attempt_at),
            "error": action.last_error,
        }
    else:
        status = ActionStatus.WAITING
        label = gettext("waiting to be sent")
    return ActionRow(action=action, status=status, label=label)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i")


def actions_failing() -> list[ActionRow]:
    """Every action not sent after a failure, oldest first: the operator's list."""
    failing = (
        AddressAction.objects.filter(sent_at__isnull=True, attempts__gt=0)
        .select_related("reported_url", "provider")
        .order_by("created_at", "pk")
    )
    return [action_status(action) for action in failing]


def _known_lists(item: ReportedUrl, attempts: list[FetchAttempt]) -> list[str]:
    """The lists the material matched: by the crawler (sealed details) and on the evidence file."""
    names: set[str] = set()
    for attempt in attempts:
        if attempt.is_known and attempt.sealed_details:
            try:
                names.update(details_open(attempt.sealed_details).get("matched_lists", []))
            except crypto.DecryptionError:
                pass
    evidence_ids = [a.evidence_id for a in attempts if a.evidence_id]
    names.update(
        EvidenceMatch.objects.filter(evidence_id__in=evidence_ids).values_list(
            "list_name", flat=True
        )
    )
    return sorted(names)


def _item_lists(item: PageMediaItem, details: dict, matched: dict[int, set[str]]) -> set[str]:
    return set(details.get("matched_lists", [])) | matched.get(item.evidence_id, set())


def _item_message(item: PageMediaItem, details: dict) -> str:
    if item.reason == "not_media":
        return gettext(
            "the content is %(type)s, not a picture or video (the server said %(declared)s)"
        ) % {
            "type": item.media_type or "?",
            "declared": details.get("declared_type") or "?",
        }
    if item.reason == "http_status":
        return gettext("the server answered HTTP %(status)s") % {"status": item.http_status}
    label = REASON_LABELS.get(item.reason)
    return str(label) if label else item.reason


def _open_or_empty(sealed: bytes) -> dict:
    try:
        return details_open(sealed) if sealed else {}
    except crypto.DecryptionError:
        return {}


def _url_or_none(sealed: bytes) -> str | None:
    try:
        return url_open(sealed) if sealed else None
    except crypto.DecryptionError:
        return None


def _page_notice(attempt: FetchAttempt) -> str:
    if attempt.media_search == MediaSearch.NOT_HTML:
        return gettext(
            "The server called this address an HTML page, but its content is %(type)s: "
            "no pictures or videos were looked for."
        ) % {"type": attempt.media_type or "?"}
    if attempt.is_media_search_cut:
        return gettext(
            "The page is long: only its first %(size)s were searched for pictures and videos."
        ) % {"size": filesizeformat(hotline_setting("HOTLINE_PAGE_PARSE_MAX_BYTES"))}
    return ""


def page_media(attempt: FetchAttempt | None) -> PageMediaView | None:
    """What the analyst sees of a page's pictures and videos.

    Known items, by the crawler's exact match, by the stored file's matches, or
    by a match that came later (vPDQ in the worker), are counted per list and
    never listed: no address, no file, no preview. Unknown kept items are
    listed with a link to their evidence page and, once made, the blurred
    preview; items not kept with the reason why.
    """
    if attempt is None or attempt.media_search == MediaSearch.NOT_SEARCHED:
        return None
    view = PageMediaView(
        notice=_page_notice(attempt), is_searched=attempt.media_search == MediaSearch.SEARCHED
    )
    items = list(attempt.media_items.all())
    evidence_ids = [item.evidence_id for item in items if item.evidence_id]
    matched: dict[int, set[str]] = {}
    for evidence_id, list_name in EvidenceMatch.objects.filter(
        evidence_id__in=evidence_ids
    ).values_list("evidence_id", "list_name"):
        matched.setdefault(evidence_id, set()).add(list_name)
    kept = set(
        EvidenceFile.objects.filter(pk__in=evidence_ids, destroyed_at=None).values_list(
            "pk", flat=True
        )
    )
    with_preview = set(
        EvidencePreview.objects.filter(
            evidence_id__in=kept, kind__in=[PreviewKind.THUMBNAIL, PreviewKind.CONTACT_SHEET]
        ).values_list("evidence_id", flat=True)
    )
    classifications = {
        c.media_item_id: c
        for c in ItemClassification.objects.filter(media_item__in=items).select_related(
            "own_entry", "classified_by"
        )
    }
    per_list: Counter[str] = Counter()
    for item in items:
        details = _open_or_empty(item.sealed_details)
        lists = _item_lists(item, details, matched)
        if item.state == MediaState.KNOWN or lists:
            view.known_count += 1
            per_list.update(lists)
        elif item.state == MediaState.STORED:
            if item.evidence_id in kept:
                view.shown.append(
                    MediaRow(
                        item=item,
                        address=_url_or_none(item.sealed_url),
                        evidence_id=item.evidence_id,
                        has_preview=item.evidence_id in with_preview,
                        classification=classifications.get(item.pk),
                    )
                )
        else:
            view.not_kept.append(
                MediaRow(
                    item=item,
                    address=_url_or_none(item.sealed_url),
                    message=_item_message(item, details),
                )
            )
    view.known_list_names = sorted(per_list)
    view.known_lists = [
        ngettext(
            "%(count)s known item (list %(list)s)", "%(count)s known items (list %(list)s)", count
        )
        % {"count": count, "list": name}
        for name, count in sorted(per_list.items())
    ]
    if attempt.media_more:
        view.more = ngettext(
            "%(count)s more picture or video on the page was not fetched: over the page's "
            "budget of %(max)s items.",
            "%(count)s more pictures or videos on the page were not fetched: over the page's "
            "budget of %(max)s items.",
            attempt.media_more,
        ) % {"count": attempt.media_more, "max": len(items)}
    return view


def own_file(attempt: FetchAttempt | None) -> MediaRow | None:
    """The address's own file as a row to classify: only a kept picture or video that
    matched no list (known material is never shown)."""
    if attempt is None or attempt.evidence_id is None:
        return None
    if not attempt.media_type.startswith(("image/", "video/")):
        return None
    if _open_or_empty(attempt.sealed_details).get("matched_lists"):
        return None
    evidence = EvidenceFile.objects.filter(pk=attempt.evidence_id, destroyed_at=None).first()
    if evidence is None or EvidenceMatch.objects.filter(evidence=evidence).exists():
        return None
    return MediaRow(
        item=attempt,
        address=None,
        evidence_id=evidence.pk,
        has_preview=EvidencePreview.objects.filter(
            evidence=evidence, kind__in=[PreviewKind.THUMBNAIL, PreviewKind.CONTACT_SHEET]
        ).exists(),
        classification=ItemClassification.objects.filter(attempt=attempt)
        .select_related("own_entry", "classified_by")
        .first(),
    )


def first_attempt(item: ReportedUrl) -> FetchAttempt | None:
    return item.attempts.filter(purpose=CheckPurpose.FIRST).order_by("pk").last()


def address_classifiable(item: ReportedUrl) -> list[MediaRow]:
    """What the analyst classifies at an address: its own file and its page's unknown items."""
    attempt = first_attempt(item)
    media = page_media(attempt)
    file = own_file(attempt)
    return ([file] if file else []) + (media.shown if media else [])


def report_addresses(report: Report) -> list[AddressRow]:
    """Every address of the report, decrypted with the hotline key, with what was found."""
    rows = []
    addresses = ReportedUrl.objects.filter(report=report).prefetch_related(
        "attempts__media_items", "traces", "actions"
    )
    sources = address_sources(addresses)
    for item in addresses:
        attempts = list(item.attempts.all())
        try:
            address = url_open(item.sealed_url) if item.sealed_url else None
        except crypto.DecryptionError:
            address = None
        evidence_ids = [a.evidence_id for a in attempts if a.evidence_id]
        kept = EvidenceFile.objects.filter(pk__in=evidence_ids, destroyed_at__isnull=True)
        traces = list(item.traces.all())
        first = [a for a in attempts if a.purpose == CheckPurpose.FIRST]
        media = page_media(first[-1] if first else None)
        known_lists = set(_known_lists(item, attempts))
        known_lists.update(media.known_list_names if media else [])
        rows.append(
            AddressRow(
                item=item,
                address=address,
                latest=attempts[-1] if attempts else None,
                trace=traces[-1] if traces else None,
                known_lists=sorted(known_lists),
                evidence_id=kept.order_by("pk").values_list("pk", flat=True).first(),
                next_step=(
                    NEXT_STEP_LABELS[NEXT_STEPS[HostingRoute(item.route)]]
                    if item.state == HotlineState.ILLEGAL
                    else ""
                ),
                may_assess=item.state in ASSESSABLE_STATES and item.destroyed_at is None,
                may_recheck=(
                    item.state in RECHECKED_STATES
                    and item.next_check_at is not None
                    and item.destroyed_at is None
                ),
                media=media,
                file=own_file(first[-1] if first else None),
                source=sources.get(item.pk, ""),
                actions=[action_status(action) for action in item.actions.all()],
                action_url=(
                    action_page_url(item)
                    if item.state in ACTIONABLE_STATES and item.destroyed_at is None
                    else ""
                ),
            )
        )
    return rows


def _queue_addresses(user: StaffUser) -> QuerySet[ReportedUrl]:
    """Addresses of content-hotline reports of the user's lines that are not destroyed."""
    return ReportedUrl.objects.filter(
        report__line_id__in=member_line_ids(user),
        report__line__kind=LineKind.CONTENT_HOTLINE,
        destroyed_at=None,
    )


def hotline_navigation(user: StaffUser) -> dict[str, bool]:
    """Which hotline pages the staff navigation links to for ``user``.

    The address queue lists the addresses of the user's content-hotline lines,
    so their members get it; the provider monitor shows those lines' figures,
    and every line's to an administrator.
    """
    is_member = Line.objects.filter(
        pk__in=member_line_ids(user), kind=LineKind.CONTENT_HOTLINE
    ).exists()
    is_administrator = user.role in STAFF_ROLES and user.is_administrator
    return {"queue": is_member, "monitor": is_member or is_administrator}


def queue_counts(user: StaffUser) -> dict[str, int]:
    """How many addresses each bucket of the queue holds, in one query."""
    counts = _queue_addresses(user).aggregate(
        **{
            bucket.value: Count("pk", filter=Q(state__in=QUEUE_STATES[bucket]))
            for bucket in QueueBucket
        }
    )
    return {bucket: counts[bucket.value] for bucket in QueueBucket}


def queue_page(user: StaffUser, *, bucket: str, oldest_first: bool, page: str | int | None) -> Page:
    """One page of a bucket's addresses, newest or oldest report first.

    Only plain columns: the page shows no address (it would decrypt every row
    of a long list); the analyst opens the report's page for that.
    """
    order = ["created_at", "pk"] if oldest_first else ["-created_at", "-pk"]
    addresses = (
        _queue_addresses(user)
        .filter(state__in=QUEUE_STATES[QueueBucket(bucket)])
        .select_related("report")
        .order_by(*order)
    )
    return Paginator(addresses, QUEUE_PAGE_SIZE).get_page(page)


def hotline_page_of_file(evidence: EvidenceFile) -> str | None:
    """The hotline page of a captured page or picture, for the file page's back link.

    Registered with evidence.owners: the file page cannot import the hotline.
    """
    report_id = (
        FetchAttempt.objects.filter(evidence=evidence)
        .values_list("reported_url__report_id", flat=True)
        .first()
    ) or (
        PageMediaItem.objects.filter(evidence=evidence)
        .values_list("attempt__reported_url__report_id", flat=True)
        .first()
    )
    return reverse("hotline:report", args=[report_id]) if report_id else None
