"""Issue 13, item 6: feedback and follow-up questions, through the web pages with real crypto.

A partner member says what became of a forward; the free text is stored
encrypted for the line's staff and the partner's members only, and the analyst
reads it on the report's feedback page (the case's timeline names the
outcome). A partner's question is passed on to the reporter's mailbox in the
analyst's words; the reporter's answer goes back only through the redaction
gate of forwards.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from meldpunt.intake.models import Author, Message
from meldpunt.intake.services import MailboxAccess, message_body, reporter_message_post
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault.models import AuditEvent, DataKey, KeyGrant, Role

from ..models import FollowUpQuestion, FollowUpState, ForwardFeedback
from .factories import forwarded, key_of, make_partner, usable_report

pytestmark = pytest.mark.django_db

PHONE = "06-12345678"
SECRET = "De verdachte Jan Pietersen is op 3 maart aangehouden"


@pytest.fixture
def world():
    class World:
        category = make_category()
        line = category.line
        analyst = make_staff(lines=[line])
        supervisor = make_staff(lines=[line], role=Role.SUPERVISOR)
        colleague = make_staff(lines=[line])
        partner = make_partner(lines=[line], name="Gemeente Utrecht")
        member = partner.memberships.get().user
        other = make_partner(lines=[line], name="Politie Noord")
        outsider = other.memberships.get().user
        report = usable_report(category=category, holder=analyst, text="Wapenhandel in de schuur.")
        forward, other_forward = forwarded(report=report, partners=[partner, other], actor=analyst)

    return World


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def _feedback_url(forward) -> str:
    return reverse("partner:feedback", args=[forward.pk])


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_the_member_gives_feedback_and_the_analyst_reads_it_on_the_case(world):
    member = _client(world.member)
    posted = member.post(
        _feedback_url(world.forward),
        {"version": 0, "outcome": "arrest_or_seizure", "text": SECRET},
    )
    assert posted.status_code == 302
    feedback = ForwardFeedback.objects.get()
    assert (feedback.outcome, feedback.given_by) == ("arrest_or_seizure", world.member)
    # Sealed: neither the row nor the audit log holds the text.
    assert SECRET.encode() not in bytes(feedback.sealed_text)
    assert "Pietersen" not in _audit_text()
    # For the line's staff and the partner's members, nobody else (not the other partner).
    holders = set(
        KeyGrant.objects.filter(data_key=feedback.data_key).values_list("user", flat=True)
    )
    assert holders == {world.analyst.pk, world.supervisor.pk, world.colleague.pk, world.member.pk}

    analyst = _client(world.analyst)
    page = analyst.get(reverse("network:returns", args=[world.report.pk])).content.decode()
    assert SECRET in page and "Led to an arrest or seizure" in page
    case_page = analyst.get(reverse("cases:report", args=[world.report.pk])).content.decode()
    assert "Feedback from a partner" in case_page  # the timeline
    assert "from Gemeente Utrecht; Led to an arrest or seizure" in case_page
    assert reverse("network:returns", args=[world.report.pk]) in case_page
    # The member sees what they said; the other partner's member does not.
    assert (
        SECRET in member.get(reverse("partner:forward", args=[world.forward.pk])).content.decode()
    )
    assert SECRET not in _client(world.outsider).get(reverse("partner:inbox")).content.decode()


def test_a_changed_feedback_replaces_the_old_and_shreds_its_key(world):
    member = _client(world.member)
    member.post(
        _feedback_url(world.forward), {"version": 0, "outcome": "taken_up", "text": "Eerst"}
    )
    first_key = ForwardFeedback.objects.get().data_key_id
    posted = member.post(
        _feedback_url(world.forward), {"version": 1, "outcome": "no_action", "text": "Toch niet"}
    )
    assert posted.status_code == 302
    feedback = ForwardFeedback.objects.get()
    assert (feedback.outcome, feedback.version) == ("no_action", 2)
    assert not KeyGrant.objects.filter(data_key_id=first_key).exists()
    assert DataKey.objects.get(pk=first_key).destroyed_at is not None
    assert AuditEvent.objects.filter(action="forward.feedback").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": 0, "outcome": "taken_up", "text": "   "}, "This field is required."),
        (
            {"version": 0, "outcome": "taken_up", "text": "x" * 4001},
            "Ensure this value has at most 4000 characters (it has 4001).",
        ),
        ({"version": 0, "outcome": "solved", "text": "ok"}, "Select a valid choice."),
        ({"version": "x", "outcome": "taken_up", "text": "ok"}, "Enter a whole number."),
    ],
)
def test_bad_feedback_is_a_form_error_and_saves_nothing(world, data, message):
    response = _client(world.member).post(_feedback_url(world.forward), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ForwardFeedback.objects.exists()


def test_feedback_on_another_partners_forward_is_not_found(world):
    outsider = _client(world.outsider)
    data = {"version": 0, "outcome": "taken_up", "text": "Niet van ons"}
    assert outsider.post(_feedback_url(world.forward), data).status_code == 404
    assert outsider.post(reverse("partner:feedback", args=[2**63]), data).status_code == 404
    assert (
        outsider.post(
            reverse("partner:question", args=[world.forward.pk]), {"text": "?"}
        ).status_code
        == 404
    )
    assert not ForwardFeedback.objects.exists() and not FollowUpQuestion.objects.exists()


def test_a_stale_feedback_form_is_refused_and_changes_nothing(world):
    # Two tabs (or two colleagues) showed the form without feedback; the second send is stale.
    member = _client(world.member)
    first = {"version": 0, "outcome": "taken_up", "text": "A"}
    assert member.post(_feedback_url(world.forward), first).status_code == 302
    stale = member.post(
        _feedback_url(world.forward), {"version": 0, "outcome": "no_action", "text": "B"}
    )
    assert stale.status_code == 409
    assert "Someone else changed this" in stale.content.decode()
    assert ForwardFeedback.objects.get().outcome == "taken_up"


def _answer(world, body: str) -> Message:
    access = MailboxAccess(report=world.report, key_bytes=key_of(world.report, world.analyst))
    return reporter_message_post(access=access, body=body)


def test_a_question_is_relayed_to_the_reporter_and_the_answer_goes_back_redacted(world):
    member, analyst = _client(world.member), _client(world.analyst)
    asked = member.post(
        reverse("partner:question", args=[world.forward.pk]), {"text": "Welke schuur precies?"}
    )
    assert asked.status_code == 302
    question = FollowUpQuestion.objects.get()
    assert b"schuur" not in bytes(question.sealed_question)
    returns_url = reverse("network:returns", args=[world.report.pk])
    assert "Welke schuur precies?" in analyst.get(returns_url).content.decode()

    relay_url = reverse("network:relay", args=[world.report.pk, question.pk])
    relayed = analyst.post(relay_url, {"body": "Kunt u de schuur beschrijven?"})
    assert relayed.status_code == 302
    question.refresh_from_db()
    assert question.state == FollowUpState.RELAYED
    staff_message = question.relayed_message
    assert staff_message.author == Author.STAFF
    key = key_of(world.report, world.analyst)
    assert message_body(message=staff_message, key_bytes=key) == "Kunt u de schuur beschrijven?"
    # The report now waits for the reporter; the case page still leads to the answer form.
    case_page = analyst.get(reverse("cases:report", args=[world.report.pk])).content.decode()
    assert returns_url in case_page
    # Relaying twice is a stale form, not a second message.
    assert analyst.post(relay_url, {"body": "Nog eens"}).status_code == 409
    assert Message.objects.filter(author=Author.STAFF).count() == 1

    answer = _answer(world, f"De blauwe schuur achter nummer 12, bel {PHONE}.")
    page = analyst.get(returns_url).content.decode()
    assert PHONE in page and 'name="decision_0"' in page
    answer_url = reverse("network:answer", args=[world.report.pk, question.pk])
    # The gate: unreviewed passages are refused, and nothing reaches the partner.
    refused = analyst.post(answer_url, {"upto": answer.pk})
    assert refused.status_code == 409
    assert "has not been reviewed" in refused.content.decode()
    question.refresh_from_db()
    assert question.sealed_answer is None

    sent = analyst.post(
        answer_url, {"upto": answer.pk, "decision_0": "redact", "passage": "nummer 12"}
    )
    assert sent.status_code == 302
    question.refresh_from_db()
    assert question.state == FollowUpState.ANSWERED
    portal = member.get(reverse("partner:forward", args=[world.forward.pk])).content.decode()
    assert "De blauwe schuur achter" in portal
    assert PHONE not in portal and "nummer 12" not in portal
    assert PHONE not in _audit_text()
    # The other partner's member cannot open the question or its answer.
    assert not KeyGrant.objects.filter(data_key=question.data_key, user=world.outsider).exists()


def test_an_answer_form_shown_before_the_reporter_wrote_again_is_stale(world):
    member, analyst = _client(world.member), _client(world.analyst)
    member.post(reverse("partner:question", args=[world.forward.pk]), {"text": "Wanneer?"})
    question = FollowUpQuestion.objects.get()
    analyst.post(
        reverse("network:relay", args=[world.report.pk, question.pk]), {"body": "Wanneer?"}
    )
    first = _answer(world, "Gisteren.")
    _answer(world, "Nee, eergisteren.")
    answer_url = reverse("network:answer", args=[world.report.pk, question.pk])
    stale = analyst.post(answer_url, {"upto": first.pk})
    assert stale.status_code == 409
    question.refresh_from_db()
    assert question.state == FollowUpState.RELAYED


def test_only_who_may_change_the_case_relays_and_a_supervisor_may_override(world):
    _client(world.member).post(
        reverse("partner:question", args=[world.forward.pk]), {"text": "Wie?"}
    )
    question = FollowUpQuestion.objects.get()
    relay_url = reverse("network:relay", args=[world.report.pk, question.pk])
    # The case is held by the analyst: a colleague may read but not relay.
    refused = _client(world.colleague).post(relay_url, {"body": "Wie?"})
    assert refused.status_code == 403
    supervisor = _client(world.supervisor)
    assert supervisor.post(relay_url, {"body": "Wie?"}).status_code == 302
    answer = _answer(world, f"Bel {PHONE}.")
    answer_url = reverse("network:answer", args=[world.report.pk, question.pk])
    too_short = _client(world.analyst).post(
        answer_url, {"upto": answer.pk, "override_reason": "omdat het moet"}
    )
    assert too_short.status_code == 403
    assert (
        supervisor.post(
            answer_url, {"upto": answer.pk, "override_reason": "Nummer is van de politie zelf."}
        ).status_code
        == 302
    )
    event = AuditEvent.objects.get(action="forward.answer")
    assert event.details["override"] is True


def test_empty_and_oversized_questions_are_form_errors(world):
    member = _client(world.member)
    url = reverse("partner:question", args=[world.forward.pk])
    assert member.post(url, {"text": ""}).status_code == 400
    oversized = member.post(url, {"text": "?" * 2001})
    assert oversized.status_code == 400
    assert "at most 2000 characters" in oversized.content.decode()
    assert not FollowUpQuestion.objects.exists()
