"""Reads of the forwarding network: the text to redact, partners, forwards, display rows."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.intake import services as intake_services
from meldpunt.intake.models import Author, Report
from meldpunt.privacy.detection import FindingType
from meldpunt.privacy.redaction import MANUAL, Decision, RedactionDraft
from meldpunt.vault.models import Role, StaffUser

from .conf import network_setting
from .models import Forward, Partner

TYPE_LABELS = {
    FindingType.PERSON_NAME: gettext_lazy("person's name"),
    FindingType.PHONE: gettext_lazy("phone number"),
    FindingType.EMAIL: gettext_lazy("e-mail address"),
    FindingType.IBAN: gettext_lazy("bank account (IBAN)"),
    FindingType.BSN: gettext_lazy("citizen service number (BSN)"),
    FindingType.POSTCODE_ADDRESS: gettext_lazy("postcode and house number"),
    FindingType.STREET_ADDRESS: gettext_lazy("street address"),
    FindingType.LICENCE_PLATE: gettext_lazy("licence plate"),
    FindingType.DATE_OF_BIRTH: gettext_lazy("date of birth"),
    FindingType.SOCIAL_HANDLE: gettext_lazy("social media name"),
    FindingType.PROFILE_URL: gettext_lazy("profile link"),
    FindingType.SELF_REFERENCE: gettext_lazy("reporter's own position"),
    MANUAL: gettext_lazy("marked by hand"),
}
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
        f"{content['questions'].get(key, key)}\n{answer}"
        for key, answer in content["answers"].items()
        if str(answer).strip()
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


def report_forwards(report: Report) -> QuerySet[Forward]:
    """The report's forwards, with how their notification mails stand.

    ``notifications_waiting``: mails not sent yet that will still be tried;
    ``notifications_failing``: of those, how many failed at least once. A forward
    still *available* with none waiting was never announced: the analyst calls.
    """
    waiting = Q(
        notifications__sent_at__isnull=True,
        notifications__attempts__lt=network_setting("NETWORK_NOTIFICATION_MAX_ATTEMPTS"),
    )
    return (
        report.forwards.select_related("partner", "created_by")
        .annotate(
            notifications_waiting=Count("notifications", filter=waiting),
            notifications_failing=Count(
                "notifications", filter=waiting & Q(notifications__attempts__gt=0)
            ),
        )
        .order_by("created_at", "pk")
    )


def partner_forwards(user: StaffUser) -> QuerySet[Forward]:
    """Forwards to the organisations the partner user belongs to; nothing else exists for them."""
    return (
        Forward.objects.filter(partner__memberships__user=user)
        .select_related("partner", "report__category", "report__line")
        .distinct()
    )


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


def _label(type_name: str) -> str:
    return str(TYPE_LABELS.get(type_name, type_name))


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
                label=f"{_label(mark.type)}: {DECISION_LABELS[mark.decision]}",
                starts_mark=mark.start == start,
            )
        )
    return segments


def draft_finding_rows(draft: RedactionDraft) -> list[FindingRow]:
    return [
        FindingRow(
            index=index,
            number=index + 1,
            type_label=_label(mark.type),
            passage=draft.text[mark.start : mark.end],
            confidence=None if mark.confidence is None else round(mark.confidence * 100),
            decision=str(mark.decision),
            decision_label=str(DECISION_LABELS[mark.decision]),
            is_manual=mark.is_manual,
        )
        for index, mark in enumerate(draft.marks)
    ]
