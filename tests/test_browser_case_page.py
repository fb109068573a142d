"""The case page on a desk screen, and a case worked from queue to closing with the keyboard only.

Issue 16, item 2: at 1280 × 800 the report and the conversation with the reporter
stand side by side and both begin on the first screen, with the common actions
beside them; rarely used actions are folded in closed ``<details>``. Everything
runs in headless Chromium with JavaScript off (the back office needs no
scripts); Playwright's own measuring still works then.

The keyboard walk presses only keys (Tab, Enter, arrow keys, typing): no
clicks, no ``fill``. Which element has the focus is read from the page, and the
database is checked after every step.
"""

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from meldpunt.cases.models import Case, CloseOutcome, QuestionTemplate, TriageOutcome
from meldpunt.cases.tests.factories import make_scheme
from meldpunt.intake.models import Author, ReportStatus
from meldpunt.intake.services import message_body, report_key_for_staff, report_submit
from meldpunt.operations.screens import staff_sign_in
from meldpunt.testing import PASSWORD, current_totp, make_category, make_staff
from meldpunt.vault.keys import staff_key_unlock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 800}
STORY = (
    "Achter de garage aan de Dorpsstraat wordt elke vrijdagavond hennep verhandeld. "
    "Er staan dan steeds twee auto's met draaiende motor."
)
QUESTION = "Welke kleur hebben de auto's? (vraag kb-4T)"
REASON = "Niet bruikbaar zonder kenteken. (kb-9W)"
# Folded away by default: needed now and then, not for every case.
RARELY_USED = (
    "hand-over",
    "category-correction",
    "classifying",
    "note-add",
    "linking",
    "question-templates",
)
# What has the focus, and whether it shows (a focus ring of some width).
FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "",
    href: e.getAttribute("href") || "", type: e.getAttribute("type") || "",
    value: e.value === undefined ? "" : String(e.value),
    text: (e.innerText || "").trim(),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""
MAX_TABS = 40


def _case(analyst_lines=None):
    category = make_category()
    analyst = make_staff(lines=analyst_lines or [category.line])
    report = report_submit(
        category=category, answers={"what": STORY}, questions={"what": "Wat weet u?"}
    ).report
    return analyst, report


def _tab_to(page: Page, matches) -> tuple[dict, int]:
    """Press Tab until ``matches(focused)``; return the focused element and the presses.

    Every element on the way must show that it has the focus.
    """
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["ring"], f"no visible focus on {focused}"
        if matches(focused):
            return focused, presses
    pytest.fail(f"not reached with {MAX_TABS} presses of Tab; last focus: {focused}")


def _press_and_load(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _jump(page: Page, fragment: str) -> int:
    """Follow the case page's "On this page" link to ``fragment``; the number of Tabs."""
    _focused, presses = _tab_to(page, lambda f: f["href"] == f"#{fragment}")
    page.keyboard.press("Enter")
    return presses


@pytest.mark.parametrize("language", ["nl", "en"])
def test_report_and_conversation_side_by_side_on_the_first_screen(
    live_server, no_js_context, language
):
    """In the Dutch and the English interface (staff pages follow the browser's language)."""
    analyst, report = _case()
    # A line with a classification scheme and a question template folds both away too.
    make_scheme(line=report.line)
    QuestionTemplate.objects.create(
        line=report.line, language=language, title="Tijdstip", body="Hoe laat was het?"
    )
    page = no_js_context(locale=f"{language}-NL", viewport=DESK).new_page()
    staff_sign_in(
        page,
        live_server.url,
        username=analyst.username,
        password=PASSWORD,
        code=current_totp(analyst),
    )
    page.goto(f"{live_server.url}/staff/cases/reports/{report.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    with translation.override(language):
        expect(page.locator("#conversation h2")).to_have_text(
            translation.gettext("Dialogue with the reporter")
        )
    _assert_desk_layout(page)


def _assert_desk_layout(page: Page) -> None:
    boxes = {
        name: page.locator(selector).bounding_box()
        for name, selector in {
            "report": "#report",
            "answers": "#answers",
            "conversation": "#conversation",
            "question": "#question_body",
            "claim": '#assignment form[action$="/claim/"] button',
            "assessment": '#assessment input[name="outcome"] >> nth=0',
            "actions": "#actions",
        }.items()
    }
    report_box, conversation = boxes["report"], boxes["conversation"]
    # Side by side: the conversation begins right of the report, at the same height.
    assert report_box["x"] + report_box["width"] <= conversation["x"], boxes
    assert abs(report_box["y"] - conversation["y"]) < 5, boxes
    assert report_box["width"] >= 300 and conversation["width"] >= 300, boxes
    # The report's text, the question box and the common actions begin on the first screen.
    for name in ("report", "answers", "conversation", "question", "claim", "assessment"):
        assert boxes[name]["y"] + 20 < DESK["height"], (name, boxes)
    assert conversation["x"] + conversation["width"] <= boxes["actions"]["x"], boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]

    for section in RARELY_USED:
        details = page.locator(f"details#{section}")
        expect(details).to_have_count(1)
        assert details.evaluate("d => d.open") is False, section
        expect(details.locator("form")).to_be_hidden()
        expect(details.locator("summary")).to_be_visible()
    # Closing is common: open, as are the assessment and the question.
    for common in ("#closing form", "#assessment form", "#question form"):
        expect(page.locator(common).first).to_be_visible()


def test_a_case_from_the_queue_to_closing_with_the_keyboard_only(live_server, no_js_context):
    analyst, report = _case()
    base = live_server.url
    page = no_js_context(locale="nl-NL", viewport=DESK).new_page()
    tabs = {}

    # Sign in: user name, password, Enter; then the code, Enter.
    page.goto(base + "/staff/sign-in/")
    _tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(analyst.username)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "password"
    page.keyboard.type(PASSWORD)
    _press_and_load(page, "Enter")
    expect(page).to_have_url(base + "/staff/sign-in/code/")
    _tab_to(page, lambda f: f["name"] == "token")
    page.keyboard.type(current_totp(analyst))
    _press_and_load(page, "Enter")
    expect(page).to_have_url(base + "/staff/cases/")

    # The queue: Tab to the new report, Enter.
    case_path = f"/staff/cases/reports/{report.pk}/"
    _focused, tabs["queue"] = _tab_to(page, lambda f: f["href"] == case_path)
    _press_and_load(page, "Enter")
    expect(page).to_have_url(base + case_path)
    expect(page.locator("#answers")).to_contain_text("hennep verhandeld")
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW  # looking is not acting

    # Assess: jump to the assessment, Tab into the choices, arrow to "Not usable", save.
    tabs["to assessment"] = _jump(page, "assessment")
    focused, _presses = _tab_to(page, lambda f: f["name"] == "outcome")
    assert focused["value"] == TriageOutcome.USABLE  # the first choice
    page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED)["value"] == TriageOutcome.NOT_USABLE
    _focused, tabs["to save"] = _tab_to(page, lambda f: f["type"] == "submit")
    _press_and_load(page, "Enter")
    case = Case.objects.get(report=report)
    report.refresh_from_db()
    assert case.triage_outcome == TriageOutcome.NOT_USABLE
    assert case.assignee == analyst  # acting on a case nobody holds makes it yours
    assert report.status == ReportStatus.IN_PROGRESS

    # Ask the reporter: the jump link lands in the question box; type, Tab, Enter.
    tabs["to question"] = _jump(page, "question_body")
    assert page.evaluate(FOCUSED)["id"] == "question_body"
    page.keyboard.type(QUESTION)
    _tab_to(page, lambda f: f["type"] == "submit")
    _press_and_load(page, "Enter")
    expect(page.locator("#thread")).to_contain_text(QUESTION)
    report.refresh_from_db()
    assert report.status == ReportStatus.WAITING_FOR_REPORTER
    message = report.messages.get()
    assert (message.author, message.staff_author) == (Author.STAFF, analyst)
    key = report_key_for_staff(
        report=report, user=analyst, private_key=staff_key_unlock(user=analyst, password=PASSWORD)
    )
    assert message_body(message=message, key_bytes=key) == QUESTION

    # Close: jump to closing, pick the outcome with the arrow keys, give a reason, Enter.
    tabs["to closing"] = _jump(page, "closing")
    _tab_to(page, lambda f: f["name"] == "outcome")
    target = page.locator('#closing select[name="outcome"] option').evaluate_all(
        "options => options.map(o => o.value)"
    )
    for _step in range(
        target.index(CloseOutcome.NOT_USABLE) - target.index(page.evaluate(FOCUSED)["value"])
    ):
        page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED)["value"] == CloseOutcome.NOT_USABLE
    _tab_to(page, lambda f: f["name"] == "reason")
    page.keyboard.type(REASON)
    _tab_to(page, lambda f: f["type"] == "submit")
    _press_and_load(page, "Enter")
    with translation.override("nl"):
        expect(page.locator("#status")).to_have_text(str(ReportStatus.CLOSED.label))
    report.refresh_from_db()
    case.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.closed_at is not None
    assert case.close_outcome == CloseOutcome.NOT_USABLE

    # The common actions are at hand: a few presses of Tab from the top of the page
    # (the queue's row links come after its menu, status tabs and filter switch).
    assert tabs["queue"] <= 20, tabs
    assert all(presses <= 12 for step, presses in tabs.items() if step != "queue"), tabs
