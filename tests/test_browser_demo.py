"""Acceptance: the README quick start serves a demo where the whole dialogue works without JS.

The demo runs as the installed ``meldpunt demo`` command (see the ``demo``
fixture); a reporter and a staff member use it in headless Chromium with
JavaScript disabled; the reporter's browser also sends a distinctive user agent
and proxy headers, which must then be nowhere in the demo's state. Selectors
follow the page structure (form actions, field names, ids), not button texts, so
the test holds in every language.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from meldpunt.cases.models import CloseOutcome, TriageOutcome
from meldpunt.cases.selectors import ACTION_LABELS, REPORTER_ANSWER
from meldpunt.intake.models import REPORTER_STATUS_TEXT, ReportStatus

pytestmark = pytest.mark.browser

LINE, CATEGORY = "misdaad", "drugs"
STORY = (
    "Achter de garage aan de Dorpsstraat wordt elke vrijdagavond hennep verhandeld.\n"
    "Er staan dan steeds twee auto's met draaiende motor. (kenmerk e2e-7Q3)"
)
QUESTION = "Om hoe laat ongeveer komen de auto's aan? (vraag e2e-K2M)"
ANSWER = "Meestal rond half elf, en ze blijven een kwartier. (antwoord e2e-P9X)"
REVEALING_ANSWER = "Rond half elf. Mail mij op a.reporter@example.nl of bel 06-12345678."
RECEIPT = re.compile(r"[0-9A-Z]{4}( [0-9A-Z]{4}){4}")


def _dutch(text) -> str:
    """What a page of the demo shows: Dutch, the default language."""
    with translation.override("nl"):
        return str(text)


def _submit(page: Page) -> None:
    page.locator("#main form").last.locator('button[type="submit"]').click()


def _report_send(reporter: Page, base: str) -> str:
    """Choose line and category, answer and add a file, review and send; return the receipt."""
    reporter.goto(base + "/")
    reporter.locator(f'a[href="/report/{LINE}/"]').click()
    reporter.locator(f'a[href="/report/{LINE}/{CATEGORY}/"]').click()
    answers = reporter.locator(f'form[action="/report/{LINE}/{CATEGORY}/"]')
    answers.locator('textarea[name="what"]').fill(STORY)
    answers.locator('input[name="when"]').fill("2026-11-20")
    answers.locator('select[name="where"]').select_option("GM0363")
    answers.locator('input[type="file"][name="files"]').set_input_files(
        files=[{"name": "notities.txt", "mimeType": "text/plain", "buffer": b"kenteken onbekend\n"}]
    )
    answers.locator('button[type="submit"]').click()

    expect(reporter.locator("dl.answers")).to_contain_text("hennep verhandeld")
    expect(reporter.locator(".staged-file")).to_contain_text("notities.txt")
    send = reporter.locator(f'form[action="/report/{LINE}/{CATEGORY}/send/"]')
    send.locator('button[type="submit"]').click()

    receipt = reporter.locator("#receipt").inner_text().strip()
    assert RECEIPT.fullmatch(receipt), receipt
    return receipt


def _staff_open_report(staff: Page, base: str, credentials) -> None:
    """Sign in with password then TOTP, and open the report that carries STORY."""
    staff.goto(base + "/staff/sign-in/")
    staff.locator('input[name="username"]').fill(credentials.username)
    staff.locator('input[name="password"]').fill(credentials.password)
    _submit(staff)
    expect(staff).to_have_url(base + "/staff/sign-in/code/")
    staff.locator('input[name="token"]').fill(credentials.totp())
    _submit(staff)
    expect(staff).to_have_url(base + "/staff/cases/")

    # The demo is shared with other tests, so the queue may hold more reports.
    links = staff.locator('#main a[href^="/staff/cases/reports/"]')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:
        staff.goto(base + href)
        if "e2e-7Q3" in staff.locator("#answers").inner_text():
            return
    pytest.fail(f"the submitted report is not in the staff queue:\n{staff.content()}")


def test_report_mailbox_and_dialogue_in_a_browser_without_javascript(
    demo, no_js_context, identifying_headers, client_traces
):
    reporter_context = no_js_context(
        user_agent=identifying_headers.pop("User-Agent"), extra_http_headers=identifying_headers
    )
    reporter = reporter_context.new_page()
    hosts = set()
    reporter.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    receipt = _report_send(reporter, demo.url)

    reporter.goto(demo.url + "/mailbox/")
    reporter.locator('form[action="/mailbox/"] input[name="receipt"]').fill(receipt)
    reporter.locator('form[action="/mailbox/"] button[type="submit"]').click()
    expect(reporter).to_have_url(demo.url + "/mailbox/messages/")
    expect(reporter.locator("dl.answers")).to_contain_text("hennep verhandeld")

    # Staff pages follow the browser's language; this analyst's browser asks for Dutch.
    staff = no_js_context(locale="nl-NL").new_page()
    _staff_open_report(staff, demo.url, demo.staff["analist"])
    expect(staff.locator("#answers")).to_contain_text("twee auto's met draaiende motor")
    # Staff hold a case before they ask its reporter anything.
    staff.locator('#assignment form[action$="/claim/"] button[type="submit"]').click()
    question = staff.locator('#question form[method="post"]')
    question.locator('textarea[name="body"]').fill(QUESTION)
    question.locator('button[type="submit"]').click()
    expect(staff.locator("#thread")).to_contain_text(QUESTION)

    reporter.reload()
    expect(reporter.locator("#thread")).to_contain_text(QUESTION)
    # Issue 11, item 5: a message is checked before it is sent, like the report. The
    # first draft gives the reporter's e-mail address and phone number away.
    message = reporter.locator('form[action="/mailbox/messages/"]:has(textarea[name="body"])')
    message.locator('textarea[name="body"]').fill(REVEALING_ANSWER)
    message.locator('button[type="submit"]').click()
    review = reporter.locator("#message-review")
    expect(review.locator(".answer mark")).to_have_text(["a.reporter@example.nl", "06-12345678"])
    expect(review.locator(".warnings li")).to_have_count(2)
    expect(review.locator(".warnings")).to_contain_text("e-mailadres")
    expect(review.locator(".warnings")).to_contain_text("telefoonnummer")
    reporter.locator('form:has(input[name="edit"]) button[type="submit"]').click()
    # Nothing was sent; the text comes back to be changed.
    expect(reporter.locator("#thread")).not_to_contain_text("a.reporter@example.nl")
    expect(message.locator('textarea[name="body"]')).to_have_value(REVEALING_ANSWER)
    message.locator('textarea[name="body"]').fill(ANSWER)
    message.locator('button[type="submit"]').click()
    expect(reporter.locator("#message-review .warnings")).to_have_count(0)
    reporter.locator('form:has(input[name="confirm"]) button[type="submit"]').click()
    expect(reporter).to_have_url(demo.url + "/mailbox/messages/")
    expect(reporter.locator("#thread")).to_contain_text(ANSWER)

    staff.reload()
    expect(staff.locator("#thread")).to_contain_text(ANSWER)
    expect(staff.locator("#thread")).not_to_contain_text("a.reporter@example.nl")

    # The analyst assesses and closes the case; the timeline shows every step.
    assessment = staff.locator('#assessment form[action$="/triage/"]')
    assessment.locator(f'input[name="outcome"][value="{TriageOutcome.USABLE}"]').check()
    assessment.locator('button[type="submit"]').click()
    closing = staff.locator('#closing form[action$="/close/"]')
    closing.locator('select[name="outcome"]').select_option(CloseOutcome.HANDLED)
    closing.locator('textarea[name="reason"]').fill("Doorgegeven aan de wijkagent.")
    closing.locator('button[type="submit"]').click()
    expect(staff.locator("#status")).to_have_text(_dutch(ReportStatus.CLOSED.label))
    steps = [
        "report.received",
        "report.open",
        "case.claim",
        "report.question",
        "case.triage",
        "case.close",
    ]
    timeline = staff.locator("#timeline").inner_text()
    positions = [timeline.find(_dutch(ACTION_LABELS[step])) for step in steps]
    assert -1 not in positions and positions == sorted(positions), (positions, timeline)
    assert _dutch(REPORTER_ANSWER) in timeline

    # The reporter sees the new status in plain words.
    reporter.reload()
    expect(reporter.locator("#status")).to_contain_text(
        _dutch(REPORTER_STATUS_TEXT[ReportStatus.CLOSED])
    )

    assert hosts == {f"127.0.0.1:{demo.port}"}
    for context in (reporter_context, staff.context):
        for cookie in context.cookies():
            assert cookie["expires"] == -1, cookie  # dies with the browser
            assert cookie["httpOnly"], cookie
            assert cookie["sameSite"] == "Strict", cookie
    assert demo.places_keeping((*client_traces, "127.0.0.1")) == []
