import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meldpunt.intake.models import MailboxFailureWindow, Report, ReportStatus
from meldpunt.intake.services import IntakeError, mailbox_open, report_content, report_submit
from meldpunt.testing import make_category, make_staff, sign_in

pytestmark = pytest.mark.django_db


def _submit(client, category, text="Er wordt gedeald bij de snackbar", files=None):
    url = f"/report/{category.line.slug}/{category.slug}/"
    review = client.post(url, {"what": text})
    assert review.status_code == 200, review.content
    data = {"what": text}
    if files:
        data["files"] = files
    return client.post(url + "send/", data)


def test_web_submission_returns_receipt_that_opens_mailbox(client):
    category = make_category()
    response = _submit(client, category)
    assert response.status_code == 200
    receipt = response.context["receipt"]
    access = mailbox_open(receipt=receipt)
    assert access is not None
    assert report_content(report=access.report, key_bytes=access.key_bytes)["answers"] == {
        "what": "Er wordt gedeald bij de snackbar"
    }


def test_wrong_receipt_opens_nothing_and_is_counted(client):
    make_category()
    response = client.post("/mailbox/", {"receipt": "AAAA BBBB CCCC DDDD EEEE"})
    assert response.status_code == 400
    assert "mailbox_report" not in client.session
    assert MailboxFailureWindow.objects.get().failures == 1


def test_missing_required_answer_is_reported_next_to_the_field(client):
    category = make_category()
    response = client.post(f"/report/{category.line.slug}/{category.slug}/", {"what": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["what"]
    assert Report.objects.count() == 0


def test_closed_category_accepts_nothing(client):
    category = make_category(is_public=False)
    response = client.post(f"/report/{category.line.slug}/{category.slug}/send/", {"what": "x"})
    assert response.status_code == 404
    with pytest.raises(IntakeError):
        report_submit(category=category, answers={"what": "x"}, questions={})
    assert Report.objects.count() == 0


def test_staff_question_reaches_mailbox_and_answer_reaches_staff(client):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    receipt = _submit(client, category).context["receipt"]
    report = Report.objects.get()

    staff = client.__class__()
    sign_in(staff, analyst)
    page = staff.get(f"/staff/cases/reports/{report.pk}/")
    assert "Er wordt gedeald" in page.content.decode()
    staff.post(f"/staff/cases/reports/{report.pk}/", {"body": "Welke kleur had de auto?"})
    report.refresh_from_db()
    assert report.status == ReportStatus.WAITING_FOR_REPORTER

    reporter = client.__class__()
    assert reporter.post("/mailbox/", {"receipt": receipt}).status_code == 302
    mailbox = reporter.get("/mailbox/messages/")
    assert "Welke kleur had de auto?" in mailbox.content.decode()
    reporter.post("/mailbox/messages/", {"body": "Een rode Golf", "confirm": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.needs_attention
    assert "Een rode Golf" in staff.get(f"/staff/cases/reports/{report.pk}/").content.decode()


def test_file_too_large_keeps_answers_and_stores_nothing(client):
    category = make_category()
    category.line.max_file_mb = 1
    category.line.save()
    big = SimpleUploadedFile("big.txt", b"x" * (1024 * 1024 + 1), content_type="text/plain")
    response = _submit(client, category, files=[big])
    assert response.status_code == 400
    assert "1 MB" in response.content.decode()
    assert Report.objects.count() == 0
