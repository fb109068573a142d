"""The hotline's actions by where an address is hosted (docs/hotline.md).

Hosted here: a notice to the hosting provider's abuse address (text in Dutch
and English with an X-ARF v4 part) and a report to the police partner. Abroad
in a country whose row in the partner-hotline country list names a partner: a
forward to that hotline. Abroad without one: a report to the police, and the
daily re-check goes on. Police reports and forwards are forwards of this app,
sealed for the partner's members and read on the partner portal; their text is
made from the address's facts only, never from what the reporter wrote.

The hotline proposes nothing by itself: the analyst sees the proposal on the
confirm page and confirms it. Each action is then a row (``AddressAction``) and
a task that sends it through ``retrying.outbox_deliver``: once, retried with
growing pauses, its error visible on the address and in the operator's list.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldpunt.cases.access import can_change
from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.exchange import address_report_export, export_reference
from meldpunt.hotline.models import (
    ActionKind,
    AddressAction,
    HostingProvider,
    HostingRoute,
    ReportedUrl,
)
from meldpunt.hotline.rdap import RdapError, provider_abuse_email
from meldpunt.hotline.sealing import url_open
from meldpunt.hotline.services import (
    HotlineRefused,
    PlannedAction,
    address_action_refused,
    address_action_sent,
    address_actions_create,
    hosting_provider_for,
)
from meldpunt.hotline.xarf import xarf_report
from meldpunt.vault.models import StaffUser

from .attachments import Attachment
from .models import Partner, PartnerCountry, PartnerKind
from .retrying import mail_begin, outbox_deliver, outbox_retry_at
from .selectors import partner_recipients, partner_refusal, partners_for
from .services import forward_seal


class PartnerUnavailable(Exception):
    """The partner cannot receive the police report or forward now (kept as the action's error)."""


@dataclass(frozen=True)
class ProposedAction:
    kind: ActionKind
    recipient: str  # as the analyst sees it
    partner: Partner | None = None


@dataclass(frozen=True)
class ActionProposal:
    """What would be sent about an address, and why nothing can be sent now ('' if it can)."""

    actions: tuple[ProposedAction, ...]
    refusal: str = ""


def police_partner(item: ReportedUrl) -> Partner | None:
    """The police partner that takes the hotline's reports: an active one open to its line."""
    return partners_for(item.report).filter(kind=PartnerKind.POLICE).first()


def country_hotline(country: str) -> Partner | None:
    """The active partner hotline the country list names for ``country``, if any."""
    row = PartnerCountry.objects.filter(code=country.upper()).select_related("partner").first()
    if row is None or row.partner is None or not row.partner.is_active:
        return None
    return row.partner


def hotline_actions_propose(item: ReportedUrl) -> ActionProposal:
    """The actions the address's hosting calls for, from its latest trace and the country list.

    Hosted here (HOTLINE_HOME_COUNTRY): a notice and the police. Elsewhere the
    country list decides: a partner hotline when it names an active one, else
    the police. A partner that cannot receive it today (no member with a key,
    not open to the line) refuses the whole proposal with that reason.
    """
    if item.route == HostingRoute.UNKNOWN or not item.country:
        return ActionProposal(
            actions=(), refusal=_("The hosting could not be traced; check again to trace it.")
        )
    actions = []
    problems = []
    if item.route == HostingRoute.DOMESTIC:
        provider = HostingProvider.objects.filter(asn=item.asn).first() if item.asn else None
        if not item.asn:
            problems.append(
                _("The network (ASN) of the address is unknown: no provider to notify.")
            )
        actions.append(
            ProposedAction(
                kind=ActionKind.NOTICE,
                recipient=(provider.abuse_email if provider else "")
                or _("the abuse address of AS%(asn)s, looked up by RDAP when sent")
                % {"asn": item.asn},
            )
        )
        partner = None
    else:
        partner = country_hotline(item.country)
        if partner is not None:
            actions.append(
                ProposedAction(kind=ActionKind.FORWARD, recipient=partner.name, partner=partner)
            )
    if partner is None:
        police = police_partner(item)
        if police is None:
            problems.append(
                _("No active police partner receives reports of this line; the operator adds one.")
            )
        else:
            actions.append(
                ProposedAction(kind=ActionKind.POLICE, recipient=police.name, partner=police)
            )
    today = timezone.localdate()
    for action in actions:
        if action.partner is not None:
            refusal = partner_refusal(action.partner, line_id=item.report.line_id, on=today)
            if refusal:
                problems.append(refusal)
    return ActionProposal(actions=tuple(actions), refusal=" ".join(problems))


def hotline_actions_confirm(
    *, item: ReportedUrl, actor: StaffUser, seen_state: str
) -> list[AddressAction]:
    """The analyst confirms the proposal: the action rows are made and their sending queued.

    Refused (``HotlineRefused``) for someone who may not change the case, for
    an address no longer waiting for action or changed since the analyst saw
    it, and while the proposal names a problem.
    """
    case = getattr(item.report, "case", None)
    if not can_change(actor, item.report, case.assignee_id if case else None):
        raise HotlineRefused(
            "not_allowed",
            _("Only the holder of this case or a supervisor of the line can change it."),
        )
    proposal = hotline_actions_propose(item)
    if proposal.refusal:
        raise HotlineRefused("refused", proposal.refusal)
    with transaction.atomic():
        provider = hosting_provider_for(item) if item.route == HostingRoute.DOMESTIC else None
        planned = [
            PlannedAction(
                kind=action.kind,
                recipient=(provider.abuse_email if action.kind == ActionKind.NOTICE else "")
                or (action.partner.name if action.partner else ""),
                provider=provider if action.kind == ActionKind.NOTICE else None,
                partner_id=action.partner.pk if action.partner else None,
            )
            for action in proposal.actions
        ]
        made = address_actions_create(
            item=item, actor=actor, planned=planned, seen_state=seen_state
        )
        _queue(made)
    return made


def _queue(actions: list[AddressAction]) -> None:
    from .tasks import address_action_send  # tasks imports this module

    for action in actions:
        transaction.on_commit(partial(address_action_send.enqueue, action.pk))


def removal_overdue_notice(
    sender: object, *, reported_url: ReportedUrl, **kwargs: object
) -> list[AddressAction]:
    """Queue a reminder notice to the provider that had the first notice (hotline.signals).

    An address without a notice (hosted abroad) gets none; a second signal
    makes no second reminder.
    """
    notice = reported_url.actions.filter(kind=ActionKind.NOTICE).first()
    if notice is None:
        return []
    with transaction.atomic():
        made = address_actions_create(
            item=reported_url,
            actor=None,
            planned=[
                PlannedAction(
                    kind=ActionKind.REMINDER, recipient=notice.recipient, provider=notice.provider
                )
            ],
        )
        _queue(made)
    return made


def _both_languages(template: str, context: dict) -> str:
    """Dutch, then English: providers and partner hotlines abroad read the second half."""
    parts = []
    for language in ("nl", "en"):
        with translation.override(language):
            parts.append(render_to_string(template, context).strip())
    return "\n\n---\n\n".join(parts) + "\n"


def _facts(action: AddressAction, item: ReportedUrl, address: str) -> dict:
    trace = item.traces.order_by("-pk").first()
    first = (
        item.actions.filter(kind=ActionKind.NOTICE).exclude(sent_at=None).first()
        if action.kind == ActionKind.REMINDER
        else None
    )
    return {
        "action": action,
        "item": item,
        "address": address,
        "reference": item.report.reference,
        "trace": trace,
        "provider": action.provider,
        "first_notice": first,
        "organisation": hotline_setting("HOTLINE_XARF_ORGANISATION"),
        "contact": hotline_setting("HOTLINE_XARF_CONTACT"),
    }


def notice_message(
    *, action: AddressAction, item: ReportedUrl, address: str, to: str
) -> EmailMessage:
    """The notice (or reminder) mail: text in Dutch and English, and the X-ARF v4 part.

    The X-ARF report id and the Message-ID are derived from the action, so a
    retry sends the same report.
    """
    domain = hotline_setting("HOTLINE_XARF_DOMAIN")
    report_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/hotline/actions/{action.pk}")
    context = _facts(action, item, address)
    subjects = []
    for language in ("nl", "en"):
        with translation.override(language):
            subjects.append(
                _("Reminder: illegal material on your network")
                if action.kind == ActionKind.REMINDER
                else _("Notice: illegal material on your network")
            )
    subject = f"{subjects[0]} / {subjects[1]} [{item.report.reference}]"
    message = EmailMessage(
        subject=subject,
        body=_both_languages("network/hotline_notice.txt", context),
        to=[to],
        reply_to=[hotline_setting("HOTLINE_XARF_CONTACT")],
        headers={"Message-ID": f"<hotline-action-{action.pk}@{domain}>", "X-XARF": "PLAIN"},
    )
    report = xarf_report(
        item=item, address=address, report_id=report_id, verified_at=item.last_checked_at
    )
    message.attach("xarf.json", json.dumps(report, indent=2), "application/json")
    return message


def _send(action: AddressAction):
    item = ReportedUrl.objects.select_related("report").get(pk=action.reported_url_id)
    if item.destroyed_at is not None or not item.sealed_url:
        raise PartnerUnavailable("the report has been destroyed")
    address = url_open(item.sealed_url)
    if action.kind in (ActionKind.NOTICE, ActionKind.REMINDER):
        provider = HostingProvider.objects.get(pk=action.provider_id)
        to = provider.abuse_email
        if not to:
            raise RdapError(provider.rdap_error or _("No abuse address is known for this network."))
        action.recipient = to
        action.save(update_fields=["recipient"])
        return mail_begin(notice_message(action=action, item=item, address=address, to=to))
    partner = Partner.objects.get(pk=action.partner_id)
    refusal = partner_refusal(partner, line_id=item.report.line_id, on=timezone.localdate())
    if refusal:
        raise PartnerUnavailable(refusal)
    forward_seal(
        report=item.report,
        partner=partner,
        text=_both_languages("network/hotline_facts.txt", _facts(action, item, address)),
        # A partner hotline gets the address report it can import, signed by us.
        attachments=_exchange_document(item) if action.kind == ActionKind.FORWARD else (),
        recipients=list(partner_recipients(partner)),
        actor=action.created_by,
        address_action=action,
    )
    return None


def _exchange_document(item: ReportedUrl) -> list[Attachment]:
    return [
        Attachment(
            name=f"address-report-{export_reference(item)}.json",
            media_type="application/json",
            data=address_report_export(item),
        )
    ]


def address_action_deliver(*, action_id: int, now: datetime | None = None) -> tuple[int, int]:
    """Send one action if it is due; returns (sent, failed).

    A notice's abuse address is looked up (RDAP) first, outside the row's
    transaction, so a slow registry holds no lock; the look-up's problem stays
    on the provider and becomes the action's error.
    """
    now = now or timezone.now()
    max_attempts = hotline_setting("HOTLINE_ACTION_MAX_ATTEMPTS")
    queryset = AddressAction.objects.filter(pk=action_id)
    due = queryset.filter(
        sent_at__isnull=True, attempts__lt=max_attempts, next_attempt_at__lte=now
    ).select_related("provider")
    waiting = due.first()
    if waiting is not None and waiting.provider is not None:
        try:
            provider_abuse_email(waiting.provider, now=now)
        except RdapError:
            pass  # kept on the provider; _send raises it as the action's error
    return outbox_deliver(
        queryset=queryset,
        send=_send,
        on_sent=lambda action: address_action_sent(action=action),
        on_refused=lambda action: address_action_refused(action=action),
        max_attempts=max_attempts,
        now=now,
    )


def address_action_retry_at(*, action_id: int) -> datetime | None:
    return outbox_retry_at(
        AddressAction.objects.filter(pk=action_id),
        max_attempts=hotline_setting("HOTLINE_ACTION_MAX_ATTEMPTS"),
    )
