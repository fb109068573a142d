"""Issue 6, item 3, end to end through the web pages with real crypto.

A forward is refused while a marked passage is unreviewed (nothing is created,
the case is unchanged), allowed after redaction or a supervisor's override with
a written reason (which lands in the audit log), and the partner's member reads
the redacted text with their own key. The redacted detail is nowhere: not in
the forward's row, not on the partner's page, not in the audit log.
"""

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases.models import Case, LineCaseSettings
from meldpunt.cases.services import case_approve
from meldpunt.intake.models import Report, ReportStatus
from meldpunt.intake.retention import report_destroy
from meldpunt.testing import PASSWORD, make_category, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.decorators import PASSWORD_CONFIRMED_AT
from meldpunt.vault.keys import NoKeyError, data_key_open, staff_key_unlock
from meldpunt.vault.models import AuditEvent, KeyGrant, Role

from ..models import DeliveryState, Forward, ForwardDraft
from ..services import BODY_CONTEXT
from .factories import add_member, make_partner, usable_report

pytestmark = pytest.mark.django_db

PHONE = "06-12345678"
TEXT = f"Bel de dealer op {PHONE}, hij rijdt een wit busje."


@pytest.fixture
def world():
    class World:
        category = make_category()
        line = category.line
        analyst = make_staff(lines=[line])
        supervisor = make_staff(lines=[line], role=Role.SUPERVISOR)
        partner = make_partner(lines=[line])
        member = partner.memberships.get().user
        report = usable_report(category=category, holder=analyst, text=TEXT)

    return World


def _client(user) -> Client:
    # Staff pages follow the browser's language; these tests read them in English.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def _urls(report) -> dict:
    return {
        name: reverse(f"network:{name}", args=[report.pk])
        for name in ("prepare", "decide", "redact", "restart", "forward")
    }


def _forward_data(world, *, version: int, reason: str = "") -> dict:
    case_version = Case.objects.get(report=world.report).version
    return {
        "partner": world.partner.pk,
        "version": version,
        "case_version": case_version,
        "override_reason": reason,
    }


def _snapshot(report) -> tuple:
    report.refresh_from_db()
    case = Case.objects.get(report=report)
    return (
        report.status,
        case.version,
        Forward.objects.count(),
        KeyGrant.objects.filter(data_key__forward__isnull=False).count(),
    )


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_forward_is_refused_while_a_finding_is_unreviewed_and_allowed_after_redaction(world):
    client = _client(world.analyst)
    urls = _urls(world.report)

    page = client.get(urls["prepare"])
    assert page.status_code == 200
    text = page.content.decode()
    assert f'<mark class="unreviewed" title="phone number: not reviewed">{PHONE}</mark>' in text
    assert "1 passage not reviewed yet." in text
    assert "[REDACTED: phone number]" in text  # the preview never shows more than the gate allows
    assert 'name="override_reason"' not in text  # analysts get no override
    before = _snapshot(world.report)

    refused = client.post(urls["forward"], _forward_data(world, version=1))
    assert refused.status_code == 409
    assert "1 marked passage has not been reviewed. Redact or keep it." in refused.content.decode()
    assert _snapshot(world.report) == before
    assert world.report.status == ReportStatus.READY_TO_FORWARD

    decided = client.post(urls["decide"], {"version": 1, "index": 0, "decision": "redact"})
    assert decided.status_code == 302
    page = client.get(urls["prepare"])
    assert "0 passages not reviewed yet." in page.content.decode()
    assert f"<s>{PHONE}</s>" in page.content.decode()

    forwarded = client.post(urls["forward"], _forward_data(world, version=2))
    assert forwarded.status_code == 302
    assert forwarded["Location"] == reverse("cases:report", args=[world.report.pk])
    forward = Forward.objects.get()
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.FORWARDED
    assert forward.partner == world.partner and forward.created_by == world.analyst
    assert not forward.used_override
    assert forward.redacted is True  # plaintext for the pilot evaluation: which detail, never
    assert forward.delivery_state == DeliveryState.AVAILABLE
    # Sealed for the partner's member only: the analyst cannot open the partner's copy.
    assert list(forward.data_key.grants.values_list("user", flat=True)) == [world.member.pk]
    with pytest.raises(NoKeyError):
        data_key_open(
            data_key=forward.data_key,
            private_key=staff_key_unlock(user=world.analyst, password=PASSWORD),
            user=world.analyst,
        )
    event = AuditEvent.objects.get(action="case.forward")
    assert event.actor == world.analyst
    assert event.details["forwards"] == [forward.pk] and event.details["override"] is False

    # The partner's member reads it with their own key; reading is audited and marks it read.
    partner_client = _client(world.member)
    inbox = partner_client.get(reverse("partner:inbox"))
    assert inbox.status_code == 200
    assert reverse("partner:forward", args=[forward.pk]) in inbox.content.decode()
    assert "<strong>New</strong>" in inbox.content.decode()
    read = partner_client.get(reverse("partner:forward", args=[forward.pk]))
    assert read.status_code == 200
    body = read.content.decode()
    assert "Bel de dealer op [REDACTED: phone number], hij rijdt een wit busje." in body
    forward.refresh_from_db()
    assert forward.delivery_state == DeliveryState.READ
    assert forward.first_read_by == world.member
    assert (
        "<strong>New</strong>" not in partner_client.get(reverse("partner:inbox")).content.decode()
    )
    assert AuditEvent.objects.filter(
        action="forward.read", actor=world.member, target_id=str(forward.pk)
    ).exists()

    # The redacted detail is nowhere it could leak from.
    row = json.dumps(
        {
            k: (bytes(v).hex() if isinstance(v, memoryview | bytes) else v)
            for k, v in Forward.objects.filter(pk=forward.pk).values().get().items()
        },
        default=str,
    )
    assert PHONE not in row and PHONE.encode().hex() not in row
    assert PHONE.encode() not in bytes(forward.sealed_body)
    assert PHONE not in body and "12345678" not in body
    assert PHONE not in inbox.content.decode()
    assert "12345678" not in _audit_text()
    # And what was sealed is exactly the preview the analyst saw.
    key = data_key_open(
        data_key=forward.data_key,
        private_key=staff_key_unlock(user=world.member, password=PASSWORD),
        user=world.member,
    )
    sealed = crypto.decrypt(key, bytes(forward.sealed_body), context=BODY_CONTEXT).decode()
    assert sealed == "What?\nBel de dealer op [REDACTED: phone number], hij rijdt een wit busje."


def test_keeping_a_finding_also_clears_the_gate(world):
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    client.post(urls["decide"], {"version": 1, "index": 0, "decision": "keep"})
    assert client.post(urls["forward"], _forward_data(world, version=2)).status_code == 302
    assert Forward.objects.get().report == world.report
    assert Forward.objects.get().redacted is False  # nothing was taken out


def test_a_supervisor_may_override_with_a_written_reason_which_is_audited(world):
    client = _client(world.supervisor)
    urls = _urls(world.report)
    page = client.get(urls["prepare"])
    assert 'name="override_reason"' in page.content.decode()
    before = _snapshot(world.report)

    too_short = client.post(urls["forward"], _forward_data(world, version=1, reason="urgent"))
    assert too_short.status_code == 400
    assert "Explain in at least 10 characters" in too_short.content.decode()
    assert _snapshot(world.report) == before

    reason = "The police unit asked for it tonight; the phone number belongs to the dealer."
    allowed = client.post(urls["forward"], _forward_data(world, version=1, reason=reason))
    assert allowed.status_code == 302
    forward = Forward.objects.get()
    assert forward.used_override
    event = AuditEvent.objects.get(action="case.forward")
    assert event.actor == world.supervisor
    assert event.details["override"] is True
    assert event.details["reason"] == reason
    assert event.details["unreviewed_types"] == ["phone"]
    # Unreviewed passages are redacted all the same: the override lets the forward
    # through, it does not reveal what nobody looked at.
    read = _client(world.member).get(reverse("partner:forward", args=[forward.pk]))
    assert "[REDACTED: phone number]" in read.content.decode()
    assert PHONE not in read.content.decode()


def test_an_analyst_cannot_override(world):
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    before = _snapshot(world.report)
    reason = "I am sure this is fine, please let it through now."
    response = client.post(urls["forward"], _forward_data(world, version=1, reason=reason))
    assert response.status_code == 403
    assert "Only a supervisor may forward a version with unreviewed passages." in (
        response.content.decode()
    )
    assert _snapshot(world.report) == before
    assert not AuditEvent.objects.filter(action="case.forward").exists()


def test_free_form_redaction_redacts_every_occurrence(world):
    report = usable_report(
        category=world.category,
        holder=world.analyst,
        text="Het Oude pakhuis is zijn loods.\nIedereen kent het oude   pakhuis daar.",
    )
    client = _client(world.analyst)
    urls = _urls(report)
    client.get(urls["prepare"])

    missing = client.post(urls["redact"], {"version": 1, "passage": "nieuwe pakhuis"})
    assert missing.status_code == 400
    assert "This passage does not occur in the text" in missing.content.decode()
    empty = client.post(urls["redact"], {"version": 1, "passage": "   "})
    assert empty.status_code == 400
    assert ForwardDraft.objects.get(report=report).version == 1

    done = client.post(urls["redact"], {"version": 1, "passage": "oude pakhuis"}, follow=True)
    assert "The passage has been redacted (2 times)." in done.content.decode()
    assert done.content.decode().count("<td>marked by hand</td>") == 2
    data = _forward_data(world, version=2) | {"case_version": 2}
    assert client.post(urls["forward"], data).status_code == 302
    read = _client(world.member).get(reverse("partner:forward", args=[Forward.objects.get().pk]))
    body = read.content.decode()
    assert "Het [REDACTED: marked by hand] is zijn loods." in body
    assert "Iedereen kent het [REDACTED: marked by hand] daar." in body
    assert "pakhuis" not in body
    assert "pakhuis" not in _audit_text()


def test_a_stale_draft_version_is_a_conflict(world):
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    assert (
        client.post(urls["decide"], {"version": 1, "index": 0, "decision": "keep"}).status_code
        == 302
    )

    # A colleague's page still shows version 1.
    stale = client.post(urls["decide"], {"version": 1, "index": 0, "decision": "redact"})
    assert stale.status_code == 409
    assert "Someone else changed this forward" in stale.content.decode()
    assert ForwardDraft.objects.get(report=world.report).version == 2
    before = _snapshot(world.report)
    assert client.post(urls["forward"], _forward_data(world, version=1)).status_code == 409
    assert _snapshot(world.report) == before
    # A stale case version is refused too, and leaves nothing behind.
    data = _forward_data(world, version=2) | {"case_version": 1}
    response = client.post(urls["forward"], data)
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    assert _snapshot(world.report) == before


def test_forwarding_needs_the_password_typed_recently(world):
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    client.post(urls["decide"], {"version": 1, "index": 0, "decision": "redact"})
    session = client.session
    session[PASSWORD_CONFIRMED_AT] = int(time.time()) - 3600
    session.save()

    response = client.post(urls["forward"], _forward_data(world, version=2))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("vault:confirm_password"))
    assert not Forward.objects.exists()

    back = client.post(response["Location"], {"password": PASSWORD})
    assert back.status_code == 302 and back["Location"] == urls["forward"]
    # Coming back is a GET: the form is not carried over, the page is shown to send it again.
    assert client.get(back["Location"])["Location"] == urls["prepare"]
    assert client.post(urls["forward"], _forward_data(world, version=2)).status_code == 302
    assert Forward.objects.count() == 1


def test_a_line_with_four_eyes_review_forwards_only_after_agreement(world):
    LineCaseSettings.objects.create(line=world.line, requires_review=True)
    report = usable_report(category=world.category, holder=world.analyst, text="Geen details.")
    client = _client(world.analyst)
    urls = _urls(report)
    page = client.get(urls["prepare"])
    assert "A second person must agree" in page.content.decode()
    refused = client.post(urls["forward"], _forward_data(world, version=1) | {"case_version": 2})
    assert refused.status_code == 403
    assert not Forward.objects.exists()
    case_approve(report=report, actor=world.supervisor, version=2)
    allowed = client.post(urls["forward"], _forward_data(world, version=1) | {"case_version": 3})
    assert allowed.status_code == 302
    assert Forward.objects.get().report == report


def test_an_unassessed_report_cannot_be_forwarded(world):
    from meldpunt.cases.tests.factories import make_report

    report = make_report(category=world.category, text="Geen details.")
    client = _client(world.analyst)
    urls = _urls(report)
    assert "Assess the report as usable" in client.get(urls["prepare"]).content.decode()
    data = {"partner": world.partner.pk, "version": 1, "case_version": 0}
    response = client.post(urls["forward"], data)
    assert response.status_code == 400
    assert not Forward.objects.exists()


def test_a_closed_case_cannot_be_prepared_or_forwarded(world):
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.post(
        reverse("cases:close", args=[world.report.pk]),
        {"version": 2, "outcome": "handled", "reason": "Done"},
    )
    assert client.get(urls["prepare"]).status_code == 409
    assert client.post(urls["forward"], _forward_data(world, version=1)).status_code == 409
    assert not Forward.objects.exists()


def test_a_partner_not_open_to_the_line_cannot_be_chosen(world):
    other = make_partner(lines=[], name="Gemeente Elders")
    client = _client(world.analyst)
    urls = _urls(world.report)
    assert "Gemeente Elders" not in client.get(urls["prepare"]).content.decode()
    client.post(urls["decide"], {"version": 1, "index": 0, "decision": "redact"})
    data = _forward_data(world, version=2) | {"partner": other.pk}
    assert client.post(urls["forward"], data).status_code == 400
    assert not Forward.objects.exists()


def test_the_reporter_adding_text_makes_the_draft_stale_until_restarted(world):
    from meldpunt.intake.models import Author, Message
    from meldpunt.vault import crypto as vault_crypto

    from .factories import key_of

    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    Message.objects.create(
        report=world.report,
        author=Author.REPORTER,
        sealed_body=vault_crypto.encrypt(
            key_of(world.report, world.analyst), b"Mail hem: piet@example.nl", context=b"message"
        ),
    )
    page = client.get(urls["prepare"]).content.decode()
    assert 'id="stale"' in page
    assert client.post(urls["restart"], {"version": 1}).status_code == 302
    page = client.get(urls["prepare"]).content.decode()
    assert 'id="stale"' not in page
    assert "Message 1 from the reporter" in page
    assert "2 passages not reviewed yet." in page


# --- who sees what ------------------------------------------------------------------------


def _forwarded(world) -> Forward:
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    client.post(urls["decide"], {"version": 1, "index": 0, "decision": "redact"})
    assert client.post(urls["forward"], _forward_data(world, version=2)).status_code == 302
    return Forward.objects.get()


def test_partner_users_get_nothing_of_the_back_office(world):
    forward = _forwarded(world)
    client = _client(world.member)
    pk = world.report.pk
    for url in (
        reverse("cases:queue"),
        reverse("cases:report", args=[pk]),
        reverse("cases:related", args=[pk]),
        reverse("network:prepare", args=[pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("network:forward", args=[pk])).status_code == 404
    assert client.get(f"/staff/evidence/{pk}/").status_code == 404
    assert Forward.objects.count() == 1
    assert client.get(reverse("partner:forward", args=[forward.pk])).status_code == 200


def test_staff_of_other_lines_get_not_found(world):
    outsider = make_staff(lines=[make_category().line], role=Role.SUPERVISOR)
    client = _client(outsider)
    urls = _urls(world.report)
    assert client.get(urls["prepare"]).status_code == 404
    for name in ("decide", "redact", "restart", "forward"):
        response = client.post(urls[name], {"version": 1, "index": 0, "decision": "keep"})
        assert response.status_code == 404, name
    assert not ForwardDraft.objects.exists() and not Forward.objects.exists()
    # Staff have no partner portal.
    assert client.get(reverse("partner:inbox")).status_code == 404


def test_a_member_of_another_partner_cannot_read(world):
    forward = _forwarded(world)
    stranger = make_partner(lines=[world.line], name="FIOD").memberships.get().user
    client = _client(stranger)
    assert (
        reverse("partner:forward", args=[forward.pk])
        not in client.get(reverse("partner:inbox")).content.decode()
    )
    before = AuditEvent.objects.count()
    assert client.get(reverse("partner:forward", args=[forward.pk])).status_code == 404
    assert client.get(reverse("partner:forward", args=[10**30])).status_code == 404
    assert AuditEvent.objects.count() == before
    forward.refresh_from_db()
    assert forward.delivery_state == DeliveryState.AVAILABLE


def test_a_member_who_joined_later_is_told_it_was_not_sealed_for_them(world):
    forward = _forwarded(world)
    newcomer = add_member(world.partner)
    response = _client(newcomer).get(reverse("partner:forward", args=[forward.pk]))
    assert response.status_code == 403
    assert "sealed for the members of your organisation" in response.content.decode()
    assert AuditEvent.objects.filter(action="forward.open_denied", actor=newcomer).exists()


def test_anonymous_visitors_are_sent_to_sign_in(world):
    forward = _forwarded(world)
    client = Client()
    for url in (
        reverse("partner:inbox"),
        reverse("partner:forward", args=[forward.pk]),
        _urls(world.report)["prepare"],
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in/")


def test_administrators_may_read_the_case_but_not_prepare_a_forward(world):
    admin = make_staff(lines=[world.line], role=Role.ADMINISTRATOR)
    client = _client(admin)
    assert client.get(_urls(world.report)["prepare"]).status_code == 403
    assert not ForwardDraft.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("decide", {"version": 1, "index": 5, "decision": "redact"}),
        ("decide", {"version": 1, "index": 0, "decision": "unreviewed"}),
        ("decide", {"version": "x", "index": 0, "decision": "keep"}),
        ("decide", {"version": 1, "index": 10**40, "decision": "keep"}),
        ("redact", {"version": 1, "passage": "x" * 1001}),
        ("forward", {"version": 1, "case_version": 2, "partner": "nope"}),
        ("forward", {"version": 1, "case_version": 2}),
    ],
)
def test_bad_input_gets_a_clear_refusal_and_changes_nothing(world, name, data):
    client = _client(world.analyst)
    urls = _urls(world.report)
    client.get(urls["prepare"])
    before = (_snapshot(world.report), ForwardDraft.objects.get().version)
    response = client.post(urls[name], data)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert (_snapshot(world.report), ForwardDraft.objects.get().version) == before


def test_the_purge_removes_the_draft_and_leaves_the_partners_copy(world):
    forward = _forwarded(world)
    assert ForwardDraft.objects.filter(report=world.report).exists()
    long_ago = timezone.now() - timedelta(days=3650)
    Report.objects.filter(pk=world.report.pk).update(last_activity_at=long_ago)
    assert report_destroy(report_pk=world.report.pk)
    assert not ForwardDraft.objects.filter(report=world.report).exists()
    assert Forward.objects.get() == forward
    assert (
        _client(world.member).get(reverse("partner:forward", args=[forward.pk])).status_code == 200
    )
