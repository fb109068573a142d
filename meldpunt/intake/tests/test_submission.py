import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from meldpunt.intake.models import Report, ReportChannel, ReportStatus
from meldpunt.intake.services import IntakeError, mailbox_open, report_content, report_submit
from meldpunt.testing import make_category, make_staff, sign_in, submission_token
from meldpunt.vault import receipts
from meldpunt.vault.derivations import derivation_gate

pytestmark = pytest.mark.django_db


def _submit(client, category, text="Er wordt gedeald bij de snackbar", files=None):
    url = f"/report/{category.line.slug}/{category.slug}/"
    review = client.post(url, {"what": text})
    assert review.status_code == 200, review.content
    data = {"what": text, **submission_token(review.content.decode())}
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
    assert access.report.channel == ReportChannel.FORM  # plaintext, for the pilot evaluation


def test_wrong_receipt_opens_nothing(client):
    make_category()
    response = client.post("/mailbox/", {"receipt": "AAAA BBBB CCCC DDDD EEEE"})
    assert response.status_code == 400
    assert "mailbox_report" not in client.session


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


def test_sending_the_same_review_form_again_makes_no_second_report(client):
    """Issue 11.2: a reload or Back-then-Forward posts the form again."""
    category = make_category()
    url = f"/report/{category.line.slug}/{category.slug}/"
    review = client.post(url, {"what": "Er wordt gedeald"})
    form = {"what": "Er wordt gedeald", **submission_token(review.content.decode())}
    first = client.post(url + "send/", form)
    again = client.post(url + "send/", form)
    assert first.status_code == again.status_code == 200
    assert again.context["receipt"] == first.context["receipt"]
    assert Report.objects.count() == 1
    assert mailbox_open(receipt=first.context["receipt"]).report == Report.objects.get()
    # A new review (changed answers) is a new report with a receipt of its own.
    other = client.post(url, {"what": "Nog iets anders"})
    second = client.post(
        url + "send/", {"what": "Nog iets anders", **submission_token(other.content.decode())}
    )
    assert second.context["receipt"] != first.context["receipt"]
    assert Report.objects.count() == 2


def test_the_receipt_is_not_stored_and_the_token_does_not_reveal_it(client):
    category = make_category()
    url = f"/report/{category.line.slug}/{category.slug}/"
    review = client.post(url, {"what": "Er wordt gedeald"})
    token = submission_token(review.content.decode())
    receipt = client.post(url + "send/", {"what": "Er wordt gedeald", **token}).context["receipt"]
    normalized = receipt.replace(" ", "")
    assert normalized not in token["token"]
    report = Report.objects.get()
    stored = [bytes(report.receipt_lookup), bytes(report.receipt_tag), bytes(report.sealed_content)]
    assert not any(normalized.encode() in value or receipt.encode() in value for value in stored)


@pytest.mark.parametrize("token", [None, "forged:token:value"], ids=["missing", "forged"])
def test_a_send_without_a_valid_token_keeps_the_answers_and_stores_nothing(client, token):
    category = make_category()
    url = f"/en/report/{category.line.slug}/{category.slug}/"
    sent = client.post(
        url + "send/", {"what": "Er wordt gedeald", **({"token": token} if token else {})}
    )
    assert sent.status_code == 400
    page = sent.content.decode()
    assert "This page was open for too long." in page
    assert 'value="Er wordt gedeald"' in page
    assert Report.objects.count() == 0
    again = client.post(url + "send/", {"what": "Er wordt gedeald", **submission_token(page)})
    assert again.status_code == 200 and Report.objects.count() == 1


@override_settings(VAULT_KDF_SLOTS=1, VAULT_KDF_MAX_WAIT_SECONDS=0.2)
def test_a_busy_server_says_so_keeps_the_answers_and_the_same_form_sends_later(client):
    """Issue 10.8: a reporter who would wait too long gets a clear page, not a time-out."""
    category = make_category()
    url = f"/en/report/{category.line.slug}/{category.slug}/"
    review = client.post(url, {"what": "Er wordt gedeald"})
    form = {"what": "Er wordt gedeald", **submission_token(review.content.decode())}
    with derivation_gate().slot():  # the only slot is taken by someone else's derivation
        started = time.monotonic()
        busy = client.post(url + "send/", form)
        waited = time.monotonic() - started
    assert busy.status_code == 503 and busy["Retry-After"] == "60"
    assert waited < 5
    page = busy.content.decode()
    assert "Your report was not sent" in page and "the files you chose are kept below" in page
    assert 'value="Er wordt gedeald"' in page
    assert submission_token(page) == {"token": form["token"]}  # sending again is still once
    assert Report.objects.count() == 0
    sent = client.post(url + "send/", form)
    assert sent.status_code == 200 and Report.objects.count() == 1


@override_settings(VAULT_KDF_SLOTS=1, VAULT_KDF_MAX_WAIT_SECONDS=0.2)
def test_a_busy_mailbox_says_so_and_opens_when_the_queue_is_free(client):
    category = make_category()
    receipt = _submit(client, category).context["receipt"]
    with derivation_gate().slot():
        busy = client.post("/en/mailbox/", {"receipt": receipt})
    assert busy.status_code == 503 and busy["Retry-After"] == "60"
    assert "very busy" in busy.content.decode()
    assert "mailbox_report" not in client.session
    assert client.post("/en/mailbox/", {"receipt": receipt}).status_code == 302


def test_wrong_receipts_cost_no_key_derivation(client, monkeypatch):
    """A wrong receipt is refused on its fast tag; only a right one is derived."""
    category = make_category()
    receipt = _submit(client, category).context["receipt"]
    derived = []
    original = receipts.crypto.derive_key
    monkeypatch.setattr(
        receipts.crypto, "derive_key", lambda *a, **k: derived.append(1) or original(*a, **k)
    )
    for number in range(40):
        wrong = f"{number:04d}" + "A" * 16
        assert client.post("/mailbox/", {"receipt": wrong}).status_code == 400
    assert derived == []
    assert client.post("/mailbox/", {"receipt": receipt}).status_code == 302
    assert len(derived) == 1


def test_reports_from_before_the_tag_still_open_and_get_their_tag(client):
    category = make_category()
    receipt = _submit(client, category).context["receipt"]
    Report.objects.update(receipt_tag=None)  # as the migration leaves older reports
    assert client.post("/mailbox/", {"receipt": "AAAA BBBB CCCC DDDD EEEE"}).status_code == 400
    assert client.post("/mailbox/", {"receipt": receipt}).status_code == 302
    assert Report.objects.get().receipt_tag is not None
