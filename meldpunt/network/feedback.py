"""Writes of what comes back from partners: feedback on a forward and follow-up questions.

A partner member says what became of a forward (outcome and free text) and may
ask a question. The free text and the question may name people, so each is
encrypted under a data key of its own sealed for the staff of the report's line
and the partner's members (the way the crawler seals a captured file for the
line's staff). The analyst passes a question on to the reporter's mailbox
(``cases.services.case_question_ask``); the reporter's answer goes back to the
partner only through the redaction gate of forwards (``privacy.redaction``):
every marked passage redacted or kept, or a supervisor's written override.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from meldpunt.cases.services import CaseError, case_question_ask
from meldpunt.intake import services as intake_services
from meldpunt.intake.models import Author, Message, Report
from meldpunt.privacy.detection import find_identifying_details
from meldpunt.privacy.redaction import (
    Decision,
    ForwardRefused,
    RedactionDraft,
    RedactionError,
    draft_decide,
    draft_redact_range,
    ensure_forwardable,
    redaction_draft,
    render_redacted,
)
from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_create, data_key_destroy, data_key_open
from meldpunt.vault.models import DataKey, Role, StaffUser

from .models import (
    FeedbackOutcome,
    FollowUpQuestion,
    FollowUpState,
    Forward,
    ForwardFeedback,
    PartnerMembership,
)
from .selectors import ANSWER_CONTEXT, FEEDBACK_CONTEXT, QUESTION_CONTEXT, partner_recipients
from .services import (
    REFUSAL_CODES,
    ForwardError,
    ForwardErrorCode,
    passage_pattern,
    report_may_prepare_check,
)

MAX_FEEDBACK_CHARS = 4000
MAX_QUESTION_CHARS = 2000


def _stale() -> ForwardError:
    return ForwardError(
        ForwardErrorCode.CONFLICT,
        _(
            "Someone else changed this while you were looking at it. Nothing of your "
            "change was saved; check it as it is now and try again."
        ),
    )


def _check_member(forward: Forward, user: StaffUser) -> None:
    if not PartnerMembership.objects.filter(partner_id=forward.partner_id, user=user).exists():
        raise ForwardError(ForwardErrorCode.NOT_ALLOWED, _("This forward is not for you."))


def _text(text: str, *, limit: int, empty: str) -> str:
    """The service checks what the form checks too: the service is the rule."""
    text = text.strip()
    if not text:
        raise ForwardError(ForwardErrorCode.INVALID, empty)
    if len(text) > limit:
        raise ForwardError(
            ForwardErrorCode.INVALID,
            _("Write at most %(max)d characters.") % {"max": limit},
        )
    return text


def _shared_key(forward: Forward) -> tuple[bytes, DataKey]:
    """A new data key sealed for the report line's staff and the partner's members."""
    report = forward.report
    key_bytes = crypto.new_data_key()
    staff = StaffUser.objects.filter(line_memberships__line=report.line_id, is_active=True).exclude(
        role=Role.PARTNER
    )
    recipients = [*staff, *partner_recipients(forward.partner)]
    return key_bytes, data_key_create(key_bytes=key_bytes, line=report.line, recipients=recipients)


@transaction.atomic
def forward_feedback_give(
    *, forward: Forward, actor: StaffUser, outcome: FeedbackOutcome, text: str, version: int
) -> ForwardFeedback:
    """Record (or replace) what the partner did with a forward.

    ``version`` is the feedback's version the member saw (0: none yet), so two
    colleagues answering at once cannot overwrite each other unseen. A
    replaced text's key is destroyed: only the latest word can be read; the
    audit log keeps every outcome.
    """
    _check_member(forward, actor)
    outcome = FeedbackOutcome(outcome)
    text = _text(text, limit=MAX_FEEDBACK_CHARS, empty=_("Say in a few words what happened."))
    forward = (
        Forward.objects.select_for_update().select_related("report", "partner").get(pk=forward.pk)
    )
    existing = ForwardFeedback.objects.filter(forward=forward).first()
    if (existing.version if existing else 0) != version:
        raise _stale()
    key_bytes, data_key = _shared_key(forward)
    sealed = crypto.encrypt(key_bytes, text.encode(), context=FEEDBACK_CONTEXT)
    if existing is None:
        feedback = ForwardFeedback.objects.create(
            forward=forward, outcome=outcome, data_key=data_key, sealed_text=sealed, given_by=actor
        )
    else:
        old_key = existing.data_key
        existing.outcome, existing.data_key, existing.sealed_text = outcome, data_key, sealed
        existing.given_by, existing.given_at = actor, timezone.now()
        existing.version += 1
        existing.save(
            update_fields=["outcome", "data_key", "sealed_text", "given_by", "given_at", "version"]
        )
        data_key_destroy(data_key=old_key)
        feedback = existing
    # On the report, so the case's timeline shows it; never the free text.
    audit_record(
        actor=actor,
        action="forward.feedback",
        target=forward.report,
        details={"partner": forward.partner.name, "forward": forward.pk, "outcome": str(outcome)},
    )
    return feedback


@transaction.atomic
def followup_ask(*, forward: Forward, actor: StaffUser, text: str) -> FollowUpQuestion:
    """A partner member asks the reporting point a question about a forward."""
    _check_member(forward, actor)
    text = _text(text, limit=MAX_QUESTION_CHARS, empty=_("Write your question."))
    forward = Forward.objects.select_related("report", "partner").get(pk=forward.pk)
    key_bytes, data_key = _shared_key(forward)
    question = FollowUpQuestion.objects.create(
        forward=forward,
        data_key=data_key,
        sealed_question=crypto.encrypt(key_bytes, text.encode(), context=QUESTION_CONTEXT),
        asked_by=actor,
    )
    audit_record(
        actor=actor,
        action="forward.question",
        target=forward.report,
        details={"partner": forward.partner.name, "question": question.pk},
    )
    return question


def followup_relay(
    *, question: FollowUpQuestion, actor: StaffUser, key_bytes: bytes, body: str
) -> FollowUpQuestion:
    """Pass the partner's question on to the reporter's mailbox, in the analyst's words.

    The analyst writes what the reporter reads (the partner's wording may give
    away more than the reporter should learn); asking goes through the case,
    so only who may change the case may relay.
    """
    report = question.forward.report
    with transaction.atomic():
        locked = FollowUpQuestion.objects.select_for_update().get(pk=question.pk)
        if locked.state != FollowUpState.ASKED:
            raise _stale()
        try:
            message = case_question_ask(report=report, actor=actor, key_bytes=key_bytes, body=body)
        except CaseError as refusal:
            raise ForwardError(_case_code(refusal), refusal.message) from refusal
        locked.state, locked.relayed_message = FollowUpState.RELAYED, message
        locked.relayed_at = timezone.now()
        locked.save(update_fields=["state", "relayed_message", "relayed_at"])
        audit_record(
            actor=actor,
            action="forward.question_relay",
            target=report,
            details={"partner": question.forward.partner.name, "question": question.pk},
        )
    return locked


def _case_code(refusal: CaseError) -> ForwardErrorCode:
    try:
        return ForwardErrorCode(refusal.code)
    except ValueError:
        return ForwardErrorCode.INVALID


def followup_answer_messages(question: FollowUpQuestion) -> list[Message]:
    """The reporter's messages written after the question reached their mailbox."""
    if question.relayed_message_id is None:
        return []
    return list(
        Message.objects.filter(
            report_id=question.forward.report_id,
            author=Author.REPORTER,
            pk__gt=question.relayed_message_id,
        ).order_by("pk")
    )


@dataclass(frozen=True)
class AnswerDraft:
    """The reporter's answer with the detector's marks; ``upto`` names its last message."""

    draft: RedactionDraft
    upto: int


def followup_answer_draft(*, question: FollowUpQuestion, key_bytes: bytes) -> AnswerDraft | None:
    """The answer to redact, made afresh from the messages (the detector is deterministic)."""
    messages = followup_answer_messages(question)
    if not messages:
        return None
    text = "\n\n".join(
        intake_services.message_body(message=message, key_bytes=key_bytes) for message in messages
    )
    return AnswerDraft(
        draft=redaction_draft(text=text, findings=find_identifying_details(text)),
        upto=messages[-1].pk,
    )


def followup_answer(
    *,
    question: FollowUpQuestion,
    actor: StaffUser,
    key_bytes: bytes,
    private_key: PrivateKey,
    upto: int,
    decisions: list[Decision],
    passage: str = "",
    override_reason: str = "",
) -> FollowUpQuestion:
    """Send the reporter's answer to the partner, redacted through the forward's gate.

    ``decisions`` answer the detector's marks in order; ``passage`` is redacted
    wherever it occurs. Refused (nothing saved) when the reporter wrote again
    since the page was shown (``upto``), or a mark is left unreviewed without a
    supervisor's override; the clearance goes into the audit event.
    """
    report: Report = report_may_prepare_check(question.forward.report, actor)
    with transaction.atomic():
        locked = FollowUpQuestion.objects.select_for_update().get(pk=question.pk)
        if locked.state != FollowUpState.RELAYED:
            raise _stale()
        answer = followup_answer_draft(question=locked, key_bytes=key_bytes)
        if answer is None:
            raise ForwardError(ForwardErrorCode.INVALID, _("The reporter has not answered yet."))
        if answer.upto != upto or len(decisions) != len(answer.draft.marks):
            raise _stale()
        draft = answer.draft
        try:
            for index, decision in enumerate(decisions):
                if decision != Decision.UNREVIEWED:
                    draft = draft_decide(draft, index=index, decision=decision)
            for match in passage_pattern(passage).finditer(draft.text) if passage.strip() else ():
                draft = draft_redact_range(draft, start=match.start(), end=match.end())
            clearance = ensure_forwardable(
                draft, override_reason, actor_is_supervisor=actor.role == Role.SUPERVISOR
            )
        except RedactionError as error:
            raise ForwardError(ForwardErrorCode.INVALID, str(error)) from error
        except ForwardRefused as refusal:
            raise ForwardError(REFUSAL_CODES[refusal.code], refusal.message) from refusal
        shared = data_key_open(data_key=locked.data_key, private_key=private_key, user=actor)
        body = render_redacted(draft.text, draft.marks)
        locked.sealed_answer = crypto.encrypt(shared, body.encode(), context=ANSWER_CONTEXT)
        locked.state, locked.answered_by, locked.answered_at = (
            FollowUpState.ANSWERED,
            actor,
            timezone.now(),
        )
        locked.save(update_fields=["sealed_answer", "state", "answered_by", "answered_at"])
        audit_record(
            actor=actor,
            action="forward.answer",
            target=report,
            details={
                "partner": question.forward.partner.name,
                "question": question.pk,
                **clearance.audit_details(),
            },
        )
    return locked
