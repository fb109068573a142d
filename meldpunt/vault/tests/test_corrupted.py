"""Tampered ciphertext reaching a page: a clear 'damaged' page and an audit event, no 500."""

import pytest
from django.test import Client

from meldpunt.intake.models import Report
from meldpunt.intake.services import mailbox_open, report_submit, staff_message_post
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault.models import AuditEvent

pytestmark = pytest.mark.django_db


def _tamper(report: Report) -> None:
    sealed = bytearray(report.sealed_content)
    sealed[-1] ^= 1
    Report.objects.filter(pk=report.pk).update(sealed_content=bytes(sealed))


def test_staff_opening_a_tampered_report_get_a_damaged_page_and_an_audit_event():
    category = make_category()
    analyst = make_staff(lines=[category.line])
    report = report_submit(
        category=category, answers={"what": "unieke inhoud 4711"}, questions={}
    ).report
    _tamper(report)
    client = Client()
    sign_in(client, analyst)
    response = client.get(f"/staff/cases/reports/{report.pk}/")
    assert response.status_code == 422
    assert "unieke inhoud" not in response.content.decode()
    event = AuditEvent.objects.get(action="content.integrity_failure")
    assert event.actor == analyst and str(report.pk) in event.details["path"]


def test_reporter_with_a_tampered_report_gets_the_damaged_page():
    category = make_category()
    submission = report_submit(category=category, answers={"what": "x"}, questions={})
    access = mailbox_open(receipt=submission.receipt)
    message = staff_message_post(
        report=submission.report, actor=make_staff(), key_bytes=access.key_bytes, body="vraag"
    )
    type(message).objects.filter(pk=message.pk).update(sealed_body=b"\0" * 60)
    client = Client()
    assert client.post("/mailbox/", {"receipt": submission.receipt}).status_code == 302
    response = client.get("/mailbox/messages/")
    assert response.status_code == 422
    assert AuditEvent.objects.filter(action="content.integrity_failure", actor=None).exists()
