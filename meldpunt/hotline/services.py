"""Writes of the hotline app: taking in a reported address, the analyst's decisions on it,
and wiping a destroyed report's."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.evidence.destruction import evidence_files_destroy
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.models import (
    RECHECKED_STATES,
    ActionKind,
    AddressAction,
    Assessment,
    FetchAttempt,
    HostingProvider,
    HostingRoute,
    HostingTrace,
    HotlineState,
    PageMediaItem,
    ReportedUrl,
)
from meldpunt.hotline.sealing import url_seal, url_tag
from meldpunt.hotline.tasks import reported_url_check_task
from meldpunt.intake.models import Report
from meldpunt.lines.webaddress import WebAddress
from meldpunt.vault import blobs
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_destroy
from meldpunt.vault.models import StaffUser, hour_now

# States an analyst may judge from: waiting for them, or known material (the
# analyst may confirm it, or overrule a false match).
ASSESSABLE_STATES = (HotlineState.ASSESSMENT, HotlineState.KNOWN)

# States from which the actions by hosting route may be confirmed.
ACTIONABLE_STATES = (HotlineState.ILLEGAL, HotlineState.KNOWN)

# What the flow expects after "illegal", by where the material is hosted; shown as
# the next step until the analyst confirms the actions (meldpunt.network.hotline_actions).
NEXT_STEPS = {
    HostingRoute.DOMESTIC: "police_and_notice",
    HostingRoute.PARTNER_HOTLINE: "forward",
    HostingRoute.ABROAD: "police",
    HostingRoute.UNKNOWN: "trace",
}


class HotlineRefused(Exception):
    """An analyst's action that cannot be done now; ``message`` is for the analyst."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@transaction.atomic
def reported_url_create(*, report: Report, address: WebAddress) -> ReportedUrl:
    """Record a normalised address of a report and queue its first check on commit.

    The address is sealed under the hotline key at once; only its keyed tag
    (to find repeats) is stored beside it.
    """
    now = hour_now()  # caused by the reporter: the hour only
    delay = _first_check_delay()
    item = ReportedUrl.objects.create(
        report=report,
        sealed_url=url_seal(address.url),
        url_tag=url_tag(address.url),
        created_at=now,
        next_check_at=now + delay,
    )
    transaction.on_commit(lambda: _first_check_queue(item, delay))
    return item


def _first_check_delay() -> timedelta:
    """A random wait inside HOTLINE_FIRST_CHECK_MINUTES, counted from the report's hour."""
    low, high = hotline_setting("HOTLINE_FIRST_CHECK_MINUTES")
    return timedelta(seconds=secrets.SystemRandom().uniform(low * 60, high * 60))


def _first_check_queue(item: ReportedUrl, delay: timedelta) -> None:
    """Queue the first check for its time; without a deferring backend the sweep finds it."""
    if not delay:
        reported_url_check_task.enqueue(item.pk)
    elif reported_url_check_task.get_backend().supports_defer:
        reported_url_check_task.using(run_after=item.next_check_at).enqueue(item.pk)


def reported_urls_wipe(report: Report) -> None:
    """Destroy what the hotline keeps of a report the retention purge destroys.

    Registered with intake.retention from AppConfig.ready and called inside the
    purge's transaction: addresses and fetch details (the page's pictures and
    videos included) are wiped, captured files crypto-shredded (their data
    keys are the crawler's own, not the report's) and their blobs deleted once
    the purge commits. State, dates, country and network stay, for statistics.
    """
    items = ReportedUrl.objects.filter(report=report)
    attempts = FetchAttempt.objects.filter(reported_url__in=items)
    media_items = PageMediaItem.objects.filter(attempt__in=attempts)
    files = list(
        EvidenceFile.objects.filter(
            Q(pk__in=attempts.exclude(evidence=None).values("evidence"))
            | Q(pk__in=media_items.exclude(evidence=None).values("evidence")),
            destroyed_at=None,
        ).select_related("data_key")
    )
    destroyed = evidence_files_destroy(files=files, now=timezone.now())
    for data_key in {f.data_key for f in files}:
        data_key_destroy(data_key=data_key)
    attempts.update(sealed_details=b"")
    media_items.update(sealed_url=b"", sealed_details=b"")
    HostingTrace.objects.filter(reported_url__in=items).update(addresses=[])
    items.update(sealed_url=b"", url_tag="", next_check_at=None, destroyed_at=timezone.now())
    transaction.on_commit(lambda: [blobs.blob_delete(name=name) for name in destroyed.blob_names])


def _stale() -> HotlineRefused:
    return HotlineRefused(
        "stale",
        _(
            "This address changed while you were looking at it. Nothing was saved; "
            "see how it stands now."
        ),
    )


@transaction.atomic
def reported_url_assess(
    *, item: ReportedUrl, actor: StaffUser, decision: str, seen_state: str
) -> ReportedUrl:
    """Record an analyst's judgement of an address and move it on in the flow.

    Not illegal closes the address (no more checks). Illegal waits for the
    action its hosting route calls for (police and notice, forwarding, police);
    those are not built yet, so the state says "judged illegal, waiting for
    action" and the daily check goes on, counting towards *gone* like known
    material. ``seen_state`` is the state the analyst saw: a compare-and-set,
    so a decision made on an outdated page changes nothing.
    """
    if item.destroyed_at is not None:
        raise HotlineRefused("destroyed", _("This report has been destroyed."))
    if seen_state != item.state:
        raise _stale()
    if item.state not in ASSESSABLE_STATES:
        raise HotlineRefused(
            "not_assessable", _("This address cannot be assessed in its current state.")
        )
    now = timezone.now()
    if decision == Assessment.NOT_ILLEGAL:
        state, next_check_at, illegal_at = HotlineState.NOT_ILLEGAL, None, None
    else:
        # The removal clock starts at the first judgement (a list's match stays
        # the start), to the hour like the checks that end it.
        state, next_check_at = HotlineState.ILLEGAL, item.next_check_at
        illegal_at = item.illegal_at or now.replace(minute=0, second=0, microsecond=0)
    changed = ReportedUrl.objects.filter(pk=item.pk, state=seen_state, destroyed_at=None).update(
        state=state,
        next_check_at=next_check_at,
        illegal_at=illegal_at,
        assessment=decision,
        assessed_at=now,
        assessed_by=actor,
    )
    if not changed:
        raise _stale()
    audit_record(
        actor=actor,
        action="hotline.assess",
        target=item.report,
        details={
            "reported_url": item.pk,
            "decision": decision,
            "state": state,
            "route": item.route,
            "next_step": NEXT_STEPS[item.route] if state == HotlineState.ILLEGAL else "",
        },
    )
    item.refresh_from_db()
    return item


@transaction.atomic
def reported_url_recheck_request(
    *, item: ReportedUrl, actor: StaffUser, now: datetime | None = None
) -> ReportedUrl:
    """Make an address due now and queue its check, unless a check is waiting or running.

    A running check holds a lease (``is_checking``, ``next_check_at`` in the
    future); a waiting one is due already. Both refuse, so pressing the button
    twice queues one check.
    """
    now = now or timezone.now()
    if item.destroyed_at is not None:
        raise HotlineRefused("destroyed", _("This report has been destroyed."))
    if item.state not in RECHECKED_STATES or item.next_check_at is None:
        raise HotlineRefused("not_checked", _("This address is no longer checked."))
    if item.is_checking and item.next_check_at > now:
        raise HotlineRefused("running", _("A check of this address is running; wait for it."))
    if item.next_check_at <= now:
        raise HotlineRefused(
            "waiting", _("A check of this address is already waiting for the crawler.")
        )
    changed = ReportedUrl.objects.filter(
        pk=item.pk, next_check_at=item.next_check_at, state=item.state, destroyed_at=None
    ).update(next_check_at=now, is_checking=False)
    if not changed:
        raise _stale()
    audit_record(
        actor=actor,
        action="hotline.recheck",
        target=item.report,
        details={"reported_url": item.pk},
    )
    transaction.on_commit(lambda: reported_url_check_task.enqueue(item.pk))
    item.refresh_from_db()
    return item


@dataclass(frozen=True)
class PlannedAction:
    """One action the analyst confirmed, as the hotline stores it."""

    kind: ActionKind
    recipient: str = ""
    provider: HostingProvider | None = None
    partner_id: int | None = None


def hosting_provider_for(item: ReportedUrl) -> HostingProvider | None:
    """The provider of the network an address was last traced to (made on first use)."""
    if not item.asn:
        return None
    trace = item.traces.order_by("-pk").first()
    provider, _new = HostingProvider.objects.get_or_create(
        asn=item.asn, defaults={"name": (trace.organisation if trace else "")[:200]}
    )
    return provider


@transaction.atomic
def address_actions_create(
    *,
    item: ReportedUrl,
    actor: StaffUser | None,
    planned: list[PlannedAction],
    seen_state: str | None = None,
    now: datetime | None = None,
) -> list[AddressAction]:
    """Record the actions to send about an address, before anything is sent.

    ``seen_state`` is the state the analyst confirmed on (compare-and-set, like
    an assessment); None for the reminder, which the re-check asks for. An
    action of a kind the address already has is not made twice. The caller
    queues the sending on commit. Audited on the report: the case timeline.
    """
    now = now or timezone.now()
    current = ReportedUrl.objects.select_for_update().get(pk=item.pk)
    if current.destroyed_at is not None:
        raise HotlineRefused("destroyed", _("This report has been destroyed."))
    if seen_state is not None:
        if current.state != seen_state:
            raise _stale()
        if current.state not in ACTIONABLE_STATES:
            raise HotlineRefused(
                "not_actionable", _("Only an address judged illegal can be acted on.")
            )
    made = []
    for plan in planned:
        action, is_new = AddressAction.objects.get_or_create(
            reported_url=current,
            kind=plan.kind,
            defaults={
                "provider": plan.provider,
                "partner_id": plan.partner_id,
                "recipient": plan.recipient[:254],
                "created_at": now,
                "created_by": actor,
                "next_attempt_at": now,
            },
        )
        if is_new:
            made.append(action)
    if made:
        audit_record(
            actor=actor,
            action="hotline.actions_confirm",
            target=current.report,
            details={
                "reported_url": current.pk,
                "actions": [action.kind for action in made],
                "recipients": [action.recipient for action in made],
            },
        )
    return made


# The state an address moves to once its first actions are all sent.
STATE_AFTER_ACTIONS = (
    (ActionKind.NOTICE, HotlineState.NOTICE_SENT),
    (ActionKind.FORWARD, HotlineState.FORWARDED),
    (ActionKind.POLICE, HotlineState.POLICE_INFORMED),
)


@transaction.atomic
def address_action_sent(*, action: AddressAction) -> ReportedUrl:
    """Record a sent action in the case timeline; move the address on once all are sent.

    A reminder leaves the state alone; so does an address gone meanwhile.
    """
    item = ReportedUrl.objects.select_for_update().get(pk=action.reported_url_id)
    audit_record(
        actor=action.created_by,
        action="hotline.action_sent",
        target=item.report,
        details={
            "reported_url": item.pk,
            "action": action.kind,
            "recipient": action.recipient,
            "attempts": action.attempts + 1,
        },
    )
    firsts = item.actions.exclude(kind=ActionKind.REMINDER)
    if item.state in ACTIONABLE_STATES and not firsts.filter(sent_at__isnull=True).exists():
        kinds = set(firsts.values_list("kind", flat=True))
        for kind, state in STATE_AFTER_ACTIONS:
            if kind in kinds:
                item.state = state
                item.save(update_fields=["state"])
                break
    return item


@transaction.atomic
def address_action_refused(*, action: AddressAction) -> ReportedUrl:
    """The mail server refused a notice at its very end, after the whole message.

    Recorded in the case timeline with the error. What sending it wrote was
    rolled back with it; an address moved on meanwhile goes back to waiting
    for action until the notice is sent.
    """
    item = ReportedUrl.objects.select_for_update().get(pk=action.reported_url_id)
    audit_record(
        actor=action.created_by,
        action="hotline.action_refused",
        target=item.report,
        details={"reported_url": item.pk, "action": action.kind, "error": action.last_error},
    )
    moved_on = {state for _kind, state in STATE_AFTER_ACTIONS}
    unsent = item.actions.exclude(kind=ActionKind.REMINDER).filter(sent_at__isnull=True)
    if item.state in moved_on and unsent.exists():
        item.state = (
            HotlineState.ILLEGAL if item.assessment == Assessment.ILLEGAL else HotlineState.KNOWN
        )
        item.save(update_fields=["state"])
    return item
