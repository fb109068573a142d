from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases import services
from meldpunt.cases.models import StaffNotification
from meldpunt.cases.services import (
    NOTIFICATION_BATCH,
    notification_setting_update,
    notifications_collect,
    notifications_deliver,
)
from meldpunt.intake.models import Author, Message
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault.models import Role, StaffUser

from .factories import make_report

pytestmark = pytest.mark.django_db


def _with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def started():
    """The collector has run once, so only news after this point counts."""
    make_report(category=make_category())
    assert notifications_collect() == 0  # the first run only sets the watermark


def test_news_is_batched_into_one_mail_per_person_and_line(started, category, analyst):
    _with_email(analyst, "analyst@example.org")
    no_address = make_staff(lines=[category.line])
    # A member whose account later became a partner user's (partners cannot join lines).
    partner = _with_email(make_staff(lines=[category.line]), "partner@example.org")
    StaffUser.objects.filter(pk=partner.pk).update(role=Role.PARTNER)
    report = make_report(category=category)
    make_report(category=category)
    assert notifications_collect() == 1
    Message.objects.create(report=report, author=Author.REPORTER, sealed_body=b"x")
    assert notifications_collect() == 0  # joins the unsent one
    assert notifications_collect() == 0  # nothing new
    assert not StaffNotification.objects.filter(user__in=[no_address, partner]).exists()

    now = timezone.now()
    assert notifications_deliver(now=now) == (0, 0)  # still collecting
    assert notifications_deliver(now=now + NOTIFICATION_BATCH) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["analyst@example.org"]
    assert category.line.name in message.subject
    assert report.reference not in message.subject + message.body
    assert notifications_deliver(now=now + NOTIFICATION_BATCH) == (0, 0)  # sent once


def test_failed_mail_is_retried_and_shown_to_administrators(
    started, category, analyst, monkeypatch, client
):
    _with_email(analyst, "analyst@example.org")
    make_report(category=category)
    notifications_collect()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refuse)
    later = timezone.now() + NOTIFICATION_BATCH
    assert notifications_deliver(now=later) == (0, 1)
    notification = StaffNotification.objects.get()
    assert notification.attempts == 1 and "smtp down" in notification.last_error
    assert notification.next_attempt_at == later + timedelta(minutes=2)
    assert notifications_deliver(now=later + timedelta(minutes=1)) == (0, 0)  # pausing

    administrator = make_staff(role=Role.ADMINISTRATOR)
    sign_in(client, administrator)
    page = client.get(reverse("cases:notification_status"))
    assert page.status_code == 200 and "smtp down" in page.content.decode()

    monkeypatch.undo()
    assert notifications_deliver(now=later + timedelta(minutes=2)) == (1, 0)
    assert StaffNotification.objects.get().sent_at is not None
    assert "smtp down" not in client.get(reverse("cases:notification_status")).content.decode()


def test_staff_can_turn_mail_off(started, category, analyst, client):
    _with_email(analyst, "analyst@example.org")
    sign_in(client, analyst)
    url = reverse("cases:notification_settings")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302  # unticked box: no mail
    make_report(category=category)
    assert notifications_collect() == 0
    notification_setting_update(user=analyst, by_email=True)
    make_report(category=category)
    assert notifications_collect() == 1
