"""Preparing the forwardable version of a report: redaction drafts and the forwarding gate.

A report is forwarded only as an anonymised version; the original never leaves.
The analyst starts from the detector's findings (``privacy.detection``), decides
per finding whether to redact or keep it, and may redact any other passage by
hand. The gate ``ensure_forwardable`` refuses a draft while any finding is
unreviewed, because "nobody looked at it" must never silently become "keep".
Only a supervisor can override that, and only with a written reason, which the
caller records in the audit log.

Pure logic on strings: offsets are Python string indices (code points), the
same as the detector's, never UTF-8 byte offsets. Drafts are immutable; every
change returns a new draft, so a draft can be stored (``draft_to_dict``) and
restored between requests without surprises.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from meldpunt.privacy.detection.findings import FindingType

MANUAL = "manual"
# Each kind of passage in words, wherever people read it: the placeholder in the
# forwarded text (and its preview) and the analyst's list of findings. A type
# code such as "street_address" means nothing to a partner.
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
# A written reason must say something; a few characters are not a reason.
MIN_OVERRIDE_REASON_LENGTH = 10


class Decision(StrEnum):
    REDACT = "redact"
    KEEP = "keep"
    UNREVIEWED = "unreviewed"


class Placeholder(StrEnum):
    """How a redacted passage appears in the forwarded text."""

    TYPED = "typed"  # [REDACTED: phone] - the partner knows what kind of detail was removed
    BLANK = "blank"  # […] - not even the kind of detail is revealed


class FindingLike(Protocol):
    """What redaction needs from a detector finding (``privacy.detection.Finding``)."""

    type: object
    start: int
    end: int
    text: str
    confidence: float


class RedactionError(ValueError):
    """A finding, range or stored draft that does not fit the text; the message says how."""


@dataclass(frozen=True)
class Mark:
    """One passage of the text with the analyst's decision about it."""

    start: int
    end: int
    type: str
    decision: Decision
    confidence: float | None = None  # None for passages marked by hand

    @property
    def is_manual(self) -> bool:
        return self.type == MANUAL


@dataclass(frozen=True)
class RedactionDraft:
    text: str
    marks: tuple[Mark, ...]


class RefusalCode(StrEnum):
    UNREVIEWED_FINDINGS = "unreviewed_findings"
    OVERRIDE_NOT_ALLOWED = "override_not_allowed"
    OVERRIDE_REASON_TOO_SHORT = "override_reason_too_short"


class ForwardRefused(Exception):
    """The draft may not be forwarded; ``message`` is for the person who tried."""

    def __init__(self, code: RefusalCode, message: str, unreviewed: int) -> None:
        super().__init__(message)
        self.code, self.message, self.unreviewed = code, message, unreviewed


@dataclass(frozen=True)
class ForwardClearance:
    """Why forwarding was allowed; an override must be written to the audit log."""

    is_override: bool
    override_reason: str = ""
    unreviewed_types: tuple[str, ...] = ()

    def audit_details(self) -> dict:
        return {
            "override": self.is_override,
            "reason": self.override_reason,
            "unreviewed_types": list(self.unreviewed_types),
        }


def _type_name(value: object) -> str:
    return str(getattr(value, "value", value))


def _check_span(text: str, start: int, end: int) -> None:
    if not (isinstance(start, int) and isinstance(end, int)):
        raise RedactionError(_("A passage needs whole-number start and end positions."))
    if not 0 <= start < end <= len(text):
        raise RedactionError(
            _("Passage %(start)s–%(end)s lies outside the text (length %(length)s).")
            % {"start": start, "end": end, "length": len(text)}
        )


def redaction_draft(*, text: str, findings: Iterable[FindingLike]) -> RedactionDraft:
    """A draft with every finding pre-marked as unreviewed, in text order.

    A finding whose text does not match its span (for instance one computed on
    UTF-8 bytes or on an older version of the text) is refused: redacting the
    wrong passage would leave the real detail in the forwarded text.
    """
    marks = []
    for finding in findings:
        _check_span(text, finding.start, finding.end)
        if text[finding.start : finding.end] != finding.text:
            raise RedactionError(
                _("Finding at %(start)s–%(end)s does not match the text; detect again.")
                % {"start": finding.start, "end": finding.end}
            )
        marks.append(
            Mark(
                start=finding.start,
                end=finding.end,
                type=_type_name(finding.type),
                decision=Decision.UNREVIEWED,
                confidence=finding.confidence,
            )
        )
    marks.sort(key=lambda mark: (mark.start, mark.end))
    return RedactionDraft(text=text, marks=tuple(marks))


def draft_decide(draft: RedactionDraft, *, index: int, decision: Decision) -> RedactionDraft:
    """Record the analyst's decision on one mark (one click per finding)."""
    if not 0 <= index < len(draft.marks):
        raise RedactionError(_("There is no passage number %(index)s.") % {"index": index})
    if decision == Decision.UNREVIEWED and draft.marks[index].is_manual:
        raise RedactionError(_("A passage marked by hand is always reviewed."))
    try:
        decision = Decision(decision)
    except ValueError as error:
        raise RedactionError(_("Choose redact or keep.")) from error
    marks = list(draft.marks)
    marks[index] = replace(marks[index], decision=decision)
    return replace(draft, marks=tuple(marks))


def draft_redact_range(draft: RedactionDraft, *, start: int, end: int) -> RedactionDraft:
    """Redact a passage the detector did not find (free-form redaction)."""
    _check_span(draft.text, start, end)
    mark = Mark(start=start, end=end, type=MANUAL, decision=Decision.REDACT)
    return replace(draft, marks=(*draft.marks, mark))


def unreviewed_findings(draft: RedactionDraft) -> list[Mark]:
    return [mark for mark in draft.marks if mark.decision == Decision.UNREVIEWED]


def mark_type_label(type_name: str) -> str:
    """A kind of passage in words of the active language; an unknown kind as it is."""
    return str(TYPE_LABELS.get(type_name, type_name))


def _placeholder(types: list[str], style: Placeholder) -> str:
    if style == Placeholder.BLANK:
        return "[…]"
    return _("[REDACTED: %(type)s]") % {"type": ", ".join(map(mark_type_label, types))}


def render_redacted(
    text: str, decisions: Iterable[Mark], *, style: Placeholder = Placeholder.TYPED
) -> str:
    """The text as it may leave the reporting point.

    Everything not explicitly kept is removed: unreviewed marks are redacted
    too, so a preview can never show more than the gate would let through.
    Overlapping or touching passages become one placeholder, which also hides
    how many details were close together.
    """
    spans = sorted(
        (mark.start, mark.end, mark.type) for mark in decisions if mark.decision != Decision.KEEP
    )
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, type_name in spans:
        _check_span(text, start, end)
        if merged and start <= merged[-1][1]:
            last_start, last_end, types = merged[-1]
            if type_name not in types:
                types.append(type_name)
            merged[-1] = (last_start, max(last_end, end), types)
        else:
            merged.append((start, end, [type_name]))
    pieces, position = [], 0
    for start, end, types in merged:
        pieces.append(text[position:start])
        pieces.append(_placeholder(sorted(types), style))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def ensure_forwardable(
    draft: RedactionDraft, override_reason: str | None, actor_is_supervisor: bool
) -> ForwardClearance:
    """Refuse a draft with unreviewed findings, unless a supervisor overrides with a reason.

    The returned clearance says whether an override was used; the forwarding
    service writes ``clearance.audit_details()`` to the audit log in the same
    transaction as the forward.
    """
    unreviewed = unreviewed_findings(draft)
    if not unreviewed:
        return ForwardClearance(is_override=False)
    count = len(unreviewed)
    reason = (override_reason or "").strip()
    if not reason:
        raise ForwardRefused(
            RefusalCode.UNREVIEWED_FINDINGS,
            ngettext(
                "%(count)s marked passage has not been reviewed. Redact or keep it.",
                "%(count)s marked passages have not been reviewed. Redact or keep each one.",
                count,
            )
            % {"count": count},
            count,
        )
    if not actor_is_supervisor:
        raise ForwardRefused(
            RefusalCode.OVERRIDE_NOT_ALLOWED,
            _("Only a supervisor may forward a version with unreviewed passages."),
            count,
        )
    if len(reason) < MIN_OVERRIDE_REASON_LENGTH:
        raise ForwardRefused(
            RefusalCode.OVERRIDE_REASON_TOO_SHORT,
            _("Explain in at least %(length)s characters why this may be forwarded unreviewed.")
            % {"length": MIN_OVERRIDE_REASON_LENGTH},
            count,
        )
    return ForwardClearance(
        is_override=True,
        override_reason=reason,
        unreviewed_types=tuple(sorted({mark.type for mark in unreviewed})),
    )


def draft_to_dict(draft: RedactionDraft) -> dict:
    """A JSON-ready form, to keep a draft (encrypted with the report) between requests."""
    return {
        "text": draft.text,
        "marks": [
            {
                "start": mark.start,
                "end": mark.end,
                "type": mark.type,
                "decision": str(mark.decision),
                "confidence": mark.confidence,
            }
            for mark in draft.marks
        ],
    }


def draft_from_dict(data: dict) -> RedactionDraft:
    """Restore a stored draft; a damaged one gives RedactionError, never a half-valid draft."""
    try:
        text = data["text"]
        marks = tuple(
            Mark(
                start=item["start"],
                end=item["end"],
                type=str(item["type"]),
                decision=Decision(item["decision"]),
                confidence=item.get("confidence"),
            )
            for item in data["marks"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RedactionError(_("The stored redaction draft is damaged.")) from error
    if not isinstance(text, str):
        raise RedactionError(_("The stored redaction draft is damaged."))
    for mark in marks:
        _check_span(text, mark.start, mark.end)
    return RedactionDraft(text=text, marks=marks)
