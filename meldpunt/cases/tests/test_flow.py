"""The whole case flow through the web pages, reporter and analyst side by side.

A report comes in through the public form; the analyst claims it and asks a
control question from a template; the reporter answers in their mailbox; the
analyst classifies and closes it. The timeline shows every step and the reporter
sees the status change in plain words.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from meldpunt.cases.models import Case, QuestionTemplate
from meldpunt.intake.models import REPORTER_STATUS_TEXT, Report, ReportStatus
from meldpunt.testing import make_category, make_staff, sign_in, submission_token

from .factories import make_scheme

pytestmark = pytest.mark.django_db


def test_report_to_closed_case(client):
    category = make_category()
    line = category.line
    analyst = make_staff(lines=[line])
    scheme = make_scheme(line=line, options=("csam", "not-illegal"))
    template = QuestionTemplate.objects.create(
        line=line,
        language="en",
        title="Colour",
        body="What colour was the van?",
        is_control_question=True,
    )

    reporter = client
    form = f"/report/{line.slug}/{category.slug}/"
    review = reporter.post(form, {"what": "A van unloads boxes at night"})
    assert review.status_code == 200
    answers = {"what": "A van unloads boxes at night", **submission_token(review.content.decode())}
    receipt = reporter.post(form + "send/", answers).context["receipt"]
    report = Report.objects.get()

    staff = Client()
    sign_in(staff, analyst)
    queue = staff.get("/staff/cases/")
    assert report.reference in queue.content.decode()
    case_url = reverse("cases:report", args=[report.pk])
    assert "A van unloads boxes" in staff.get(case_url).content.decode()

    assert staff.post(reverse("cases:claim", args=[report.pk]), {"version": 0}).status_code == 302
    filled = staff.get(case_url, {"template": template.pk}).context["forms"]["question"]
    question = {"template": template.pk, "body": filled.initial["body"]}
    assert staff.post(case_url, question).status_code == 302

    assert reporter.post("/mailbox/", {"receipt": receipt}).status_code == 302
    mailbox = reporter.get("/mailbox/messages/").content.decode()
    assert "What colour was the van?" in mailbox
    reporter.post("/mailbox/messages/", {"body": "White, with a dent", "confirm": "1"})
    assert report.reference in staff.get("/staff/cases/", {"status": "all"}).content.decode()

    page = staff.get(case_url)
    assert "White, with a dent" in page.content.decode()
    version = page.context["version"]
    classify = {"version": version, f"scheme_{scheme.pk}": scheme.options.get(slug="csam").pk}
    assert staff.post(reverse("cases:classify", args=[report.pk]), classify).status_code == 302
    close = {"version": version + 1, "outcome": "handled", "reason": "Passed to the police"}
    assert staff.post(reverse("cases:close", args=[report.pk]), close).status_code == 302

    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.closed_at is not None
    assert Case.objects.get(report=report).classifications.count() == 1
    timeline = [entry.action for entry in staff.get(case_url).context["timeline"]]
    steps = [
        "report.received",
        "case.claim",
        "case.template_used",
        "report.question",
        "reporter.message",
        "case.classify",
        "case.close",
    ]
    assert [action for action in timeline if action in steps] == steps
    mailbox = reporter.get("/mailbox/messages/").content.decode()
    with translation.override("nl"):  # the reporter's pages are Dutch at /
        closed_text = escape(str(REPORTER_STATUS_TEXT[ReportStatus.CLOSED]))
    assert closed_text in mailbox
