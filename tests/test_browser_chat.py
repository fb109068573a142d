"""Acceptance (issue 15): a chat in browsers with JavaScript off, as in Tor Browser "Safest".

The reporter starts a chat and waits in the queue; the analyst picks it up and
writes; the reporter's page shows the message by its own refresh (no reload by
the test); they answer; the analyst sees it; the reporter asks for a receipt and
later reads the transcript in the mailbox.
"""

import pytest
from playwright.sync_api import Page, expect

from meldpunt.chat import services as chat_services
from meldpunt.chat import views as chat_views
from meldpunt.chat.models import Chat
from meldpunt.chat.tests.factories import make_chat_line
from meldpunt.testing import PASSWORD, current_totp, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The frames refresh every few seconds; allow a busy machine some slack.
REFRESH_WAIT_MS = 15_000


def _sign_in(page: Page, base: str, user) -> None:
    page.goto(base + "/staff/sign-in/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('#main form button[type="submit"]').click()
    page.locator('input[name="token"]').fill(current_totp(user))
    page.locator('#main form button[type="submit"]').click()


def test_reporter_and_analyst_chat_without_javascript_and_the_mailbox_keeps_it(
    live_server, no_js_context, monkeypatch
):
    # Frames refresh every second instead of four: the same meta refresh, a faster test.
    monkeypatch.setattr(chat_views, "REFRESH_SECONDS", 1)
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    base = live_server.url

    reporter = no_js_context(locale="nl-NL").new_page()
    reporter.goto(f"{base}/chat/{line.slug}/")
    reporter.locator(f'form[action="/chat/{line.slug}/start/"] button').click()
    reporter_frame = reporter.frame_locator("#transcript")
    expect(reporter_frame.locator("#queue-position")).to_contain_text("1")
    chat = Chat.objects.get()

    staff = no_js_context(locale="nl-NL").new_page()
    _sign_in(staff, base, analyst)
    staff.goto(base + "/staff/chat/")
    staff.locator(f'form[action="/staff/chat/{chat.pk}/pick-up/"] button').click()
    expect(staff).to_have_url(f"{base}/staff/chat/{chat.pk}/")
    staff.locator('#staff-message textarea[name="body"]').fill("Goedemiddag, waar gaat het over?")
    staff.locator("#staff-message button").click()

    # The framed transcript refreshes by itself; no reload by the test.
    expect(reporter_frame.locator("#chat-thread")).to_contain_text(
        "Goedemiddag, waar gaat het over?", timeout=REFRESH_WAIT_MS
    )
    reporter.locator('#chat-form textarea[name="body"]').fill("Er wordt gedeald in de garagebox")
    reporter.locator("#chat-form button").click()

    staff_frame = staff.frame_locator("#transcript")
    expect(staff_frame.locator("#chat-thread")).to_contain_text(
        "Er wordt gedeald in de garagebox", timeout=REFRESH_WAIT_MS
    )

    reporter.locator('form[action="/chat/now/receipt/"] button').click()
    receipt = reporter.locator("#receipt").inner_text().strip()
    assert len(receipt.replace(" ", "")) == 20

    # Later, in a fresh browser: the mailbox holds the transcript.
    later = no_js_context(locale="nl-NL").new_page()
    later.goto(base + "/mailbox/")
    later.locator('input[name="receipt"]').fill(receipt)
    later.locator('form[action="/mailbox/"] button[type="submit"]').click()
    expect(later.locator("#main")).to_contain_text("Goedemiddag, waar gaat het over?")
    expect(later.locator("#main")).to_contain_text("Er wordt gedeald in de garagebox")


def test_the_report_form_offers_the_open_chat_and_a_receipt_closes_it_without_javascript(
    live_server, no_js_context
):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    category = line.chat_settings.receipt_category
    base = live_server.url
    reporter = no_js_context(locale="en-GB").new_page()
    reporter.goto(f"{base}/en/report/{line.slug}/{category.slug}/")
    reporter.locator("#other-ways a", has_text="Chat with us now").click()
    expect(reporter).to_have_url(f"{base}/en/chat/{line.slug}/")
    reporter.locator(f'form[action="/en/chat/{line.slug}/start/"] button').click()
    expect(reporter).to_have_url(f"{base}/en/chat/now/")
    chat = Chat.objects.get()
    # The waiting page reloads itself; SQLite's shared in-memory test database
    # refuses a write while the server thread reads ("table is locked").
    reporter.goto("about:blank")
    chat_services.chat_pick_up(chat=chat, actor=analyst)
    reporter.goto(f"{base}/en/chat/now/")
    reporter.locator('#chat-form textarea[name="body"]').fill("Something for the report")
    reporter.locator("#chat-form button").click()
    reporter.locator('form[action="/en/chat/now/receipt/"] button').click()
    expect(reporter.locator("#chat-closed-by-receipt")).to_contain_text("takes no more messages")
    reporter.locator('a[href="/en/chat/now/"]').click()
    # The chat has ended: no message form any more, and the page says where to go on.
    expect(reporter.locator("#chat-became-report")).to_be_visible()
    expect(reporter.locator("#chat-form")).to_have_count(0)
    chat.refresh_from_db()
    assert chat.is_finished and chat.report is not None
