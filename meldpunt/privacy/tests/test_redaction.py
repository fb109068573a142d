"""The redaction draft and the forwarding gate (pure logic, no database)."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from meldpunt.privacy.detection import FindingType, find_identifying_details
from meldpunt.privacy.redaction import (
    Decision,
    ForwardRefused,
    Placeholder,
    RedactionError,
    RefusalCode,
    draft_decide,
    draft_from_dict,
    draft_redact_range,
    draft_to_dict,
    ensure_forwardable,
    redaction_draft,
    render_redacted,
    unreviewed_findings,
)


@dataclass(frozen=True)
class Finding:
    """Shaped like privacy.detection.Finding, built by hand for these tests."""

    type: str
    start: int
    end: int
    text: str
    confidence: float = 0.9


def finding(text: str, passage: str, type_: str, occurrence: int = 0) -> Finding:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return Finding(type=type_, start=start, end=start + len(passage), text=passage)


TEXT = "Ik ben Jan de Vries, bel mij op 06-12345678 of mail jan@example.nl. De dealer woont hier."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft():
    return redaction_draft(
        text=TEXT,
        findings=[
            finding(TEXT, "jan@example.nl", "email"),
            finding(TEXT, "Jan de Vries", "person"),
            finding(TEXT, "06-12345678", "phone"),
        ],
    )


def decide_all(draft, decision):
    for index in range(len(draft.marks)):
        draft = draft_decide(draft, index=index, decision=decision)
    return draft


def test_findings_start_unreviewed_in_text_order(draft):
    assert [mark.type for mark in draft.marks] == ["person", "phone", "email"]
    assert len(unreviewed_findings(draft)) == 3


def test_forward_refused_while_a_finding_is_unreviewed(draft):
    draft = draft_decide(draft, index=0, decision=Decision.REDACT)
    draft = draft_decide(draft, index=1, decision=Decision.KEEP)

    with pytest.raises(ForwardRefused) as refused:
        ensure_forwardable(draft, override_reason=None, actor_is_supervisor=False)

    assert refused.value.code == RefusalCode.UNREVIEWED_FINDINGS
    assert refused.value.unreviewed == 1
    assert "1 marked passage has not been reviewed" in refused.value.message


def test_forward_allowed_after_redaction(draft):
    draft = decide_all(draft, Decision.REDACT)

    clearance = ensure_forwardable(draft, override_reason=None, actor_is_supervisor=False)

    assert not clearance.is_override
    assert render_redacted(draft.text, draft.marks) == (
        "Ik ben [REDACTED: person], bel mij op [REDACTED: phone number] "
        "of mail [REDACTED: e-mail address]. De dealer woont hier."
    )


def test_keep_leaves_the_passage_and_blank_placeholders_hide_the_kind(draft):
    draft = draft_decide(decide_all(draft, Decision.REDACT), index=2, decision=Decision.KEEP)

    assert render_redacted(draft.text, draft.marks, style=Placeholder.BLANK) == (
        "Ik ben […], bel mij op […] of mail jan@example.nl. De dealer woont hier."
    )


def test_only_a_supervisor_with_a_written_reason_may_override(draft):
    reason = "Urgent danger to life; police asked for the number now."
    with pytest.raises(ForwardRefused) as analyst:
        ensure_forwardable(draft, override_reason=reason, actor_is_supervisor=False)
    assert analyst.value.code == RefusalCode.OVERRIDE_NOT_ALLOWED

    for empty in (None, "", "   \n"):
        with pytest.raises(ForwardRefused) as silent:
            ensure_forwardable(draft, override_reason=empty, actor_is_supervisor=True)
        assert silent.value.code == RefusalCode.UNREVIEWED_FINDINGS
    with pytest.raises(ForwardRefused) as terse:
        ensure_forwardable(draft, override_reason="ok", actor_is_supervisor=True)
    assert terse.value.code == RefusalCode.OVERRIDE_REASON_TOO_SHORT

    clearance = ensure_forwardable(draft, override_reason=f"  {reason} ", actor_is_supervisor=True)

    assert clearance.is_override
    assert clearance.audit_details() == {
        "override": True,
        "reason": reason,
        "unreviewed_types": ["email", "person", "phone"],
    }


def test_overlapping_and_touching_redactions_become_one_placeholder():
    text = "Adres: Dorpsstraat 12, 1234 AB Ons Dorp."
    draft = redaction_draft(
        text=text,
        findings=[
            finding(text, "Dorpsstraat 12", "street_address"),
            finding(text, "12, 1234 AB", "postcode"),
            finding(text, " Ons Dorp", "place"),
        ],
    )
    draft = decide_all(draft, Decision.REDACT)

    assert render_redacted(text, draft.marks) == (
        "Adres: [REDACTED: place, postcode, street address]."
    )


def test_redact_wins_where_a_kept_finding_overlaps_a_redacted_one():
    text = "Mail naar piet.jansen@example.nl vandaag"
    draft = redaction_draft(
        text=text,
        findings=[
            finding(text, "piet.jansen@example.nl", "email"),
            finding(text, "piet.jansen", "person"),
        ],
    )
    assert [m.type for m in draft.marks] == ["person", "email"]
    draft = draft_decide(draft, index=0, decision=Decision.REDACT)  # the name inside it
    draft = draft_decide(draft, index=1, decision=Decision.KEEP)  # the e-mail address

    assert render_redacted(text, draft.marks) == "Mail naar [REDACTED: person]@example.nl vandaag"


def test_free_form_redaction_counts_as_reviewed(draft):
    draft = decide_all(draft, Decision.KEEP)
    start = TEXT.index("De dealer")
    draft = draft_redact_range(draft, start=start, end=start + len("De dealer"))

    assert ensure_forwardable(draft, None, actor_is_supervisor=False).is_override is False
    assert render_redacted(TEXT, draft.marks).endswith("[REDACTED: marked by hand] woont hier.")
    with pytest.raises(RedactionError):
        draft_decide(draft, index=3, decision=Decision.UNREVIEWED)


def test_unreviewed_passages_are_redacted_in_any_rendering(draft):
    assert "06-12345678" not in render_redacted(draft.text, draft.marks)


def test_offsets_are_characters_not_bytes():
    text = "Café “Ölmühle” 🙂 — bel Zoë op 0612345678 👍🏽 dank"
    number = finding(text, "0612345678", "phone")
    name = finding(text, "Zoë", "person")
    draft = decide_all(redaction_draft(text=text, findings=[number, name]), Decision.REDACT)

    assert render_redacted(text, draft.marks, style=Placeholder.BLANK) == (
        "Café “Ölmühle” 🙂 — bel […] op […] 👍🏽 dank"
    )

    # A detector that counted UTF-8 bytes would point past the number.
    text = "Zoë: 0612345678, en verder niets bijzonders te melden"
    byte_start = text.encode().index(b"0612345678")
    assert byte_start == text.index("0612345678") + 1
    with pytest.raises(RedactionError, match="does not match the text"):
        redaction_draft(
            text=text,
            findings=[Finding("phone", byte_start, byte_start + 10, "0612345678")],
        )


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (8, 4), (0, 10_000), ("1", 3)])
def test_ranges_outside_the_text_are_refused_clearly(draft, start, end):
    with pytest.raises(RedactionError):
        draft_redact_range(draft, start=start, end=end)


def test_unknown_mark_number_or_decision_is_refused(draft):
    with pytest.raises(RedactionError, match="no passage number 7"):
        draft_decide(draft, index=7, decision=Decision.KEEP)
    with pytest.raises(RedactionError, match="redact or keep"):
        draft_decide(draft, index=0, decision="maybe")


def test_a_draft_survives_storage_and_damage_is_detected(draft):
    draft = draft_redact_range(draft_decide(draft, index=1, decision=Decision.KEEP), start=0, end=2)

    assert draft_from_dict(draft_to_dict(draft)) == draft
    damaged = draft_to_dict(draft)
    damaged["marks"][0]["decision"] = "maybe"
    with pytest.raises(RedactionError, match="damaged"):
        draft_from_dict(damaged)
    shortened = draft_to_dict(draft) | {"text": "Ik"}
    with pytest.raises(RedactionError):
        draft_from_dict(shortened)


def test_works_on_the_detectors_findings_including_zero_width_characters():
    text = (
        "Ik ben Jan de Vries, bel 06-1234\u200b5678 of mail jan@example.nl. "
        "IBAN NL91ABNA0417164300."
    )
    findings = find_identifying_details(text)
    draft = decide_all(redaction_draft(text=text, findings=findings), Decision.REDACT)

    forwardable = render_redacted(text, draft.marks)

    assert ensure_forwardable(draft, None, actor_is_supervisor=False).is_override is False
    for detail in ("Jan de Vries", "jan@example.nl", "NL91ABNA0417164300", "5678"):
        assert detail not in forwardable
    assert "[REDACTED: bank account (IBAN)]" in forwardable
    assert "[REDACTED: e-mail address]" in forwardable


def test_the_placeholder_names_the_kind_of_detail_in_words_of_the_page_s_language():
    """Issue 16 item 3: "[WEGGELAKT: street_address]" told a partner nothing."""
    text = "Hij woont op Kerkstraat 12 en belt met 06-12345678."
    draft = decide_all(
        redaction_draft(
            text=text,
            findings=[
                finding(text, "Kerkstraat 12", FindingType.STREET_ADDRESS),
                finding(text, "06-12345678", FindingType.PHONE),
            ],
        ),
        Decision.REDACT,
    )
    assert render_redacted(text, draft.marks) == (
        "Hij woont op [REDACTED: street address] en belt met [REDACTED: phone number]."
    )
    with translation.override("nl"):
        assert render_redacted(text, draft.marks) == (
            "Hij woont op [WEGGELAKT: straatadres] en belt met [WEGGELAKT: telefoonnummer]."
        )
