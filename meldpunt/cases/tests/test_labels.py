"""Issue 16 item 3: every value a person reads is a label in their language, never a code.

One case goes through the real services: a report with a choice, a yes/no and a
municipality answer, claimed, handed over, re-filed, classified, linked,
assessed, located, forwarded, with feedback and a question from the partner and
content-hotline events in its timeline. The main pages around it (queue, case
page, forward page, partner portal, the reporter's mailbox) are rendered in
Dutch and in English, and their visible text is searched for the codes the
pages used to show and, on Dutch pages, for English words that have a Dutch
translation.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meldpunt.cases.models import Case
from meldpunt.cases.services import (
    case_category_correct,
    case_claim,
    case_classify,
    case_close,
    case_hand_over,
    case_link,
    case_triage,
)
from meldpunt.intake.services import report_submit
from meldpunt.lines.models import Category, Line, Municipality, Question, QuestionKind
from meldpunt.network.feedback import followup_ask, forward_feedback_give
from meldpunt.network.services import report_locate
from meldpunt.network.tests.factories import forwarded, key_of, make_partner
from meldpunt.testing import make_staff, sign_in
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import Role

from .factories import make_report, make_scheme

pytestmark = pytest.mark.django_db

# Codes the pages showed before (issue 16 item 3), matched in the visible text only.
RAW_VALUES = {"yes", "no", "coke", "True", "False", "None"}
CODE_PATTERNS = [
    re.compile(r"\bGM\d{4}\b"),  # a municipality code without its name
    re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),  # snake_case: event details, passage types
    re.compile(r"\b(?:True|False|None)\b(?! report)"),  # "False report" is a close outcome
    re.compile(r"\w+: \w+ · \w+: "),  # the old "key: value · key: value" dump
    re.compile(r"Select an option"),
    re.compile(r"WEGGELAKT: street"),
]
# English UI words with a Dutch translation, which a Dutch page must not show.
ENGLISH_WORDS = [
    "Timeline",
    "Received",
    "Municipality",
    "Usable",
    "Claimed",
    "Handed over",
    "Forwarded to a partner",
    "Your report",
    "Forwarded report",
    "Yes",
    "Cocaine",
    "Drug dealing",
    "Weapons",
    "Tip line",
    # words of the event details the timeline used to print as "key: value"
    "outcome",
    "addresses",
    "attempts",
    "recipient",
]
# Names kept in Dutch only where English has its own: a Dutch name on an English page.
DUTCH_NAMES = ["Drugshandel", "Wapens", "Meldlijn", "Cocaïne", "Welke drug?"]


class VisibleText(HTMLParser):
    """The text a person sees: element text, without scripts, styles and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_parts(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    parser = VisibleText()
    parser.feed(response.content.decode())
    return parser.parts


def codes_in(parts: list[str]) -> list[str]:
    # The forwarding page names the routing municipality with its code as a secondary
    # detail ("Amsterdam (GM0363)"), which staff need to tell places apart.
    text = "\n".join(parts).replace("Amsterdam (GM0363)", "Amsterdam")
    found = [part for part in parts if part in RAW_VALUES]
    for pattern in CODE_PATTERNS:
        found += pattern.findall(text)
    return found


def version_of(report) -> int:
    case = Case.objects.filter(report=report).first()
    return case.version if case else 0


def hotline_events() -> list[tuple[str, dict]]:
    """Content-hotline events with the details its services record (hotline.services)."""
    return [
        ("hotline.open", {"addresses": 2}),
        (
            "hotline.assess",
            {
                "reported_url": 1,
                "decision": "illegal",
                "state": "illegal",
                "route": "partner_hotline",
                "next_step": "forward",
            },
        ),
        (
            "hotline.classify",
            {"reported_url": 1, "material": "child_erotica", "age_group": "prepubescent"},
        ),
        (
            "hotline.action_sent",
            {
                "reported_url": 1,
                "action": "notice",
                "recipient": "abuse@example.net",
                "attempts": 2,
            },
        ),
    ]


@pytest.fixture
def world():
    line = Line.objects.create(slug="meldlijn", name="Meldlijn", name_en="Tip line")
    drugs = Category.objects.create(
        line=line, slug="drugs", name="Drugshandel", name_en="Drug dealing", is_public=True
    )
    weapons = Category.objects.create(
        line=line, slug="weapons", name="Wapens", name_en="Weapons", is_public=True
    )
    questions = {
        "what": (QuestionKind.LONG_TEXT, "Wat weet u?", "What do you know?", []),
        "known": (QuestionKind.YES_NO, "Kent u de dader?", "Do you know the offender?", []),
        "seen": (QuestionKind.YES_NO, "Zelf gezien?", "Seen yourself?", []),
        "where": (QuestionKind.MUNICIPALITY, "In welke gemeente?", "In which municipality?", []),
        "drug": (
            QuestionKind.CHOICE,
            "Welke drug?",
            "Which drug?",
            [{"value": "coke", "label": "Cocaïne", "label_en": "Cocaine"}],
        ),
    }
    for order, (key, (kind, label, label_en, choices)) in enumerate(questions.items()):
        Question.objects.create(
            category=drugs,
            key=key,
            kind=kind,
            label=label,
            label_en=label_en,
            choices=choices,
            order=order,
        )
    Municipality.objects.create(code="GM0363", name="Amsterdam")
    Municipality.objects.create(code="GM0344", name="Utrecht")
    analyst = make_staff(lines=[line])
    supervisor = make_staff(lines=[line], role=Role.SUPERVISOR)
    option = make_scheme(line=line, slug="substance", options=("hard-drugs",)).options.get()
    submission = report_submit(
        category=drugs,
        answers={
            "what": "Er wordt gehandeld.",
            "known": "yes",
            "seen": "no",
            "where": "GM0344",
            "drug": "coke",
        },
        questions={key: label for key, (_kind, label, _en, _choices) in questions.items()},
        municipality_code="GM0344",
    )
    report, earlier = submission.report, make_report(category=drugs)
    # The earlier report: closed as a duplicate.
    case_claim(report=earlier, actor=analyst, version=0)
    case_close(
        report=earlier,
        actor=analyst,
        version=version_of(earlier),
        key_bytes=key_of(earlier, analyst),
        outcome="duplicate",
        reason="Zelfde melding.",
    )
    # The report: every step of the back office, then forwarded.
    case_claim(report=report, actor=analyst, version=0)
    case_category_correct(report=report, actor=analyst, version=1, category=weapons)
    case_classify(report=report, actor=analyst, version=2, options=[option])
    case_link(report=report, actor=analyst, version=3, earlier=earlier, kind="follow_up")
    case_hand_over(
        report=report, actor=analyst, version=4, to=supervisor, key_bytes=key_of(report, analyst)
    )
    case_triage(report=report, actor=supervisor, version=5, outcome="usable")
    report_locate(
        report=report, actor=supervisor, municipality=Municipality.objects.get(code="GM0363")
    )
    partner = make_partner(lines=[line], name="Politie Amsterdam")
    # The forward's text is composed in the language of whoever prepares it: Dutch here.
    with translation.override("nl"):
        forward = forwarded(report=report, partners=[partner], actor=supervisor)[0]
    member = partner.memberships.get().user
    forward_feedback_give(
        forward=forward, actor=member, outcome="taken_up", text="Opgepakt.", version=0
    )
    followup_ask(forward=forward, actor=member, text="Welke straat?")
    for action, details in hotline_events():
        audit_record(actor=supervisor, action=action, target=report, details=details)

    class World:
        pass

    world = World()
    world.report, world.earlier, world.forward = report, earlier, forward
    world.receipt, world.supervisor, world.member = submission.receipt, supervisor, member
    return world


def staff_pages(world) -> dict[str, str]:
    return {
        "queue": reverse("cases:queue") + "?status=all",
        "case": reverse("cases:report", args=[world.report.pk]),
        "closed case": reverse("cases:report", args=[world.earlier.pk]),
        "related": reverse("cases:related", args=[world.report.pk]),
        "forward": reverse("network:prepare", args=[world.report.pk]),
        "returns": reverse("network:returns", args=[world.report.pk]),
    }


def rendered_pages(world, language: str) -> dict[str, list[str]]:
    """The visible text of every main page around the case, in ``language``."""
    staff = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(staff, world.supervisor)
    pages = {name: visible_parts(staff.get(url)) for name, url in staff_pages(world).items()}
    partner = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(partner, world.member)
    pages["partner inbox"] = visible_parts(partner.get(reverse("partner:inbox")))
    pages["partner forward"] = visible_parts(
        partner.get(reverse("partner:forward", args=[world.forward.pk]))
    )
    prefix = "/en" if language == "en" else ""
    reporter = Client()
    assert reporter.post(f"{prefix}/mailbox/", {"receipt": world.receipt}).status_code == 302
    pages["mailbox"] = visible_parts(reporter.get(f"{prefix}/mailbox/messages/"))
    return pages


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_page_shows_a_raw_code(world, language):
    pages = rendered_pages(world, language)
    found = {name: codes_in(parts) for name, parts in pages.items()}
    assert {name: codes for name, codes in found.items() if codes} == {}


def test_dutch_pages_show_no_english_words(world):
    pages = rendered_pages(world, "nl")
    found = {
        name: [word for word in ENGLISH_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]
        for name, text in ((name, "\n".join(parts)) for name, parts in pages.items())
    }
    assert {name: words for name, words in found.items() if words} == {}


def test_english_staff_pages_show_the_english_names_of_categories_and_choices(world):
    pages = rendered_pages(world, "en")
    # Not the forwarding page: the text it prepares is a document for the partner,
    # composed once in the reporting point's language, not a page label.
    staff = {name: "\n".join(pages[name]) for name in staff_pages(world) if name != "forward"}
    found = {name: [word for word in DUTCH_NAMES if word in text] for name, text in staff.items()}
    assert {name: words for name, words in found.items() if words} == {}
    case = staff["case"]
    assert "Weapons" in case and "Tip line" in case
    assert "Which drug?\nCocaine" in case
    assert "Do you know the offender?\nYes" in case and "Seen yourself?\nNo" in case
    assert "In which municipality?\nUtrecht" in case


def timeline_in(client, world, language: str) -> dict[str, str]:
    response = client.get(
        reverse("cases:report", args=[world.report.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    return {entry.action: entry.description for entry in response.context["timeline"]}


def test_the_timeline_says_each_step_in_words(world):
    staff = Client()
    sign_in(staff, world.supervisor)
    dutch = timeline_in(staff, world, "nl")
    assert dutch["case.triage"] == "Bruikbaar"
    assert dutch["case.category"] == "van Drugshandel naar Wapens"
    assert dutch["report.locate"] == "Amsterdam, was Utrecht"
    assert dutch["case.classify"] == "Substance: hard-drugs"
    english = timeline_in(staff, world, "en")
    assert english["case.triage"] == "Usable"
    assert english["case.category"] == "from Drug dealing to Weapons"
    assert english["forward.feedback"] == "from Politie Amsterdam; Taken up"
    assert english["hotline.action_sent"] == (
        "notice to the hosting provider to abuse@example.net; attempt 2"
    )
