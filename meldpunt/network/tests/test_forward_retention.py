"""Issue 13, item 7: a partner's copies are destroyed after the partner's retention period.

Text, files and key go, and the copy encrypted to the partner's OpenPGP key for
e-mail or webhook; the row stays as a stub (date, partner, report) that
billing counts. Not a moment before the period ends.
"""

import io
from datetime import timedelta

import pysequoia
import pytest
from django.core.files.storage import storages
from django.test import Client, override_settings
from django.urls import reverse

from meldpunt.cases.models import Case
from meldpunt.cases.services import case_claim, case_triage
from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault.models import AuditEvent, KeyGrant

from ..delivery import deliveries_send
from ..models import Delivery, DeliveryChannel, DeliveryState, Forward, ForwardFile
from ..retention import DESTROYED_BEFORE_DELIVERY, forwards_purge
from ..services import forward_create, forward_draft_current
from ..tasks import purge_expired_forwards
from .factories import key_of, make_partner

pytestmark = pytest.mark.django_db


def _forward(*, retention_days: int | None, **partner_fields) -> Forward:
    category = make_category()
    analyst = make_staff(lines=[category.line])
    partner = make_partner(
        lines=[category.line], forward_retention_days=retention_days, **partner_fields
    )
    report = report_submit(
        category=category,
        answers={"what": "Er staat elke nacht een wit busje bij de loods."},
        questions={"what": "Wat?"},
        files=[IncomingFile(source=io.BytesIO(b"tijden en kenteken\n"), name="notities.txt")],
    ).report
    case_claim(report=report, actor=analyst, version=0)
    case_triage(report=report, actor=analyst, version=1, outcome="usable")
    key_bytes = key_of(report, analyst)
    draft = forward_draft_current(report=report, actor=analyst, key_bytes=key_bytes)
    (forward,) = forward_create(
        report=report,
        partners=[partner],
        actor=analyst,
        key_bytes=key_bytes,
        draft_version=draft.version,
        case_version=Case.objects.get(report=report).version,
        files=list(EvidenceFile.objects.filter(attachment__report=report)),
    )
    return forward


def test_a_forward_is_destroyed_after_its_partners_period_and_not_before():
    forward = _forward(retention_days=30)
    member = forward.partner.memberships.get().user
    blob_name = ForwardFile.objects.get(forward=forward).blob_name
    assert storages["blobs"].exists(blob_name)

    assert forwards_purge(now=forward.created_at + timedelta(days=30, seconds=-1)) == []
    forward.refresh_from_db()
    assert forward.destroyed_at is None and bytes(forward.sealed_body)
    assert storages["blobs"].exists(blob_name)

    moment = forward.created_at + timedelta(days=30)
    assert forwards_purge(now=moment) == [forward.pk]
    forward.refresh_from_db()
    # Gone: the text, the files (rows and blobs) and every sealed copy of the key.
    assert forward.destroyed_at == moment and bytes(forward.sealed_body) == b""
    assert not ForwardFile.objects.filter(forward=forward).exists()
    assert not storages["blobs"].exists(blob_name)
    assert not KeyGrant.objects.filter(data_key=forward.data_key).exists()
    assert forward.data_key.destroyed_at is not None
    # Kept: the stub billing counts (date, partner, the report's line and category).
    assert forward.partner.forwards.filter(created_at__lt=moment).count() == 1
    assert forward.report.category_id is not None
    event = AuditEvent.objects.get(action="forward.destroyed")
    assert event.details == {"partner": forward.partner_id, "files": 1}
    # Idempotent, and the partner's member finds nothing any more.
    assert forwards_purge(now=moment + timedelta(days=1)) == []
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, member)
    assert client.get(reverse("partner:forward", args=[forward.pk])).status_code == 404
    assert client.get(reverse("partner:file", args=[forward.pk, 1])).status_code == 404
    inbox = client.get(reverse("partner:inbox")).content.decode()
    assert reverse("partner:forward", args=[forward.pk]) not in inbox


@override_settings(NETWORK_FORWARD_RETENTION_DAYS=7)
def test_a_partner_without_its_own_period_follows_the_setting_through_the_periodic_task():
    forward = _forward(retention_days=None)
    assert forwards_purge(now=forward.created_at + timedelta(days=6)) == []
    Forward.objects.filter(pk=forward.pk).update(created_at=forward.created_at - timedelta(days=7))
    with override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    ):
        result = purge_expired_forwards.enqueue()
    assert result.return_value == 1
    forward.refresh_from_db()
    assert forward.destroyed_at is not None


@pytest.mark.parametrize("state", [DeliveryState.DELIVERED, DeliveryState.QUEUED])
def test_the_copy_encrypted_for_e_mail_goes_too_and_a_waiting_one_is_never_sent(state):
    key = pysequoia.Tsk.generate("Ontvangst <ontvangst@politie.example>")
    forward = _forward(
        retention_days=30,
        delivery_channel=DeliveryChannel.EMAIL,
        delivery_email="ontvangst@politie.example",
        openpgp_key=str(key.extract_certificate()),
    )
    # The text and the file, encrypted to the partner's key when it was forwarded.
    delivery = Delivery.objects.get(forward=forward)
    opened = pysequoia.decrypt(bytes(delivery.ciphertext), key.decryptor()).bytes
    assert b"notities" not in opened and b"attachment-1.txt" in opened
    Delivery.objects.filter(pk=delivery.pk).update(state=state)

    moment = forward.created_at + timedelta(days=30)
    assert forwards_purge(now=moment) == [forward.pk]
    delivery.refresh_from_db()
    forward.refresh_from_db()
    assert bytes(delivery.ciphertext) == b""
    if state == DeliveryState.QUEUED:
        assert delivery.state == forward.delivery_state == DeliveryState.FAILED
        assert delivery.last_error == DESTROYED_BEFORE_DELIVERY
    else:
        assert delivery.state == DeliveryState.DELIVERED and not delivery.last_error
    assert deliveries_send(now=moment + timedelta(days=1)) == (0, 0)
