"""Reporter pages load nothing from elsewhere, run no script and set no cookie too early.

A reporter walks every reporter page, in Dutch and in English, in Chromium with
JavaScript disabled; every request the browser makes is recorded.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LINE, CATEGORY = "misdaad", "drugs"


class RequestLog:
    """Every request a page makes, subresources included."""

    def __init__(self, page: Page) -> None:
        self.requests: list[tuple[str, str]] = []
        page.on(
            "request", lambda request: self.requests.append((request.url, request.resource_type))
        )

    def hosts(self) -> set[str]:
        return {urlsplit(url).netloc for url, _kind in self.requests}

    def of_kind(self, kind: str) -> list[str]:
        return [url for url, resource_type in self.requests if resource_type == kind]


def _assert_no_script(page: Page) -> None:
    assert page.locator("script").count() == 0, page.url


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["nl", "en"])
def test_reporter_pages_stay_on_this_host_without_scripts(
    prefix, live_server, demo_lines, no_js_context
):
    context = no_js_context()
    page = context.new_page()
    log = RequestLog(page)
    base = live_server.url + prefix

    # Reading about the reporting point sets no cookie at all.
    page.goto(base + "/")
    _assert_no_script(page)
    page.locator(f'a[href="{prefix}/report/{LINE}/"]').click()
    _assert_no_script(page)
    page.goto(base + "/safety/")
    _assert_no_script(page)
    assert context.cookies() == []

    page.goto(base + f"/report/{LINE}/{CATEGORY}/")
    _assert_no_script(page)
    answers = page.locator(f'form[action="{prefix}/report/{LINE}/{CATEGORY}/"]')
    answers.locator('textarea[name="what"]').fill("Er wordt gehandeld vanuit een bestelbus.")
    answers.locator('select[name="where"]').select_option("GM0599")
    answers.locator('button[type="submit"]').click()
    expect(page.locator("dl.answers")).to_contain_text("bestelbus")
    _assert_no_script(page)
    page.locator(f'form[action="{prefix}/report/{LINE}/{CATEGORY}/send/"] button').click()
    receipt = page.locator("#receipt").inner_text().strip()
    _assert_no_script(page)

    page.goto(base + "/mailbox/")
    _assert_no_script(page)
    page.locator('input[name="receipt"]').fill(receipt)
    page.locator(f'form[action="{prefix}/mailbox/"] button[type="submit"]').click()
    expect(page).to_have_url(base + "/mailbox/messages/")
    expect(page.locator("dl.answers")).to_contain_text("bestelbus")
    _assert_no_script(page)

    assert log.hosts() == {urlsplit(live_server.url).netloc}
    assert log.of_kind("script") == []
    assert log.of_kind("stylesheet"), "the recorder missed the page's own stylesheet"
    for cookie in context.cookies():
        assert cookie["expires"] == -1, cookie  # dies with the browser
        assert cookie["httpOnly"], cookie
        assert cookie["sameSite"] == "Strict", cookie
