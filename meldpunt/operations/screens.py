"""The pages a reviewer looks at on a desk and on a phone, and the data that fills them.

Shared by the layout tests (tests/test_browser_screens.py) and ``meldpunt
screenshots``, so that what is checked and what is shown are the same pages.
It sits in operations, the top layer, because the pages come from every app:
the queue and the case (cases), forwarding and the partner portal (network),
the hotline page (hotline).
"""

from dataclasses import dataclass

from django.db import transaction

from meldpunt.cases.models import TriageOutcome
from meldpunt.cases.services import case_claim, case_get, case_triage
from meldpunt.intake.models import Report
from meldpunt.intake.services import report_key_for_staff, report_submit
from meldpunt.lines.models import Category, LineKind, QuestionKind
from meldpunt.network.models import Forward, Partner
from meldpunt.network.services import forward_create, forward_draft_current, forward_draft_decide
from meldpunt.privacy.redaction import Decision
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import StaffUser

# Desk and phone (an iPhone 12-15 in CSS pixels).
SIZES: dict[str, tuple[int, int]] = {"desktop": (1280, 800), "phone": (390, 844)}
# Long enough to wrap on a phone; with an address and a phone number for the
# forward page's detector to mark.
STORY = (
    "Achter de garage aan de Dorpsstraat 14 wordt elke vrijdagavond hennep verhandeld. "
    "Er staan dan steeds twee auto's met draaiende motor; de bestuurder van de grijze "
    "bestelbus belt vaak met 06 4123 5678. Een zeer lang woord zonder spaties: "
    "hennepkwekerijbestrijdingsprogrammacoördinatiecentrumvergaderverslag."
)
LONG_ADDRESS = (
    "https://images.example.invalid/gallery/2026/11/20/"
    "a-very-long-path-segment-that-does-not-fit-on-a-phone-screen/index.html?page=1&sort=new"
)


@dataclass(frozen=True)
class Screen:
    """One page to check and photograph: a file-name-safe name, a path, who looks."""

    name: str
    path: str
    viewer: str  # "analyst", "partner" or "nobody"
    status: int = 200
    # Send the page's form with a spoilt CSRF token: the 403 a form left open too long gets.
    spoil_form: bool = False


def _submit(category: Category, answers: dict[str, str]) -> Report:
    questions = {question.key: question.label for question in category.questions.all()}
    return report_submit(
        category=category,
        answers=answers,
        questions={key: questions[key] for key in answers},
        has_mailbox=False,
    ).report


def _usable(report: Report, analyst: StaffUser) -> Report:
    case_claim(report=report, actor=analyst, version=case_get(report).version)
    case_triage(
        report=report,
        actor=analyst,
        version=case_get(report).version,
        outcome=TriageOutcome.USABLE,
    )
    report.refresh_from_db()
    return report


def _forward(report: Report, *, analyst: StaffUser, password: str, partner: Partner) -> Forward:
    """Forward ``report`` with every marked passage redacted, as the forward page does."""
    key = report_key_for_staff(
        report=report, user=analyst, private_key=staff_key_unlock(user=analyst, password=password)
    )
    stored = forward_draft_current(report=report, actor=analyst, key_bytes=key)
    version = stored.version
    for index in range(len(stored.draft.marks)):
        forward_draft_decide(
            report=report,
            actor=analyst,
            key_bytes=key,
            version=version,
            index=index,
            decision=Decision.REDACT,
        )
        version += 1
    (forward,) = forward_create(
        report=report,
        partners=[partner],
        actor=analyst,
        key_bytes=key,
        draft_version=version,
        case_version=case_get(report).version,
    )
    return forward


@transaction.atomic
def screens_data_create(*, analyst: StaffUser, password: str, partner: Partner) -> list[Screen]:
    """Reports behind each page, made as a reporter and ``analyst`` would; the pages.

    Needs a tips line and a content-hotline line, each with a category whose
    questionnaire has a long-text or a web-address question (the demo's lines do),
    ``analyst`` (whose ``password`` opens their key) a member of both, and
    ``partner`` open to the tips line with a member. One tips report is assessed
    usable, so that its forward page opens; another is forwarded to ``partner``.
    """
    tips = Category.objects.filter(
        line__kind=LineKind.TIPS, questions__kind=QuestionKind.LONG_TEXT
    ).first()
    hotline = Category.objects.filter(
        line__kind=LineKind.CONTENT_HOTLINE, questions__kind=QuestionKind.WEB_ADDRESSES
    ).first()
    if tips is None or hotline is None:
        raise ValueError("screens need a tips line and a content-hotline line")
    text_key = tips.questions.filter(kind=QuestionKind.LONG_TEXT).first().key
    address_key = hotline.questions.filter(kind=QuestionKind.WEB_ADDRESSES).first().key
    for _ in range(3):  # a few rows in the queue
        _submit(tips, {text_key: STORY})
    report = _usable(_submit(tips, {text_key: STORY}), analyst)
    forward = _forward(
        _usable(_submit(tips, {text_key: STORY}), analyst),
        analyst=analyst,
        password=password,
        partner=partner,
    )
    addresses = _submit(hotline, {address_key: f"{LONG_ADDRESS}\nhttp://example.invalid/a.jpg"})
    return [
        Screen("queue", "/staff/cases/", "analyst"),
        Screen("case", f"/staff/cases/reports/{report.pk}/", "analyst"),
        Screen("forward", f"/staff/network/reports/{report.pk}/forward/", "analyst"),
        Screen("hotline", f"/staff/hotline/reports/{addresses.pk}/", "analyst"),
        Screen("partner", "/partner/", "partner"),
        Screen("partner-forward", f"/partner/forwards/{forward.pk}/", "partner"),
        Screen("not-found", "/staff/cases/reports/999999999/", "analyst", status=404),
        Screen("forbidden", "/staff/sign-in/", "nobody", status=403, spoil_form=True),
    ]


def screen_open(page, base_url: str, screen: Screen) -> int:
    """Open ``screen`` in a Playwright ``page`` (JavaScript may be off); the HTTP status."""
    response = page.goto(base_url + screen.path)
    if screen.spoil_form:
        form = page.locator("#main form").first
        # Playwright's own evaluation works with the page's scripts disabled.
        form.locator('input[name="csrfmiddlewaretoken"]').evaluate("e => { e.value = 'spoilt'; }")
        with page.expect_navigation() as navigation:
            form.locator('button[type="submit"]').click()
        response = navigation.value
    return response.status


def staff_sign_in(page, base_url: str, *, username: str, password: str, code: str) -> None:
    """Sign in through the two-step form, as a person does."""
    page.goto(base_url + "/staff/sign-in/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('#main form button[type="submit"]').click()
    page.wait_for_url(base_url + "/staff/sign-in/code/")
    page.locator('input[name="token"]').fill(code)
    page.locator('#main form button[type="submit"]').click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
