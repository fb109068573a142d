"""Forwards delivered by OpenPGP-encrypted e-mail and by signed webhook, with retries.

Real components: a partner key made with Sequoia in the test, an aiosmtpd
server, an http.server webhook receiver, Django's SMTP backend, the immediate
task backend running the first attempt when the forward commits, and real
OpenPGP decryption of what arrived. The report comes in through intake with a
picture, cleaned there; the e-mail and the webhook carry that cleaned file.
"""

import base64
import email
import email.policy
import hashlib
import hmac
import importlib
import io
import json
import time
from datetime import timedelta
from types import SimpleNamespace

import pysequoia
import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pysequoia import packet

from meldpunt.datadir import shared_dir, shared_files
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hashes.tests import pictures
from meldpunt.intake.services import IncomingFile
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault import blobs
from meldpunt.vault.models import Role, StaffUser

from ..delivery import deliveries_prepare, deliveries_send, delivery_message_id, webhook_signature
from ..models import (
    PARTNER_SECRETS_KEY,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Forward,
    Partner,
)
from ..services import ForwardError
from .factories import forwarded, key_of, make_partner, usable_report_with_files
from .receivers import WebhookReceiver, smtp_server_start

pytestmark = pytest.mark.django_db

DETAIL = "Hij rijdt een wit busje en woont op de Kerkstraat."
PHONE = "06-12345678"
SECRET = "s" * 40


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English (Dutch is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def partner_tsk():
    return pysequoia.Tsk.generate("Ontvangst <ontvangst@politie.example>")


def public_key(tsk) -> str:
    return str(tsk.extract_certificate())


def decrypt(tsk, armored: bytes | str) -> bytes:
    data = armored.encode() if isinstance(armored, str) else armored
    return pysequoia.decrypt(data, tsk.decryptor()).bytes


@pytest.fixture
def world():
    category = make_category()

    class World:
        line = category.line
        analyst = make_staff(lines=[category.line])
        report = usable_report_with_files(
            category=category,
            holder=analyst,
            text=f"{DETAIL} Bel {PHONE}.",
            files=[
                IncomingFile(
                    source=io.BytesIO(pictures.jpeg(pictures.picture(51))),
                    name="busje-van-de-buurman.jpg",
                    question_key="files",
                )
            ],
        )
        photo = EvidenceFile.objects.get(attachment__report=report)
        cleaned = blobs.blob_read_all(key=key_of(report, analyst), name=photo.blob_name)

    return World


def _partner(world, tsk, **fields) -> Partner:
    partner = make_partner(
        lines=[world.line], members=0, openpgp_key=public_key(tsk), name="Recherche", **fields
    )
    partner.full_clean()
    return partner


def _forward(world, partner, capture, *, files=()) -> Forward:
    with capture(execute=True):
        [forward] = forwarded(
            report=world.report, actor=world.analyst, partners=[partner], files=files
        )
    forward.refresh_from_db()
    return forward


def _expired_key() -> str:
    tsk = pysequoia.Tsk.generate("Oud <oud@politie.example>", validity_seconds=1)
    cert = tsk.extract_certificate()
    while cert.expiration > timezone.now():
        time.sleep(0.1)
    return str(cert)


def _errors(**fields) -> dict:
    partner = Partner(name="P", kind="police", **fields)
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    return refused.value.message_dict


# -- the partner's channel settings -------------------------------------------------------------


def test_a_partner_key_that_cannot_be_used_is_refused_with_the_reason(partner_tsk):
    assert "not an OpenPGP public key" in _errors(openpgp_key="hello")["openpgp_key"][0]
    assert "private key" in _errors(openpgp_key=str(partner_tsk))["openpgp_key"][0]
    assert "expired on" in _errors(openpgp_key=_expired_key())["openpgp_key"][0]
    # Certificate without its encryption subkey (the last key and its binding).
    packets = list(packet.PacketPile.from_bytes(bytes(partner_tsk.extract_certificate())))
    signing_only = str(pysequoia.Cert.from_packets(packets[:-2]))
    assert "cannot encrypt" in _errors(openpgp_key=signing_only)["openpgp_key"][0]


def test_the_admin_form_shows_why_a_key_is_refused_and_saves_nothing():
    administrator = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=administrator.pk).update(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, administrator)
    form = {
        "name": "Recherche",
        "kind": "police",
        "is_active": "on",
        "fee_per_forward": "0.00",
        "delivery_channel": DeliveryChannel.EMAIL,
        "delivery_email": "ontvangst@politie.example",
        "openpgp_key": _expired_key(),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/staff/admin/network/partner/add/", form)
    assert response.status_code == 200
    assert "This OpenPGP key expired on" in response.content.decode()
    assert not Partner.objects.exists()


def test_each_channel_asks_for_what_it_needs(partner_tsk):
    errors = _errors(delivery_channel=DeliveryChannel.EMAIL)
    assert set(errors) >= {"openpgp_key", "delivery_email"}
    errors = _errors(
        delivery_channel=DeliveryChannel.WEBHOOK,
        openpgp_key=public_key(partner_tsk),
        webhook_url="http://partner.example/hook",
        webhook_secret="short",
    )
    assert "https://" in errors["webhook_url"][0]
    assert "32" in errors["webhook_secret"][0]
    assert (
        "https://"
        in _errors(
            delivery_channel=DeliveryChannel.WEBHOOK,
            openpgp_key=public_key(partner_tsk),
            webhook_url="ftp://partner.example/hook",
            webhook_secret=SECRET,
        )["webhook_url"][0]
    )
    for url in (
        "https://partner.example/hook",
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
    ):
        Partner(
            name="P",
            kind="police",
            delivery_channel=DeliveryChannel.WEBHOOK,
            openpgp_key=public_key(partner_tsk),
            webhook_url=url,
            webhook_secret=SECRET,
        ).full_clean()


# -- e-mail ----------------------------------------------------------------------------------------


def _attachment_checked(item: dict, cleaned: bytes) -> None:
    """A payload's file entry: the neutral name and exactly the cleaned bytes."""
    data = base64.b64decode(item["data"])
    assert (item["name"], item["media_type"]) == ("attachment-1.jpg", "image/jpeg")
    assert data == cleaned
    assert (item["size"], item["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def test_email_delivery_decrypts_with_the_partner_key_and_carries_the_redacted_text_and_files(
    world, partner_tsk, settings, django_capture_on_commit_callbacks
):
    controller, inbox = smtp_server_start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    try:
        partner = _partner(
            world,
            partner_tsk,
            delivery_channel=DeliveryChannel.EMAIL,
            delivery_email="ontvangst@politie.example",
        )
        forward = _forward(world, partner, django_capture_on_commit_callbacks, files=[world.photo])
    finally:
        controller.stop()

    [(recipients, raw)] = inbox.messages
    assert recipients == ["ontvangst@politie.example"]
    assert DETAIL.encode() not in raw and b"Kerkstraat" not in raw  # nothing in the clear
    assert b"busje-van-de-buurman" not in raw
    assert base64.b64encode(world.cleaned[:57]) not in raw  # the file neither
    message = email.message_from_bytes(raw, policy=email.policy.default)
    delivery = Delivery.objects.get(forward=forward)
    assert message["Message-ID"] == delivery_message_id(delivery)
    assert message.get_content_type() == "multipart/encrypted"
    control, encrypted = message.iter_parts()
    assert control.get_content_type() == "application/pgp-encrypted"
    inner = email.message_from_bytes(
        decrypt(partner_tsk, encrypted.get_content()), policy=email.policy.default
    )
    text = inner.get_body(("plain",)).get_content()
    assert DETAIL in text and PHONE not in text
    files = {part.get_filename(): part for part in inner.iter_attachments()}
    assert set(files) == {"attachment-1.jpg", "forward.json"}
    assert files["attachment-1.jpg"].get_content_type() == "image/jpeg"
    assert files["attachment-1.jpg"].get_content() == world.cleaned
    payload = json.loads(files["forward.json"].get_content())
    assert payload["forward"] == forward.pk and PHONE not in payload["text"]
    [item] = payload["attachments"]
    _attachment_checked(item, world.cleaned)
    assert forward.channel == DeliveryChannel.EMAIL
    assert forward.delivery_state == delivery.state == DeliveryState.DELIVERED
    assert not forward.notifications.exists()  # the e-mail itself is the delivery


# -- webhook ---------------------------------------------------------------------------------------


def _webhook_partner(world, tsk, server) -> Partner:
    return _partner(
        world,
        tsk,
        delivery_channel=DeliveryChannel.WEBHOOK,
        webhook_url=f"http://127.0.0.1:{server.server_address[1]}/meldpunt",
        webhook_secret=SECRET,
    )


def _stored_secret(partner: Partner) -> str:
    """The column as the database holds it (what a copy of the database shows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM network_partner WHERE id = %s", [partner.pk])
        return cursor.fetchone()[0]


def test_a_webhook_signing_secret_is_sealed_in_the_database(partner_tsk):
    """Partners' API tokens are kept hashed; this secret must be used again, so it is
    sealed under a shared file of the data directory that every machine and backup has."""
    partner = make_partner(webhook_secret=SECRET, members=0)
    stored = _stored_secret(partner)
    assert SECRET not in stored and SECRET.encode() not in base64.b64decode(stored)
    assert Partner.objects.get(pk=partner.pk).webhook_secret == SECRET
    assert f"{PARTNER_SECRETS_KEY}.secret" in shared_files()
    # Sealed anew on every save: equal secrets do not show as equal rows.
    again = make_partner(name="Politie Eenheid Noord", webhook_secret=SECRET, members=0)
    assert _stored_secret(again) != stored


def test_a_secret_whose_key_file_was_replaced_reads_as_empty_and_is_never_signed_with(
    world, partner_tsk, django_capture_on_commit_callbacks
):
    """A restore without partner-secrets-key.secret: partner pages keep working, no
    delivery is signed with an empty key, and entering the secret again mends it."""
    receiver = WebhookReceiver()
    server = receiver.start()
    try:
        partner = _webhook_partner(world, partner_tsk, server)
        key_file = shared_dir() / f"{PARTNER_SECRETS_KEY}.secret"
        key_file.write_text("00" * 32)
        assert Partner.objects.get(pk=partner.pk).webhook_secret == ""
        forward = _forward(world, partner, django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get(forward=forward)
        assert delivery.state != DeliveryState.DELIVERED
        assert "signing secret" in delivery.last_error
        # Entered again on the partner's page: sealed under the key now in place.
        partner.webhook_secret = SECRET
        partner.save()
        assert deliveries_send(now=timezone.now() + timedelta(hours=1)) == (1, 0)
    finally:
        server.shutdown()
    [accepted] = receiver.accepted.values()  # nothing reached it before, signed or not
    timestamp = accepted.headers["Meldpunt-Timestamp"]
    expected = webhook_signature(SECRET, timestamp, accepted.body)
    assert hmac.compare_digest(accepted.headers["Meldpunt-Signature"], expected)
    assert len(receiver.requests) == 1


def test_the_migration_seals_secrets_stored_in_the_clear_and_can_open_them_again():
    migration = importlib.import_module(
        "meldpunt.network.migrations.0011_partner_webhook_secret_sealed"
    )
    partner = make_partner(webhook_secret=SECRET, members=0)
    with connection.cursor() as cursor:  # as the column held it before the migration
        cursor.execute(
            "UPDATE network_partner SET webhook_secret = %s WHERE id = %s", [SECRET, partner.pk]
        )
    editor = SimpleNamespace(connection=connection)
    migration.seal_secrets(django_apps, editor)
    assert _stored_secret(partner) != SECRET
    assert Partner.objects.get(pk=partner.pk).webhook_secret == SECRET
    migration.open_secrets(django_apps, editor)
    assert _stored_secret(partner) == SECRET


def test_webhook_failing_twice_is_delivered_once_with_a_valid_signature(
    world, partner_tsk, django_capture_on_commit_callbacks
):
    receiver = WebhookReceiver(failures=2)
    server = receiver.start()
    try:
        partner = _webhook_partner(world, partner_tsk, server)
        # Attempt 1: 500.
        forward = _forward(world, partner, django_capture_on_commit_callbacks, files=[world.photo])
        delivery = Delivery.objects.get(forward=forward)
        assert (delivery.state, delivery.attempts) == (DeliveryState.QUEUED, 1)
        assert delivery.last_error.startswith("HTTP 500")
        later = timezone.now() + timedelta(hours=1)
        assert deliveries_send(now=later) == (0, 1)  # attempt 2: 500
        assert deliveries_send(now=later + timedelta(hours=1)) == (1, 0)  # attempt 3: 200
        assert deliveries_send(now=later + timedelta(days=1)) == (0, 0)  # nothing left to send
    finally:
        server.shutdown()

    assert [item.status for item in receiver.requests] == [500, 500, 200]
    keys = {item.headers["Idempotency-Key"] for item in receiver.requests}
    assert keys == {str(delivery.idempotency_key)}
    [accepted] = receiver.accepted.values()
    timestamp = accepted.headers["Meldpunt-Timestamp"]
    expected = webhook_signature(SECRET, timestamp, accepted.body)
    assert hmac.compare_digest(accepted.headers["Meldpunt-Signature"], expected)
    assert accepted.headers["Meldpunt-Signature"] != webhook_signature(
        "x" * 40, timestamp, accepted.body
    )
    envelope = json.loads(accepted.body)
    assert envelope["delivery"] == str(delivery.idempotency_key)
    assert DETAIL not in accepted.body.decode()
    payload = json.loads(decrypt(partner_tsk, envelope["encrypted"]))
    assert payload["format"] == "meldpunt.forward/1"
    assert DETAIL in payload["text"] and PHONE not in payload["text"]
    [item] = payload["attachments"]
    _attachment_checked(item, world.cleaned)
    forward.refresh_from_db()
    delivery.refresh_from_db()
    assert forward.delivery_state == delivery.state == DeliveryState.DELIVERED


def test_a_webhook_that_times_out_is_retried_then_failed_and_the_administrators_are_told(
    world, partner_tsk, settings, django_capture_on_commit_callbacks
):
    settings.NETWORK_WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.NETWORK_DELIVERY_MAX_ATTEMPTS = 2
    administrator = make_staff(role=Role.ADMINISTRATOR)
    administrator.email = "beheer@meldpunt.example"
    administrator.save(update_fields=["email"])
    receiver = WebhookReceiver(delay=3)
    server = receiver.start()
    try:
        partner = _webhook_partner(world, partner_tsk, server)
        forward = _forward(world, partner, django_capture_on_commit_callbacks)
        assert not mail.outbox
        assert deliveries_send(now=timezone.now() + timedelta(hours=1)) == (0, 1)
    finally:
        server.shutdown()
    delivery = Delivery.objects.get(forward=forward)
    forward.refresh_from_db()
    assert delivery.attempts == 2
    assert "no answer within 0.5 s" in delivery.last_error
    assert forward.delivery_state == delivery.state == DeliveryState.FAILED
    [alert] = mail.outbox
    assert alert.to == ["beheer@meldpunt.example"]
    assert "Recherche" in alert.body and DETAIL not in alert.body
    # Failed is final: the sweep does not try again.
    assert deliveries_send(now=timezone.now() + timedelta(days=2)) == (0, 0)

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, world.analyst)
    page = client.get(reverse("network:prepare", args=[world.report.pk])).content.decode()
    assert "Delivery failed" in page and "no answer within 0.5 s" in page


def test_a_duplicate_delivery_is_never_delivered_twice(
    world, partner_tsk, django_capture_on_commit_callbacks
):
    receiver = WebhookReceiver()
    server = receiver.start()
    try:
        partner = _webhook_partner(world, partner_tsk, server)
        forward = _forward(world, partner, django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get(forward=forward)
        # The task queued twice, and the sweep besides: nothing goes out again.
        assert deliveries_send(delivery_id=delivery.pk) == (0, 0)
        assert deliveries_send(now=timezone.now() + timedelta(days=1)) == (0, 0)
        # A second delivery row for the same forward and channel cannot exist.
        with pytest.raises(IntegrityError), transaction.atomic():
            deliveries_prepare(forward=forward, partner=partner, text="again", attachments=[])
    finally:
        server.shutdown()
    assert len(receiver.requests) == 1
    assert receiver.repeats == 0


def test_a_partner_key_that_expired_since_it_was_saved_refuses_the_forward(world):
    partner = make_partner(
        lines=[world.line],
        members=0,
        name="Recherche",
        delivery_channel=DeliveryChannel.EMAIL,
        delivery_email="ontvangst@politie.example",
        openpgp_key=_expired_key(),
    )
    with pytest.raises(ForwardError) as refused:
        forwarded(report=world.report, actor=world.analyst, partners=[partner])
    assert "Recherche cannot receive it" in refused.value.message
    assert "expired on" in refused.value.message
    assert not Forward.objects.exists() and not Delivery.objects.exists()
