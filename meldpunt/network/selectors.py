"""Reads of the forwarding network: the text to redact, partners, forwards, display rows."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from nacl.public import PrivateKey

from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake import selectors as intake_selectors
from meldpunt.intake import services as intake_services
from meldpunt.intake.models import Author, Report
from meldpunt.lines.models import Municipality, QuestionKind
from meldpunt.lines.regions import PostcodeLocation, municipalities_current, postcode_resolve
from meldpunt.privacy.redaction import Decision, RedactionDraft, mark_type_label
from meldpunt.vault import crypto
from meldpunt.vault.keys import NoKeyError, data_key_open
from meldpunt.vault.models import DataKey, Role, StaffUser

from .conf import network_setting
from .models import (
    DeliveryChannel,
    FollowUpQuestion,
    Forward,
    ForwardFeedback,
    Partner,
    PartnerKind,
    PartnerMembership,
    RecipientKind,
    RoutingRule,
)
from .openpgp import KeyRefused, openpgp_key_check

FEEDBACK_CONTEXT = b"forward-feedback"
QUESTION_CONTEXT = b"forward-question"
ANSWER_CONTEXT = b"forward-answer"

DECISION_LABELS = {
    Decision.UNREVIEWED: gettext_lazy("not reviewed"),
    Decision.REDACT: gettext_lazy("redact"),
    Decision.KEEP: gettext_lazy("keep"),
}


def forward_text_compose(*, report: Report, key_bytes: bytes) -> str:
    """The text a forward starts from: each question with its answer, then the
    reporter's messages. Staff questions stay out: they are the reporting
    point's own words, and the answers are quoted under the report anyway."""
    content = intake_services.report_content(report=report, key_bytes=key_bytes)
    blocks = [
        f"{question}\n{answer}"
        for question, answer in intake_selectors.answers_shown(report=report, content=content)
        if answer.strip()
    ]
    messages = report.messages.filter(author=Author.REPORTER).order_by("pk")
    for number, message in enumerate(messages, start=1):
        body = intake_services.message_body(message=message, key_bytes=key_bytes)
        blocks.append(_("Message %(number)s from the reporter") % {"number": number} + f"\n{body}")
    return "\n\n".join(blocks)


def partner_recipients(partner: Partner) -> QuerySet[StaffUser]:
    """The partner's members a forward is sealed for: active partner users with a key."""
    return StaffUser.objects.filter(
        partner_memberships__partner=partner,
        role=Role.PARTNER,
        is_active=True,
        key__isnull=False,
    ).distinct()


def partners_for(report: Report) -> QuerySet[Partner]:
    """The partners the report's line may forward to."""
    return Partner.objects.filter(is_active=True, lines=report.line_id).order_by("name")


@dataclass(frozen=True)
class ReportLocation:
    """Where a report is located, as far as routing is concerned.

    ``municipality`` is set when the report's plaintext municipality code (the
    reporter's choice, a postcode resolved at intake, or the analyst's choice)
    or the postcode answer names exactly one existing municipality; otherwise
    the analyst chooses, from ``candidates`` when there are any.
    """

    municipality: Municipality | None
    postcode: PostcodeLocation | None
    candidates: tuple[Municipality, ...] = ()


def report_day(report: Report) -> date:
    return timezone.localdate(report.received_at)


def report_location(*, report: Report, key_bytes: bytes) -> ReportLocation:
    """Resolve the report's location: its municipality code, else its postcode answer.

    Merged municipalities count as their successors as of the report's date.
    The postcode is read from the sealed answers (it is content); only the
    municipality it resolves to is ever stored in plaintext.
    """
    day = report_day(report)
    postcode_keys = [
        q.key for q in report.category.questions.all() if q.kind == QuestionKind.POSTCODE
    ]
    postcode = None
    if postcode_keys:
        answers = intake_services.report_content(report=report, key_bytes=key_bytes)["answers"]
        typed = next((str(answers[key]) for key in postcode_keys if answers.get(key)), "")
        if typed:
            postcode = postcode_resolve(text=typed, on=day)
    if report.municipality_code:
        given = Municipality.objects.filter(code=report.municipality_code).first()
        current = municipalities_current(given, on=day) if given else []
        if len(current) == 1:
            return ReportLocation(municipality=current[0], postcode=postcode)
        return ReportLocation(municipality=None, postcode=postcode, candidates=tuple(current))
    if postcode is not None and postcode.municipality is not None:
        return ReportLocation(municipality=postcode.municipality, postcode=postcode)
    candidates = tuple(c.municipality for c in postcode.candidates) if postcode else ()
    return ReportLocation(municipality=None, postcode=postcode, candidates=candidates)


def municipalities_existing(on: date) -> QuerySet[Municipality]:
    """The municipalities an analyst may choose as a report's location."""
    return Municipality.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def partner_refusal(partner: Partner, *, line_id: int, on: date) -> str:
    """Why ``partner`` cannot receive a forward of the line on ``on``; '' when it can."""
    if not (partner.is_active and partner.lines.filter(pk=line_id).exists()):
        return _("%(partner)s does not receive reports of this line.") % {"partner": partner.name}
    if not partner.is_connected_on(on):
        if partner.connected_from is None:
            return _("%(partner)s is not connected.") % {"partner": partner.name}
        if on < partner.connected_from:
            return _("%(partner)s is not connected yet: the connection starts on %(day)s.") % {
                "partner": partner.name,
                "day": _day(partner.connected_from),
            }
        return _("%(partner)s is not connected: the connection ended on %(day)s.") % {
            "partner": partner.name,
            "day": _day(partner.connected_until),
        }
    if partner.delivery_channel != DeliveryChannel.PORTAL:
        # E-mail and webhook partners read with their own OpenPGP key, checked now
        # (it may have expired since it was saved).
        try:
            openpgp_key_check(partner.openpgp_key, now=timezone.now())
        except KeyRefused as refusal:
            return _("%(partner)s cannot receive it: %(reason)s") % {
                "partner": partner.name,
                "reason": refusal.message,
            }
        return ""
    if not partner_recipients(partner).exists():
        return _("Nobody at %(partner)s can read a forward yet (no active member with a key).") % {
            "partner": partner.name
        }
    return ""


@dataclass(frozen=True)
class ProposedPartner:
    partner: Partner
    reason: str


@dataclass(frozen=True)
class RefusedPartner:
    name: str
    reason: str
    partner: Partner | None = None


@dataclass(frozen=True)
class Proposal:
    """Partners the routing rules propose, each with why; and those refused, with why not."""

    proposed: tuple[ProposedPartner, ...]
    refused: tuple[RefusedPartner, ...]

    @property
    def partner_ids(self) -> set[int]:
        return {item.partner.pk for item in self.proposed}


def _rule_reason(rule: RoutingRule) -> str:
    if rule.municipality_id:
        return _("rule for reports located in %(municipality)s") % {
            "municipality": rule.municipality.name
        }
    if rule.category_id:
        return _("rule for the category %(category)s") % {"category": rule.category.title}
    return _("rule for every report of the line %(line)s") % {"line": rule.line.title}


def forward_proposal(
    *, report: Report, municipality: Municipality | None, on: date | None = None
) -> Proposal:
    """Apply the routing rules of the report's line, category and place.

    A partner that cannot receive the forward on ``on`` (today by default) is
    not proposed but listed with the reason, e.g. a municipality whose
    connection ended; the analyst sees why and may act on it.
    """
    on = on or timezone.localdate()
    rules = (
        RoutingRule.objects.filter(line=report.line_id)
        .filter(Q(category__isnull=True) | Q(category=report.category_id))
        .filter(Q(municipality__isnull=True) | Q(municipality=municipality))
        .select_related("line", "category", "municipality", "partner")
        .order_by("pk")
    )
    proposed: dict[int, ProposedPartner] = {}
    refused: dict[str, RefusedPartner] = {}
    for rule in rules:
        reason = _rule_reason(rule)
        if rule.recipient == RecipientKind.PARTNER:
            candidates = [rule.partner]
        elif rule.recipient == RecipientKind.PARTNER_KIND:
            candidates = list(
                Partner.objects.filter(
                    kind=rule.partner_kind, is_active=True, lines=report.line_id
                ).order_by("name")
            )
        elif municipality is None:
            refused.setdefault(
                "",
                RefusedPartner(
                    name=_("The report's municipality"),
                    reason=_("The report's location is not known; choose its municipality."),
                ),
            )
            continue
        else:
            candidates = list(
                Partner.objects.filter(
                    kind=PartnerKind.MUNICIPALITY, municipality=municipality
                ).order_by("name")
            )
            reason = _("the report is located in %(municipality)s (%(rule)s)") % {
                "municipality": municipality.name,
                "rule": reason,
            }
            if not candidates:
                refused.setdefault(
                    municipality.code,
                    RefusedPartner(
                        name=municipality.name,
                        reason=_("Municipality %(municipality)s is not connected.")
                        % {"municipality": municipality.name},
                    ),
                )
        for partner in candidates:
            if partner.pk in proposed or str(partner.pk) in refused:
                continue
            refusal = partner_refusal(partner, line_id=report.line_id, on=on)
            if refusal:
                refused[str(partner.pk)] = RefusedPartner(partner.name, refusal, partner)
            else:
                proposed[partner.pk] = ProposedPartner(partner, reason)
    return Proposal(proposed=tuple(proposed.values()), refused=tuple(refused.values()))


@dataclass(frozen=True)
class PartnerChoice:
    partner: Partner
    reason: str  # why the rules propose it; '' for a partner the analyst may add
    is_checked: bool


@dataclass(frozen=True)
class PartnerChoices:
    selectable: tuple[PartnerChoice, ...]
    refused: tuple[RefusedPartner, ...]


def partner_choices(
    *, partners: QuerySet[Partner], proposal: Proposal, chosen: list | None, line_id: int
) -> PartnerChoices:
    """The prepare page's recipients: the proposal ticked, every other partner open to the
    line to add, and the partners that cannot receive it today with the reason.

    ``chosen``: the partner ids a refused post carried, so the page shows them again.
    """
    today = timezone.localdate()
    selectable, refused = [], list(proposal.refused)
    refused_ids = {item.partner.pk for item in refused if item.partner is not None}
    reasons = {item.partner.pk: item.reason for item in proposal.proposed}
    for partner in partners:
        refusal = partner_refusal(partner, line_id=line_id, on=today)
        if refusal:
            if partner.pk not in refused_ids:
                refused.append(RefusedPartner(partner.name, refusal, partner))
            continue
        is_checked = (
            partner.pk in reasons if chosen is None else str(partner.pk) in map(str, chosen)
        )
        selectable.append(PartnerChoice(partner, reasons.get(partner.pk, ""), is_checked))
    return PartnerChoices(selectable=tuple(selectable), refused=tuple(refused))


def report_forwards(report: Report) -> QuerySet[Forward]:
    """The report's forwards, with how their notification mails or deliveries stand.

    ``notifications_waiting``: mails not sent yet that will still be tried;
    ``notifications_failing``: of those, how many failed at least once. A forward
    still *available* with none waiting was never announced: the analyst calls.
    ``deliveries`` (prefetched): the e-mail or webhook delivery with its attempts
    and last error.
    """
    waiting = Q(
        notifications__sent_at__isnull=True,
        notifications__attempts__lt=network_setting("NETWORK_NOTIFICATION_MAX_ATTEMPTS"),
    )
    return (
        report.forwards.select_related("partner", "created_by")
        .prefetch_related("deliveries")
        .annotate(
            notifications_waiting=Count("notifications", filter=waiting),
            notifications_failing=Count(
                "notifications", filter=waiting & Q(notifications__attempts__gt=0)
            ),
        )
        .order_by("created_at", "pk")
    )


def partner_forwards(user: StaffUser) -> QuerySet[Forward]:
    """Forwards to the organisations the partner user belongs to; nothing else exists for them.

    A forward destroyed after the partner's retention period is gone for them too.
    """
    return (
        Forward.objects.filter(partner__memberships__user=user, destroyed_at__isnull=True)
        .select_related("partner", "report__category", "report__line")
        .distinct()
    )


def partner_of_member(user: StaffUser, pk: int) -> Partner | None:
    """One of the partner user's own organisations; any other is "not found"."""
    return Partner.objects.filter(pk=pk, memberships__user=user).first()


def report_files(report: Report) -> QuerySet[EvidenceFile]:
    """The report's stored files (with its reporter's messages), in the order they came."""
    return (
        EvidenceFile.objects.filter(attachment__report=report, destroyed_at__isnull=True)
        .prefetch_related("matches")
        .order_by("pk")
    )


def file_known_lists(evidence: EvidenceFile) -> list[str]:
    return sorted({match.list_name for match in evidence.matches.all()})


def forward_file_refusal(evidence: EvidenceFile) -> str:
    """Why a file of the report cannot go along with a forward; '' when it can.

    Only cleaned files leave (a file a line kept as it came may carry anything
    the cleaning removes), and known material never leaves as a file.
    """
    lists = file_known_lists(evidence)
    if lists:
        return _(
            "A chosen file matched the list(s) %(lists)s. Known material is never forwarded "
            "as a file; the forward mentions the match instead."
        ) % {"lists": ", ".join(lists)}
    if not evidence.is_cleaned:
        return _("A chosen file could not be cleaned, so it cannot be forwarded.")
    return ""


def report_known_lists(report: Report) -> list[list[str]]:
    """The lists each known-material file of the report matched, one entry per file."""
    return [lists for lists in map(file_known_lists, report_files(report)) if lists]


@dataclass(frozen=True)
class ResealNeed:
    """Members of a partner who cannot open some of its forwards (they joined later)."""

    partner: Partner
    members: tuple[StaffUser, ...]
    forwards: int  # live forwards that at least one of them cannot open


def forwards_reseal_needs(user: StaffUser) -> list[ResealNeed]:
    """Per organisation of the partner user: who joined after forwards they cannot open.

    Only forwards the user can open themselves count: nobody can share a key
    they do not hold.
    """
    needs = []
    for membership in PartnerMembership.objects.filter(user=user).select_related("partner"):
        partner = membership.partner
        members = list(partner_recipients(partner).order_by("username"))
        forwards = Forward.objects.filter(
            partner=partner, destroyed_at__isnull=True, data_key__grants__user=user
        )
        missing: set[int] = set()
        counted = 0
        for forward in forwards.prefetch_related("data_key__grants"):
            holders = {grant.user_id for grant in forward.data_key.grants.all()}
            lacking = {member.pk for member in members} - holders
            if lacking:
                missing |= lacking
                counted += 1
        if counted:
            needs.append(
                ResealNeed(
                    partner=partner,
                    members=tuple(member for member in members if member.pk in missing),
                    forwards=counted,
                )
            )
    return needs


def partner_forward_get(user: StaffUser, pk: int) -> Forward | None:
    return partner_forwards(user).filter(pk=pk).first()


@dataclass(frozen=True)
class Segment:
    """A stretch of the draft text for display; ``number`` names its finding (1-based)."""

    text: str
    number: int | None = None
    decision: str = ""
    label: str = ""
    starts_mark: bool = False  # show the number once, where its mark begins


@dataclass(frozen=True)
class FindingRow:
    index: int
    number: int
    type_label: str
    passage: str
    confidence: int | None  # percent; None for passages marked by hand
    decision: str
    decision_label: str
    is_manual: bool


# What a stretch covered by several marks shows: the least finished decision wins.
_DISPLAY_ORDER = {Decision.UNREVIEWED: 0, Decision.REDACT: 1, Decision.KEEP: 2}


def draft_segments(draft: RedactionDraft) -> list[Segment]:
    """The draft text cut at every mark boundary, each piece with the mark it belongs to."""
    boundaries = sorted({0, len(draft.text)} | {p for m in draft.marks for p in (m.start, m.end)})
    segments = []
    for start, end in zip(boundaries, boundaries[1:], strict=False):
        covering = [
            (_DISPLAY_ORDER[mark.decision], number)
            for number, mark in enumerate(draft.marks, start=1)
            if mark.start <= start and end <= mark.end
        ]
        if not covering:
            segments.append(Segment(text=draft.text[start:end]))
            continue
        _order, number = min(covering)
        mark = draft.marks[number - 1]
        segments.append(
            Segment(
                text=draft.text[start:end],
                number=number,
                decision=str(mark.decision),
                label=f"{mark_type_label(mark.type)}: {DECISION_LABELS[mark.decision]}",
                starts_mark=mark.start == start,
            )
        )
    return segments


def draft_finding_rows(draft: RedactionDraft) -> list[FindingRow]:
    return [
        FindingRow(
            index=index,
            number=index + 1,
            type_label=mark_type_label(mark.type),
            passage=draft.text[mark.start : mark.end],
            confidence=None if mark.confidence is None else round(mark.confidence * 100),
            decision=str(mark.decision),
            decision_label=str(DECISION_LABELS[mark.decision]),
            is_manual=mark.is_manual,
        )
        for index, mark in enumerate(draft.marks)
    ]


def sealed_read(
    *, data_key: DataKey, sealed: bytes, context: bytes, user: StaffUser, private_key: PrivateKey
) -> str | None:
    """Open one sealed text of feedback or a follow-up question; None when not sealed for
    ``user`` (a member who joined later, or staff who joined the line after it was written)."""
    try:
        key_bytes = data_key_open(data_key=data_key, private_key=private_key, user=user)
    except NoKeyError:
        return None
    return crypto.decrypt(key_bytes, bytes(sealed), context=context).decode()


@dataclass(frozen=True)
class FeedbackShown:
    feedback: ForwardFeedback
    text: str | None


@dataclass(frozen=True)
class QuestionShown:
    question: FollowUpQuestion
    text: str | None
    answer: str | None


@dataclass(frozen=True)
class ForwardReturns:
    """One forward of a report with what came back from the partner, for the analyst."""

    forward: Forward
    feedback: FeedbackShown | None
    questions: list[QuestionShown] = field(default_factory=list)


def forward_feedback_shown(
    forward: Forward, *, user: StaffUser, private_key: PrivateKey
) -> FeedbackShown | None:
    given = ForwardFeedback.objects.filter(forward=forward).select_related("given_by").first()
    if given is None:
        return None
    text = sealed_read(
        data_key=given.data_key,
        sealed=given.sealed_text,
        context=FEEDBACK_CONTEXT,
        user=user,
        private_key=private_key,
    )
    return FeedbackShown(feedback=given, text=text)


def forward_questions_shown(
    forward: Forward, *, user: StaffUser, private_key: PrivateKey
) -> list[QuestionShown]:
    shown = []
    for question in forward.questions.select_related("data_key", "asked_by", "answered_by"):
        read = {"data_key": question.data_key, "user": user, "private_key": private_key}
        shown.append(
            QuestionShown(
                question=question,
                text=sealed_read(sealed=question.sealed_question, context=QUESTION_CONTEXT, **read),
                answer=(
                    sealed_read(sealed=question.sealed_answer, context=ANSWER_CONTEXT, **read)
                    if question.sealed_answer is not None
                    else None
                ),
            )
        )
    return shown


def report_returns(
    report: Report, *, user: StaffUser, private_key: PrivateKey
) -> list[ForwardReturns]:
    """Every forward of the report with its feedback and follow-up questions, decrypted."""
    return [
        ForwardReturns(
            forward=forward,
            feedback=forward_feedback_shown(forward, user=user, private_key=private_key),
            questions=forward_questions_shown(forward, user=user, private_key=private_key),
        )
        for forward in report.forwards.select_related("partner").order_by("created_at", "pk")
    ]
