"""Acceptance (issue 15): with JavaScript on, a message appears on the other side
within 2 s without a reload, through an ASGI server (Uvicorn).

Uvicorn runs in its own process on the test's database, shared as the worker
tests share it (workers.testing.database_url: on SQLite a database file).
"""

import pytest
from playwright.sync_api import expect

from meldpunt.chat.models import Chat
from meldpunt.chat.tests.factories import make_chat_line
from meldpunt.chat.tests.servers import uvicorn_server
from meldpunt.testing import PASSWORD, current_totp, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_url(database_url):
    with uvicorn_server(database_url, application="tests.asgi_static:application") as url:
        yield url


def test_with_javascript_a_message_appears_on_the_other_side_within_two_seconds(asgi_url, browser):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    reporter_context = browser.new_context(locale="nl-NL")
    staff_context = browser.new_context(locale="nl-NL")
    try:
        reporter = reporter_context.new_page()
        reporter.goto(f"{asgi_url}/chat/{line.slug}/")
        reporter.locator(f'form[action="/chat/{line.slug}/start/"] button').click()
        # The script replaced the frame with the live list.
        expect(reporter.locator("#transcript")).to_have_count(0)
        expect(reporter.locator("#queue-position")).to_contain_text("1")
        chat = Chat.objects.get()

        staff = staff_context.new_page()
        staff.goto(asgi_url + "/staff/sign-in/")
        staff.locator('input[name="username"]').fill(analyst.username)
        staff.locator('input[name="password"]').fill(PASSWORD)
        staff.locator('#main form button[type="submit"]').click()
        staff.locator('input[name="token"]').fill(current_totp(analyst))
        staff.locator('#main form button[type="submit"]').click()
        staff.goto(asgi_url + "/staff/chat/")
        staff.locator(f'form[action="/staff/chat/{chat.pk}/pick-up/"] button').click()
        expect(staff.locator("#chat-thread")).to_be_visible()

        navigations = []
        reporter.on("framenavigated", lambda frame: navigations.append(frame.url))
        staff.locator('#staff-message textarea[name="body"]').fill("Live vanaf de medewerker")
        staff.locator("#staff-message button").click()
        expect(reporter.locator("#chat-thread")).to_contain_text(
            "Live vanaf de medewerker", timeout=2_000
        )
        assert navigations == []  # no reload of the reporter's page

        reporter.locator('#chat-form textarea[name="body"]').fill("Live vanaf de melder")
        reporter.locator("#chat-form button").click()
        expect(staff.locator("#chat-thread")).to_contain_text("Live vanaf de melder", timeout=2_000)
    finally:
        reporter_context.close()
        staff_context.close()
