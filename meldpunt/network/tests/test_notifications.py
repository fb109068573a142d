"""Partners are told by e-mail that a forward waits on the portal, and of nothing else.

Real components: Django's locmem mail backend (the test default), a backend in
this module that refuses and then sends, real crypto and the immediate task
backend running the task when the forward's transaction commits.
"""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from meldpunt.cases.models import Case
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault.models import Role

from ..models import DeliveryState, Forward, ForwardNotification
from ..notifications import forward_notifications_deliver, forward_notifications_prepare
from ..services import forward_create, forward_draft_current, forward_draft_decide, forward_open
from ..tasks import forward_notify
from .factories import add_member, key_of, make_partner, usable_report

pytestmark = pytest.mark.django_db

DETAIL = "Hij rijdt een wit busje met kenteken en woont op de Kerkstraat."
PHONE = "06-12345678"
LINE_NAME = "Meld Misdaad Zuidwest"
CATEGORY_NAME = "Drugshandel in de wijk"
SITE_URL = "https://meldpunt.example.nl"


class RefusingOnceBackend(LocmemBackend):
    """A mail server that is down for the first message and up afterwards."""

    refused = 0

    def send_messages(self, messages):
        if RefusingOnceBackend.refused == 0:
            RefusingOnceBackend.refused += 1
            raise ConnectionRefusedError("smtp down")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def world():
    category = make_category()
    category.name = CATEGORY_NAME
    category.save(update_fields=["name"])
    category.line.name = LINE_NAME
    category.line.save(update_fields=["name"])

    class World:
        line = category.line
        analyst = make_staff(lines=[line])
        partner = make_partner(lines=[line], members=0)
        report = usable_report(category=category, holder=analyst, text=f"{DETAIL} Bel {PHONE}.")

    return World


def _member(partner, email: str):
    user = add_member(partner)
    user.email = email
    user.save(update_fields=["email"])
    return user


def _forward(world, capture) -> Forward:
    """Forward the report (phone redacted) through the service; the task runs on commit."""
    key = key_of(world.report, world.analyst)
    stored = forward_draft_current(report=world.report, actor=world.analyst, key_bytes=key)
    for index in range(len(stored.draft.marks)):
        forward_draft_decide(
            report=world.report,
            actor=world.analyst,
            key_bytes=key,
            version=stored.version + index,
            index=index,
            decision="redact",
        )
    with capture(execute=True):
        [forward] = forward_create(
            report=world.report,
            partners=[world.partner],
            actor=world.analyst,
            key_bytes=key,
            draft_version=stored.version + len(stored.draft.marks),
            case_version=Case.objects.get(report=world.report).version,
        )
    forward.refresh_from_db()
    return forward


def test_one_mail_per_member_with_an_address_and_nothing_of_the_report(
    world, django_capture_on_commit_callbacks
):
    first = _member(world.partner, "agent1@politie.example")
    second = _member(world.partner, "agent2@politie.example")
    without_address = _member(world.partner, "")
    inactive = _member(world.partner, "former@politie.example")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    # Another partner's member hears nothing.
    _member(make_partner(lines=[world.line], members=0, name="Gemeente"), "other@gemeente.example")

    forward = _forward(world, django_capture_on_commit_callbacks)

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "agent1@politie.example",
        "agent2@politie.example",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees a colleague
    assert set(ForwardNotification.objects.values_list("user", flat=True)) == {first.pk, second.pk}
    assert not ForwardNotification.objects.filter(user__in=[without_address, inactive]).exists()
    assert forward.delivery_state == DeliveryState.NOTIFIED
    assert forward.notified_at is not None

    text = "\n".join(f"{message.subject}\n{message.body}" for message in mail.outbox)
    assert f"{SITE_URL}/partner/" in text
    for detail in (
        world.report.reference,
        LINE_NAME,
        CATEGORY_NAME,
        world.partner.name,
        DETAIL,
        "busje",
        PHONE,
        "[REDACTED",
    ):
        assert detail not in text, detail
    # The redacted text itself is what the member reads on the portal, not in the mail.
    body = forward_open(forward=forward, user=first, private_key=_private_key(first))
    assert DETAIL in body
    for line in body.splitlines():
        if line.strip():
            assert line not in text


def _private_key(user):
    from meldpunt.testing import PASSWORD
    from meldpunt.vault.keys import staff_key_unlock

    return staff_key_unlock(user=user, password=PASSWORD)


def test_message_is_in_dutch_and_english_whatever_language_is_active(
    world, django_capture_on_commit_callbacks
):
    _member(world.partner, "agent@politie.example")
    forward = _forward(world, django_capture_on_commit_callbacks)
    ForwardNotification.objects.update(sent_at=None)
    bodies = []
    for active in ("en", "nl"):
        with translation.override(active):
            forward_notifications_deliver(forward_id=forward.pk)
        ForwardNotification.objects.update(sent_at=None)
        bodies.append((mail.outbox[-1].subject, mail.outbox[-1].body))
    assert bodies[0] == bodies[1]
    subject, body = bodies[0]
    english = "A new forwarded report for your organisation is waiting on the partner portal"
    assert "New forwarded report on the partner portal" in subject
    assert english in body
    assert subject == (
        "Nieuwe doorgezette melding op het partnerportaal / "
        "New forwarded report on the partner portal"
    )
    nl_part, en_part = body.split("\n---\n")
    assert "Er staat een nieuwe doorgezette melding voor uw organisatie klaar" in nl_part
    assert english in en_part and english not in nl_part
    assert f"{SITE_URL}/partner/" in nl_part and f"{SITE_URL}/partner/" in en_part


def test_a_second_run_sends_nothing_twice(world, django_capture_on_commit_callbacks):
    _member(world.partner, "agent1@politie.example")
    _member(world.partner, "agent2@politie.example")
    forward = _forward(world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2

    assert forward_notify.call(forward.pk) == 0
    assert forward_notifications_prepare(forward=forward) == 0
    assert forward_notifications_deliver() == (0, 0)
    assert len(mail.outbox) == 2
    assert ForwardNotification.objects.filter(sent_at__isnull=False).count() == 2


def test_a_failing_mail_server_is_retried_with_back_off(
    world, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingOnceBackend"}}
    RefusingOnceBackend.refused = 0
    _member(world.partner, "agent@politie.example")
    before = timezone.now()
    forward = _forward(world, django_capture_on_commit_callbacks)

    notification = ForwardNotification.objects.get()
    assert mail.outbox == []
    assert notification.sent_at is None and notification.attempts == 1
    assert "smtp down" in notification.last_error
    assert notification.next_attempt_at >= before + timedelta(minutes=2)
    assert forward.delivery_state == DeliveryState.AVAILABLE and forward.notified_at is None

    assert forward_notify.call(forward.pk) == 0  # not due yet: nothing tried
    assert ForwardNotification.objects.get().attempts == 1

    later = notification.next_attempt_at
    assert forward_notifications_deliver(forward_id=forward.pk, now=later) == (1, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["agent@politie.example"]
    forward.refresh_from_db()
    assert forward.delivery_state == DeliveryState.NOTIFIED and forward.notified_at == later
    assert forward_notifications_deliver(now=later + timedelta(hours=1)) == (0, 0)
    assert len(mail.outbox) == 1


def test_back_off_grows_and_gives_up(world, settings, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingOnceBackend"}}
    settings.NETWORK_NOTIFICATION_MAX_ATTEMPTS = 3
    _member(world.partner, "agent@politie.example")
    RefusingOnceBackend.refused = 0
    forward = _forward(world, django_capture_on_commit_callbacks)
    first = ForwardNotification.objects.get()

    RefusingOnceBackend.refused = 0  # down again for the second attempt
    assert forward_notifications_deliver(now=first.next_attempt_at) == (0, 1)
    second = ForwardNotification.objects.get()
    assert second.attempts == 2
    assert second.next_attempt_at == first.next_attempt_at + timedelta(minutes=4)

    RefusingOnceBackend.refused = 0
    assert forward_notifications_deliver(now=second.next_attempt_at) == (0, 1)
    assert forward_notifications_deliver(now=second.next_attempt_at + timedelta(days=1)) == (0, 0)
    assert ForwardNotification.objects.get().attempts == 3  # given up, still recorded
    forward.refresh_from_db()
    assert forward.delivery_state == DeliveryState.AVAILABLE


def test_prepare_page_shows_a_forward_nobody_could_be_told_about(
    world, django_capture_on_commit_callbacks
):
    add_member(world.partner)  # a member without an e-mail address
    forward = _forward(world, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not ForwardNotification.objects.exists()
    assert forward.delivery_state == DeliveryState.AVAILABLE

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, world.analyst)
    page = client.get(reverse("network:prepare", args=[world.report.pk])).content.decode()
    assert "partner not notified: nobody there can be e-mailed, call them" in page

    # Once someone there has an address and was told, the warning is gone.
    member = world.partner.memberships.get().user
    member.email = "agent@politie.example"
    member.save(update_fields=["email"])
    assert forward_notifications_prepare(forward=forward) == 1
    assert forward_notify.call(forward.pk) == 1
    page = client.get(reverse("network:prepare", args=[world.report.pk])).content.decode()
    assert "call them" not in page
    assert "Partner notified, waiting to be read" in page


def test_a_member_who_joined_later_is_not_told(world, django_capture_on_commit_callbacks):
    _member(world.partner, "agent@politie.example")
    forward = _forward(world, django_capture_on_commit_callbacks)
    _member(world.partner, "newcomer@politie.example")  # cannot open what was sealed before
    assert forward_notifications_prepare(forward=forward) == 0
    assert [message.to for message in mail.outbox] == [["agent@politie.example"]]


def test_a_forward_read_before_the_mail_stays_read(world, django_capture_on_commit_callbacks):
    member = _member(world.partner, "agent@politie.example")
    forward = _forward(world, django_capture_on_commit_callbacks)
    ForwardNotification.objects.update(sent_at=None)
    Forward.objects.filter(pk=forward.pk).update(delivery_state=DeliveryState.READ)
    assert forward_notifications_deliver() == (1, 0)
    forward.refresh_from_db()
    assert forward.delivery_state == DeliveryState.READ
    assert member.role == Role.PARTNER


def test_the_task_queues_its_retry_for_when_the_failed_mail_is_due(
    world, settings, django_capture_on_commit_callbacks
):
    """With the production queue (database backend) the retry waits in the queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingOnceBackend"}}
    RefusingOnceBackend.refused = 0
    _member(world.partner, "agent@politie.example")
    forward = _forward(world, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get(task_path=forward_notify.module_path)
    assert queued.args_kwargs["args"] == [forward.pk] and not mail.outbox

    assert forward_notify.call(forward.pk) == 0  # what the worker runs: the server refuses
    notification = ForwardNotification.objects.get()
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get(task_path=forward_notify.module_path)
    assert retry.run_after == notification.next_attempt_at
    assert retry.args_kwargs["args"] == [forward.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_a_mail_another_worker_is_sending(
    world, django_capture_on_commit_callbacks
):
    """While one worker holds a notification (it is sending), another leaves it alone.

    (On SQLite every write transaction is IMMEDIATE, so the second worker waits
    for the first and then finds the mail sent.)
    """
    member = add_member(world.partner)
    forward = _forward(world, django_capture_on_commit_callbacks)
    member.email = "agent@politie.example"
    member.save(update_fields=["email"])
    assert forward_notifications_prepare(forward=forward) == 1
    holding, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                ForwardNotification.objects.select_for_update().get()
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        assert forward_notifications_deliver() == (0, 0)
        assert mail.outbox == []
    finally:
        release.set()
        thread.join()
    assert forward_notifications_deliver() == (1, 0)
    assert forward_notifications_deliver() == (0, 0)
    assert len(mail.outbox) == 1
