"""The chat pages through Django's test client: reporter without accounts, staff signed in."""

import calendar
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meldpunt.chat.models import Chat, ChatStatus, ContactRegistration, OpeningHours
from meldpunt.chat.views import COOKIE_NAME
from meldpunt.testing import make_category, make_staff, sign_in

from .factories import make_chat_line

pytestmark = pytest.mark.django_db


def _reporter_with_chat(line, language_prefix="") -> Client:
    reporter = Client()
    response = reporter.post(f"{language_prefix}/chat/{line.slug}/start/")
    assert response.status_code == 302
    return reporter


def _picked_up_chat(client: Client, **settings) -> tuple[Chat, object]:
    """A reporter's chat on a new line, picked up by an analyst signed in on ``client``."""
    line = make_chat_line(**settings)
    analyst = make_staff(lines=[line])
    _reporter_with_chat(line)
    chat = Chat.objects.get()
    sign_in(client, analyst)
    client.post(f"/staff/chat/{chat.pk}/pick-up/")
    return chat, analyst


def test_closed_chat_says_when_it_opens_and_offers_the_form(client):
    line = make_chat_line(always_open=False)
    # Open only the day after tomorrow, so the chat is closed whenever the test runs.
    opens_on = (timezone.localdate() + timedelta(days=2)).weekday()
    OpeningHours.objects.create(line=line, weekday=opens_on, opens="09:00", closes="17:00")
    page = client.get(f"/en/chat/{line.slug}/")
    assert b'id="chat-closed"' in page.content
    assert f"It is open again on {calendar.day_name[opens_on]}".encode() in page.content
    assert f'href="/en/report/{line.slug}/"'.encode() in page.content
    refused = client.post(f"/chat/{line.slug}/start/")
    assert refused.status_code == 409
    assert not Chat.objects.exists()
    assert COOKIE_NAME not in refused.cookies


def test_the_cookie_holds_only_a_random_token_and_the_waiting_page_refreshes():
    line = make_chat_line()
    reporter = _reporter_with_chat(line)
    token = reporter.cookies[COOKIE_NAME]
    assert token["httponly"] and token["samesite"] == "Strict"
    assert len(token.value) >= 43
    page = reporter.get("/chat/now/")
    assert b'<iframe id="transcript" src="/chat/now/transcript/"' in page.content
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    frame = reporter.get("/chat/now/transcript/")
    assert b'id="queue-position"' in frame.content
    assert b'http-equiv="refresh"' in frame.content
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert not reporter.session.keys()  # no session is made for a chat


def test_message_that_may_identify_the_reporter_is_shown_marked_before_sending():
    line = make_chat_line()
    reporter = _reporter_with_chat(line)
    chat = Chat.objects.get()
    text = "Bel mij op 06 4123 5678"
    review = reporter.post("/chat/now/", {"body": text})
    assert b"<mark" in review.content and b'name="confirm"' in review.content
    assert not chat.messages.exists()
    back = reporter.post("/chat/now/", {"body": text, "edit": "1"})
    assert back.status_code == 200 and b'name="confirm"' not in back.content
    assert text.encode() in back.content  # the text is back in the form, to change
    assert not chat.messages.exists()
    sent = reporter.post("/chat/now/", {"body": text, "confirm": "1"})
    assert sent.status_code == 302
    assert chat.messages.count() == 1


@pytest.mark.parametrize(
    ("prefix", "body", "error"),
    [
        ("/en", "x" * 2001, b"Your message is too long: at most 2000 characters"),
        ("", "x" * 2001, b"Uw bericht is te lang: hoogstens 2000 tekens"),
        ("/en", "hallo\x07", b"invisible control characters"),
        ("", "hallo\x07", b"onzichtbare stuurtekens"),
    ],
    ids=["too-long-en", "too-long-nl", "control-en", "control-nl"],
)
def test_bad_messages_get_a_clear_error_in_the_reporters_language(prefix, body, error):
    line = make_chat_line()
    reporter = _reporter_with_chat(line, prefix)
    Chat.objects.update(status=ChatStatus.ACTIVE)
    response = reporter.post(f"{prefix}/chat/now/", {"body": body})
    assert response.status_code == 400
    assert error in response.content
    assert not Chat.objects.get().messages.exists()


def test_message_flood_gets_429_and_stores_nothing_more():
    line = make_chat_line(max_messages_per_minute=2)
    reporter = _reporter_with_chat(line)
    for number in range(2):
        assert reporter.post("/chat/now/", {"body": f"bericht {number}"}).status_code == 302
    flooded = reporter.post("/chat/now/", {"body": "nog een"})
    assert flooded.status_code == 429
    assert Chat.objects.get().messages.count() == 2


def test_staff_pick_up_answer_end_and_register_the_contact(client):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    reporter = _reporter_with_chat(line)
    reporter.post("/chat/now/", {"body": "Mijn buurman heet Jan de Vries", "confirm": "1"})
    chat = Chat.objects.get()
    sign_in(client, analyst)
    queue = client.get("/staff/chat/")
    assert f"/staff/chat/{chat.pk}/pick-up/".encode() in queue.content
    assert client.post(f"/staff/chat/{chat.pk}/pick-up/").status_code == 302
    canned = line.chat_canned_answers.get(language="nl")
    client.post(f"/staff/chat/{chat.pk}/canned/", {"canned": canned.pk})
    client.post(f"/staff/chat/{chat.pk}/send/", {"body": "Dank u, waar woont hij?"})
    frame = client.get(f"/staff/chat/{chat.pk}/transcript/")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert b"<mark" in frame.content  # the detector's findings in the reporter's message
    assert b"Dank u, waar woont hij?" in frame.content
    reporter_frame = reporter.get("/chat/now/transcript/")
    assert canned.text.encode() in reporter_frame.content
    assert b"Dank u, waar woont hij?" in reporter_frame.content
    client.post(f"/staff/chat/{chat.pk}/end/")
    contact_type = line.contact_types.first()
    client.post(
        f"/staff/chat/{chat.pk}/contact/", {"contact_type": contact_type.pk, "has_follow_up": "no"}
    )
    registration = ContactRegistration.objects.get()
    assert registration.contact_type == contact_type and not registration.has_follow_up
    assert b'id="survey"' in reporter.get("/chat/now/").content


def test_signing_out_returns_the_chats_to_the_queue(client):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    _reporter_with_chat(line)
    chat = Chat.objects.get()
    sign_in(client, analyst)
    client.post(f"/staff/chat/{chat.pk}/pick-up/")
    client.post("/staff/sign-out/")
    chat.refresh_from_db()
    assert chat.status == ChatStatus.WAITING and chat.staff is None


def test_staff_of_another_line_see_nothing_of_a_chat(client):
    line = make_chat_line()
    _reporter_with_chat(line)
    chat = Chat.objects.get()
    sign_in(client, make_staff(lines=[make_chat_line()]))
    assert client.get(f"/staff/chat/{chat.pk}/").status_code == 404
    assert client.post(f"/staff/chat/{chat.pk}/pick-up/").status_code == 404
    chat.refresh_from_db()
    assert chat.status == ChatStatus.WAITING


def test_phone_contact_is_registered_by_hand(client):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    sign_in(client, analyst)
    contact_type = line.contact_types.last()
    response = client.post(
        "/staff/chat/phone-contact/",
        {"line": line.pk, "contact_type": contact_type.pk, "has_follow_up": "yes"},
    )
    assert response.status_code == 302
    registration = ContactRegistration.objects.get()
    assert registration.channel == "phone" and registration.has_follow_up


def test_a_holder_whose_page_went_quiet_loses_the_chat_and_one_whose_page_asks_keeps_it(
    client,
):
    """An expired session or a closed laptop signs nothing out; the transcript's refresh counts."""
    chat, analyst = _picked_up_chat(client, staff_timeout_minutes=5)
    long_ago = timezone.now() - timedelta(minutes=10)
    Chat.objects.update(staff_seen_at=long_ago, reporter_seen_at=timezone.now())
    assert client.get(f"/staff/chat/{chat.pk}/transcript/").status_code == 200  # still here
    client.get("/staff/chat/")  # the queue runs the time-outs
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.staff == analyst
    assert chat.staff_seen_at > long_ago

    Chat.objects.update(staff_seen_at=long_ago)  # now the page stopped asking
    client.get("/staff/chat/")
    chat.refresh_from_db()
    assert chat.status == ChatStatus.WAITING and chat.staff is None


def test_staff_see_that_a_reporter_who_closed_the_browser_timed_out(client):
    chat, _analyst = _picked_up_chat(client, reporter_timeout_minutes=1)
    # The reporter's page stopped asking for news two minutes ago.
    Chat.objects.update(reporter_seen_at=timezone.now() - timedelta(minutes=2))
    queue = client.get("/staff/chat/")
    chat.refresh_from_db()
    assert chat.status == ChatStatus.TIMED_OUT
    assert "Verlopen" in queue.content.decode()
    frame = client.get(f"/staff/chat/{chat.pk}/transcript/").content.decode()
    assert "De melder is weg; de chat is verlopen." in frame


def test_a_canned_answer_from_staff_without_the_chats_key_is_refused_not_a_server_error(client):
    line = make_chat_line()
    make_staff(lines=[line])
    reporter = _reporter_with_chat(line)
    chat = Chat.objects.get()
    latecomer = make_staff(lines=[line])  # joined after the chat's key was sealed
    sign_in(client, latecomer)
    client.post(f"/staff/chat/{chat.pk}/pick-up/")
    canned = line.chat_canned_answers.get(language="nl")
    refused = client.post(f"/staff/chat/{chat.pk}/canned/", {"canned": canned.pk})
    assert refused.status_code == 409, refused.status_code
    assert canned.text.encode() not in reporter.get("/chat/now/transcript/").content


def test_the_report_pages_link_to_the_chat_only_while_it_is_open(client):
    open_line = make_chat_line()
    category = open_line.chat_settings.receipt_category
    chat_link = f'href="/en/chat/{open_line.slug}/"'.encode()
    for page in (f"/en/report/{open_line.slug}/", f"/en/report/{open_line.slug}/{category.slug}/"):
        content = client.get(page).content
        assert b'id="other-ways"' in content and chat_link in content
        assert b"Chat with us now" in content
    dutch = client.get(f"/report/{open_line.slug}/").content
    assert f'href="/chat/{open_line.slug}/"'.encode() in dutch

    closed_line = make_chat_line(always_open=False)
    disabled_line = make_chat_line()
    disabled_line.chat_settings.is_enabled = False
    disabled_line.chat_settings.save()
    no_chat_category = make_category()
    for line in (closed_line, disabled_line, no_chat_category.line):
        content = client.get(f"/en/report/{line.slug}/").content
        assert b'id="other-ways"' not in content and b"/chat/" not in content
    form = client.get(f"/en/report/{no_chat_category.line.slug}/{no_chat_category.slug}/")
    assert form.status_code == 200 and b'id="other-ways"' not in form.content


def test_after_a_receipt_the_reporter_page_says_the_chat_became_a_report(client):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    reporter = _reporter_with_chat(line)
    chat = Chat.objects.get()
    sign_in(client, analyst)
    client.post(f"/staff/chat/{chat.pk}/pick-up/")
    reporter.post("/chat/now/", {"body": "Voor de bon", "confirm": "1"})
    assert reporter.post("/chat/now/receipt/").status_code == 200
    late = reporter.post("/en/chat/now/", {"body": "Na de bon", "confirm": "1"})
    assert late.status_code == 409
    assert b"became a report" in late.content or b"has become a report" in late.content
    refused = client.post(f"/staff/chat/{chat.pk}/send/", {"body": "Nog een vraag"})
    assert refused.status_code == 409
    assert "postbus van de melding" in refused.content.decode()  # Dutch, the default
    assert chat.messages.filter(author="reporter").count() == 1


def test_staff_who_joined_after_the_chat_started_get_a_clear_refusal_and_a_hand_over_works(
    client,
):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    _reporter_with_chat(line)
    chat = Chat.objects.get()
    newcomer = make_staff(lines=[line])
    sign_in(client, newcomer)
    # The queue says so instead of offering a button that can only be refused.
    row = client.get("/staff/chat/").content.decode().split('id="waiting"')[1]
    assert f"/staff/chat/{chat.pk}/pick-up/" not in row
    assert "een collega die de sleutel heeft" in row
    holder = Client()
    sign_in(holder, analyst)
    assert f"/staff/chat/{chat.pk}/pick-up/" in holder.get("/staff/chat/").content.decode()
    refused = client.post(f"/staff/chat/{chat.pk}/pick-up/")
    assert refused.status_code == 403
    assert "voordat u bij de lijn kwam" in refused.content.decode()  # Dutch, the default
    holder.post(f"/staff/chat/{chat.pk}/pick-up/")
    handed = holder.post(f"/staff/chat/{chat.pk}/hand-over/", {"colleague": newcomer.pk})
    assert handed.status_code == 302
    chat.refresh_from_db()
    assert chat.staff == newcomer
    sent = client.post(f"/staff/chat/{chat.pk}/send/", {"body": "Ik neem het over"})
    assert sent.status_code == 302
    assert b"Ik neem het over" in client.get(f"/staff/chat/{chat.pk}/transcript/").content
