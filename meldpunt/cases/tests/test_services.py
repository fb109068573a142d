import pytest
from django.urls import reverse
from django.utils import translation

from meldpunt.cases import selectors
from meldpunt.cases.models import Case, CaseNote, CloseOutcome, LinkKind, TriageOutcome
from meldpunt.cases.services import (
    CaseError,
    CaseErrorCode,
    case_category_correct,
    case_claim,
    case_classify,
    case_close,
    case_get,
    case_hand_over,
    case_link,
    case_note_add,
    case_open,
    case_question_ask,
    case_release,
    case_triage,
    case_unlink,
)
from meldpunt.intake.models import Message, Report, ReportStatus
from meldpunt.intake.services import report_key_for_staff
from meldpunt.testing import PASSWORD, make_category, make_staff, sign_in
from meldpunt.vault.keys import data_key_revoke, staff_key_unlock
from meldpunt.vault.models import AuditEvent, Role

from .factories import make_report, make_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Service messages come in the active language; these tests read the English ones."""
    with translation.override("en"):
        yield


def key_for(user, report):
    return report_key_for_staff(
        report=report, user=user, private_key=staff_key_unlock(user=user, password=PASSWORD)
    )


def actions(report):
    return list(
        AuditEvent.objects.filter(target_type="intake.report", target_id=str(report.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def expect_refusal(code, call):
    with pytest.raises(CaseError) as refusal:
        call()
    assert refusal.value.code == code
    assert refusal.value.message
    return refusal.value


def test_claim_takes_the_case_and_acknowledges_a_new_report(category, analyst):
    report = make_report(category=category)
    case = case_claim(report=report, actor=analyst, version=0)
    report.refresh_from_db()
    assert case.assignee == analyst and case.version == 1
    assert report.status == ReportStatus.IN_PROGRESS
    assert actions(report) == ["case.claim"]


def test_second_claim_on_the_same_version_is_a_conflict_and_changes_nothing(
    category, analyst, colleague
):
    report = make_report(category=category)
    case_claim(report=report, actor=analyst, version=0)
    refusal = expect_refusal(
        CaseErrorCode.CONFLICT, lambda: case_claim(report=report, actor=colleague, version=0)
    )
    assert "Someone else changed this case" in refusal.message
    case = Case.objects.get(report=report)
    assert case.assignee == analyst and case.version == 1
    assert actions(report) == ["case.claim"]


def test_stale_triage_does_not_overwrite_a_newer_one(category, analyst, supervisor):
    """The analyst and a supervisor both look at version 1; the supervisor saves first."""
    report = make_report(category=category)
    case_claim(report=report, actor=analyst, version=0)
    case_triage(report=report, actor=supervisor, version=1, outcome=TriageOutcome.NOT_ILLEGAL)
    expect_refusal(
        CaseErrorCode.CONFLICT,
        lambda: case_triage(report=report, actor=analyst, version=1, outcome=TriageOutcome.USABLE),
    )
    case = Case.objects.get(report=report)
    report.refresh_from_db()
    assert case.triage_outcome == TriageOutcome.NOT_ILLEGAL and case.version == 2
    assert report.status == ReportStatus.IN_PROGRESS


def test_compare_and_swap_catches_a_change_after_the_checks(category, analyst, colleague):
    """Even if another change lands between reading and writing, the write is refused."""
    report = make_report(category=category)
    case = case_get(report)
    # Someone else's update commits after this caller read version 0.
    Case.objects.filter(pk=case.pk).update(version=5, assignee=colleague)
    expect_refusal(
        CaseErrorCode.CONFLICT, lambda: case_claim(report=report, actor=analyst, version=0)
    )
    assert Case.objects.get(pk=case.pk).assignee == colleague


def test_only_the_holder_or_a_supervisor_changes_a_held_case(
    category, analyst, colleague, supervisor
):
    report = make_report(category=category)
    case_claim(report=report, actor=analyst, version=0)
    expect_refusal(
        CaseErrorCode.NOT_ALLOWED,
        lambda: case_triage(report=report, actor=colleague, version=1, outcome="usable"),
    )
    expect_refusal(
        CaseErrorCode.NOT_ALLOWED, lambda: case_release(report=report, actor=colleague, version=1)
    )
    case_release(report=report, actor=supervisor, version=1)
    assert Case.objects.get(report=report).assignee is None
    assert actions(report) == ["case.claim", "case.release"]


def test_administrators_and_other_lines_cannot_work_cases(category, analyst):
    report = make_report(category=category)
    administrator = make_staff(lines=[category.line], role=Role.ADMINISTRATOR)
    elsewhere = make_staff(lines=[make_category().line])
    for outsider in (administrator, elsewhere):
        expect_refusal(
            CaseErrorCode.NOT_ALLOWED,
            lambda outsider=outsider: case_claim(report=report, actor=outsider, version=0),
        )
    assert not Case.objects.filter(report=report).exists()
    assert actions(report) == []


def test_acting_on_an_unheld_case_makes_it_yours(category, analyst):
    report = make_report(category=category)
    case_triage(report=report, actor=analyst, version=0, outcome=TriageOutcome.USABLE)
    case = Case.objects.get(report=report)
    report.refresh_from_db()
    assert case.assignee == analyst
    assert report.status == ReportStatus.READY_TO_FORWARD


def test_hand_over_shares_the_key_with_a_colleague_who_lacked_it(category, analyst):
    report = make_report(category=category)
    newcomer = make_staff(lines=[category.line])  # joined after the report came in
    assert not report.data_key.grants.filter(user=newcomer).exists()
    case_claim(report=report, actor=analyst, version=0)
    case_hand_over(
        report=report, actor=analyst, version=1, to=newcomer, key_bytes=key_for(analyst, report)
    )
    assert Case.objects.get(report=report).assignee == newcomer
    assert key_for(newcomer, report) == key_for(analyst, report)
    event = AuditEvent.objects.get(action="case.hand_over")
    assert event.details == {"to": newcomer.username, "key_granted": True}


def test_hand_over_only_to_someone_of_the_line(category, analyst):
    report = make_report(category=category)
    stranger = make_staff(lines=[make_category().line])
    case_claim(report=report, actor=analyst, version=0)
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_hand_over(
            report=report,
            actor=analyst,
            version=1,
            to=stranger,
            key_bytes=key_for(analyst, report),
        ),
    )
    assert not report.data_key.grants.filter(user=stranger).exists()
    assert Case.objects.get(report=report).assignee == analyst


def test_classification_follows_the_line_scheme(category, analyst):
    report = make_report(category=category)
    assessment = make_scheme(line=category.line, options=("csam", "child_erotica", "other"))
    media = make_scheme(
        line=category.line, slug="media", options=("image", "video"), allows_multiple=True
    )
    foreign = make_scheme(line=make_category().line, slug="other-line")
    csam = assessment.options.get(slug="csam")
    both_media = list(media.options.all())
    case_classify(report=report, actor=analyst, version=0, options=[csam, *both_media])
    case = Case.objects.get(report=report)
    assert selectors.case_option_ids(case) == {csam.pk, *(o.pk for o in both_media)}

    two_assessments = list(assessment.options.filter(slug__in=["csam", "other"]))
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_classify(report=report, actor=analyst, version=1, options=two_assessments),
    )
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_classify(
            report=report, actor=analyst, version=1, options=[foreign.options.first()]
        ),
    )
    assert selectors.case_option_ids(case) == {csam.pk, *(o.pk for o in both_media)}
    # Reclassifying replaces the earlier choice.
    other = assessment.options.get(slug="other")
    case_classify(report=report, actor=analyst, version=1, options=[other])
    assert selectors.case_option_ids(case) == {other.pk}


def test_category_correction_stays_within_the_line(category, analyst):
    report = make_report(category=category)
    right = make_category(line=category.line)
    case_category_correct(report=report, actor=analyst, version=0, category=right)
    report.refresh_from_db()
    assert report.category == right
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_category_correct(
            report=report, actor=analyst, version=1, category=make_category()
        ),
    )
    assert AuditEvent.objects.get(action="case.category").details == {
        "from": category.slug,
        "to": right.slug,
    }


def test_question_waits_for_the_reporter_and_reaches_the_mailbox(category, analyst):
    report = make_report(category=category)
    key = key_for(analyst, report)
    message = case_question_ask(report=report, actor=analyst, key_bytes=key, body="Which car?")
    report.refresh_from_db()
    assert report.status == ReportStatus.WAITING_FOR_REPORTER
    assert Case.objects.get(report=report).assignee == analyst
    assert b"Which car?" not in bytes(message.sealed_body)
    assert "report.question" in actions(report)
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_question_ask(report=report, actor=analyst, key_bytes=key, body="   "),
    )
    assert Message.objects.filter(report=report).count() == 1


def test_links_stay_in_the_line_and_never_loop(category, analyst):
    first = make_report(category=category)
    second = make_report(category=category)
    case_link(report=second, actor=analyst, version=0, earlier=first, kind=LinkKind.DUPLICATE)
    second.refresh_from_db()
    assert second.follows == first
    assert Case.objects.get(report=second).triage_outcome == TriageOutcome.DUPLICATE
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_link(
            report=first, actor=analyst, version=0, earlier=second, kind=LinkKind.FOLLOW_UP
        ),
    )
    other_line = make_report(category=make_category())
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_link(
            report=first, actor=analyst, version=0, earlier=other_line, kind=LinkKind.FOLLOW_UP
        ),
    )
    case_unlink(report=second, actor=analyst, version=1)
    second.refresh_from_db()
    assert second.follows is None


def test_notes_are_encrypted_and_readable_with_the_key(category, analyst, colleague):
    report = make_report(category=category)
    case_claim(report=report, actor=analyst, version=0)
    key = key_for(colleague, report)
    note = case_note_add(report=report, actor=colleague, key_bytes=key, body="Plate 12-AB-34")
    assert b"12-AB-34" not in bytes(note.sealed_body)
    assert [body for _note, body in selectors.case_notes(note.case, key)] == ["Plate 12-AB-34"]
    # Notes overwrite nothing: no version, no claim.
    assert Case.objects.get(report=report).assignee == analyst


def test_close_records_outcome_and_encrypted_reason_then_refuses_more(category, analyst):
    report = make_report(category=category)
    key = key_for(analyst, report)
    case_claim(report=report, actor=analyst, version=0)
    case = case_close(
        report=report,
        actor=analyst,
        version=1,
        key_bytes=key,
        outcome=CloseOutcome.NOT_ILLEGAL,
        reason="Adult, consenting",
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.closed_at is not None
    assert b"consenting" not in bytes(case.sealed_close_reason)
    assert selectors.case_close_reason(case, key) == "Adult, consenting"
    for attempt in (
        lambda: case_triage(report=report, actor=analyst, version=2, outcome="usable"),
        lambda: case_note_add(report=report, actor=analyst, key_bytes=key, body="x"),
        lambda: case_question_ask(report=report, actor=analyst, key_bytes=key, body="x"),
        lambda: case_release(report=report, actor=analyst, version=2),
    ):
        refusal = expect_refusal(CaseErrorCode.CLOSED, attempt)
        assert "closed" in refusal.message
    assert actions(report) == ["case.claim", "case.close"]


def test_destroyed_reports_refuse_every_change(category, analyst):
    report = make_report(category=category)
    key = key_for(analyst, report)
    Report.objects.filter(pk=report.pk).update(destroyed_at=report.received_at)
    expect_refusal(
        CaseErrorCode.DESTROYED, lambda: case_claim(report=report, actor=analyst, version=0)
    )
    expect_refusal(
        CaseErrorCode.DESTROYED,
        lambda: case_note_add(report=report, actor=analyst, key_bytes=key, body="x"),
    )
    assert not CaseNote.objects.exists()


def test_reading_clears_the_news_only_for_the_holder(category, analyst, supervisor):
    report = make_report(category=category)
    case_claim(report=report, actor=analyst, version=0)
    Report.objects.filter(pk=report.pk).update(needs_attention=True)
    report.refresh_from_db()
    case_open(report=report, actor=supervisor)
    assert Report.objects.get(pk=report.pk).needs_attention
    case_open(report=report, actor=analyst)
    assert not Report.objects.get(pk=report.pk).needs_attention
    assert actions(report)[-2:] == ["report.open", "report.open"]


def test_without_a_grant_the_attempt_is_recorded(category, analyst):
    report = make_report(category=category)
    data_key_revoke(data_key=report.data_key, user=analyst)
    case_open(report=report, actor=analyst, key_opened=False)
    assert actions(report) == ["report.open_denied"]


def test_content_hotline_preset_installs_once_and_keeps_edits(category):
    from django.core.management import CommandError, call_command

    from meldpunt.cases.models import ClassificationOption, ClassificationScheme
    from meldpunt.cases.services import classification_preset_install

    line = category.line
    call_command("classification_presets", line.slug, "--preset", "content_hotline")
    slugs = set(ClassificationScheme.objects.filter(line=line).values_list("slug", flat=True))
    assert slugs == {"assessment", "age-group", "gender", "media"}
    csam = ClassificationOption.objects.get(scheme__line=line, slug="csam")
    csam.label = "Edited"
    csam.save()
    assert classification_preset_install(line=line, preset="content_hotline", actor=None) == 0
    assert ClassificationOption.objects.get(pk=csam.pk).label == "Edited"
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: classification_preset_install(line=line, preset="nonsense", actor=None),
    )
    with pytest.raises(CommandError):
        call_command("classification_presets", "no-such-line")


def test_four_eyes_review_before_ready_to_forward(category, analyst, colleague):
    from meldpunt.cases.models import LineCaseSettings
    from meldpunt.cases.services import case_approve

    LineCaseSettings.objects.create(line=category.line, requires_review=True)
    report = make_report(category=category)
    case_triage(report=report, actor=analyst, version=0, outcome=TriageOutcome.USABLE)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS  # not yet: a second person must agree
    expect_refusal(
        CaseErrorCode.NOT_ALLOWED, lambda: case_approve(report=report, actor=analyst, version=1)
    )
    case_approve(report=report, actor=colleague, version=1)
    report.refresh_from_db()
    case = Case.objects.get(report=report)
    assert report.status == ReportStatus.READY_TO_FORWARD
    assert case.approved_by == colleague and case.assignee == analyst
    expect_refusal(
        CaseErrorCode.INVALID, lambda: case_approve(report=report, actor=colleague, version=2)
    )
    # A new verdict needs a new review.
    case_triage(report=report, actor=analyst, version=2, outcome=TriageOutcome.USABLE)
    assert Case.objects.get(report=report).approved_by is None
    assert actions(report) == ["case.triage", "case.approve", "case.triage"]


def test_without_review_usable_is_ready_at_once(category, analyst):
    from meldpunt.cases.services import case_approve

    report = make_report(category=category)
    case_triage(report=report, actor=analyst, version=0, outcome=TriageOutcome.USABLE)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY_TO_FORWARD
    expect_refusal(
        CaseErrorCode.INVALID, lambda: case_approve(report=report, actor=analyst, version=1)
    )


def test_content_search_decrypts_in_memory_and_logs_no_search_text(category, analyst):
    from meldpunt.cases.services import case_content_search

    white = make_report(category=category, text="A white van at the harbour")
    make_report(category=category, text="Nothing to see")
    asked = make_report(category=category, text="Something")
    key = key_for(analyst, asked)
    case_question_ask(report=asked, actor=analyst, key_bytes=key, body="Was the VAN white?")
    unshared = make_report(category=category, text="another white van")
    data_key_revoke(data_key=unshared.data_key, user=analyst)
    other_line = make_report(category=make_category(), text="white van elsewhere")

    private_key = staff_key_unlock(user=analyst, password=PASSWORD)
    result = case_content_search(user=analyst, private_key=private_key, text="White Van")
    assert {r.pk for r in result.matches} == {white.pk}
    assert result.searched == 3  # the unshared and the other line's report are not opened
    result = case_content_search(user=analyst, private_key=private_key, text="van white")
    assert {r.pk for r in result.matches} == {asked.pk}
    event = AuditEvent.objects.filter(action="cases.content_search").last()
    assert event.details == {"searched": 3, "matches": 1}
    assert "white" not in str(event.details).lower()
    assert other_line.pk not in {r.pk for r in result.matches}
    expect_refusal(
        CaseErrorCode.INVALID,
        lambda: case_content_search(user=analyst, private_key=private_key, text="  "),
    )


def test_content_search_says_where_the_text_was_found(category, analyst, client):
    from meldpunt.cases.services import case_content_search
    from meldpunt.intake.services import MailboxAccess, reporter_message_post

    in_answer = make_report(category=category, text="A blue Opel near the school")
    in_both = make_report(category=category, text="Nothing yet")
    key = key_for(analyst, in_both)
    case_question_ask(report=in_both, actor=analyst, key_bytes=key, body="Was it an Opel?")
    in_both.refresh_from_db()
    reporter_message_post(access=MailboxAccess(report=in_both, key_bytes=key), body="Yes, OPEL")
    make_report(category=category, text="A red bicycle")
    private_key = staff_key_unlock(user=analyst, password=PASSWORD)
    with translation.override("en"):
        result = case_content_search(user=analyst, private_key=private_key, text="opel")
    assert result.places == {
        in_answer.pk: ["Answer to “What?”"],
        in_both.pk: ["Message from the reporting point", "Message from the reporter"],
    }
    sign_in(client, analyst)
    page = client.post(
        reverse("cases:content_search"), {"text": "opel"}, HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Gevonden in 2 van de 3 doorzochte meldingen." in page
    assert "Antwoord op „What?”" in page and "Bericht van de melder" in page
