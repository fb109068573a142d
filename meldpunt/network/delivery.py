"""Forwards delivered outside the portal: OpenPGP-encrypted e-mail and a signed webhook.

The plaintext of a forward exists only in the analyst's request. There the
payload is built and encrypted to the partner's OpenPGP key at once
(``deliveries_prepare``, called by ``services.forward_create``); a ``Delivery``
row keeps the ciphertext, and the worker that sends it never sees anything it
could read.

Sending (``deliveries_send``) locks one row at a time, sends, and marks it in
the same transaction. A worker killed between sending and marking leaves the
row queued, so it is sent again: delivery is at least once. Every attempt
carries the delivery's fixed ``idempotency_key`` (the webhook's
``Idempotency-Key`` header, the e-mail's Message-ID), so a receiver that
remembers the keys it has seen takes every forward exactly once. Failures are
retried with growing pauses; after ``NETWORK_DELIVERY_MAX_ATTEMPTS`` the
delivery is failed and the administrators are told by e-mail.
"""

import base64
import email.message
import email.policy
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldpunt.vault.models import Role, StaffUser

from .attachments import Attachment
from .channels import webhook_url_check
from .conf import network_setting
from .models import Delivery, DeliveryChannel, DeliveryState, Forward, Partner
from .openpgp import openpgp_encrypt

logger = logging.getLogger(__name__)

PAYLOAD_FORMAT = "meldpunt.forward/1"
SIGNATURE_HEADER = "Meldpunt-Signature"
TIMESTAMP_HEADER = "Meldpunt-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DELIVERY_MAX_PAUSE = timedelta(hours=6)
# What is kept of a webhook's answer: enough for an error message, never a flood.
_ANSWER_BYTES = 1024


def delivery_payload_build(
    forward: Forward, *, text: str, attachments: Sequence[Attachment]
) -> dict:
    """The forward as the partner receives it (the format is in docs/forwarding.md).

    ``text`` is the redacted text; it and the files are only ever passed in by
    the request that forwards, never read back from storage.
    """
    report = forward.report
    return {
        "format": PAYLOAD_FORMAT,
        "forward": forward.pk,
        "partner": forward.partner.name,
        "line": report.line.title,
        "category": report.category.title if report.category_id else "",
        "forwarded_at": forward.created_at.isoformat(),
        "text": text,
        "attachments": [
            {
                "name": attachment.name,
                "media_type": attachment.media_type,
                "size": len(attachment.data),
                "sha256": hashlib.sha256(attachment.data).hexdigest(),
                "data": base64.b64encode(attachment.data).decode(),
            }
            for attachment in attachments
        ],
    }


def _mail_content(payload: dict) -> bytes:
    """The inner (to be encrypted) MIME message: the text, each file, and the payload as JSON."""
    with translation.override("nl"):
        heading = "\n".join(
            f"{label}: {value}"
            for label, value in (
                (_("Number"), payload["forward"]),
                (_("Line"), payload["line"]),
                (_("Category"), payload["category"]),
            )
        )
    inner = email.message.EmailMessage(policy=email.policy.default)
    inner.set_content(f"{heading}\n\n{payload['text']}\n")
    for item in payload["attachments"]:
        maintype, _slash, subtype = item["media_type"].partition("/")
        inner.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=item["name"],
        )
    inner.add_attachment(
        json.dumps(payload).encode(),
        maintype="application",
        subtype="json",
        filename="forward.json",
    )
    return inner.as_bytes()


def deliveries_prepare(
    *, forward: Forward, partner: Partner, text: str, attachments: Sequence[Attachment]
) -> Delivery | None:
    """Encrypt the forward for the partner's channel; None for portal partners.

    Called inside the forwarding transaction: if encryption fails, nothing is
    forwarded. The caller queues the send after the commit.
    """
    channel = partner.delivery_channel
    if channel == DeliveryChannel.PORTAL:
        return None
    payload = delivery_payload_build(forward, text=text, attachments=attachments)
    plaintext = (
        _mail_content(payload) if channel == DeliveryChannel.EMAIL else json.dumps(payload).encode()
    )
    return Delivery.objects.create(
        forward=forward, channel=channel, ciphertext=openpgp_encrypt(partner.openpgp_key, plaintext)
    )


def delivery_message_id(delivery: Delivery) -> str:
    """The same Message-ID for every attempt, so a mailbox can drop a repeat."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "meldpunt.invalid"
    return f"<delivery-{delivery.idempotency_key}@{domain}>"


class _PgpMimeMessage(DjangoEmailMessage):
    """Django's mail sending (settings, SMTP connection, headers) with an RFC 3156 body.

    The body is multipart/encrypted: a version part and the OpenPGP message as
    it was stored at forward time.
    """

    def __init__(self, *, ciphertext: bytes, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ciphertext = ciphertext

    def _add_bodies(self, msg: email.message.EmailMessage) -> None:
        control = email.message.MIMEPart(policy=msg.policy)
        control.set_content(b"Version: 1\n", "application", "pgp-encrypted", cte="7bit")
        control["Content-Description"] = "PGP/MIME version identification"
        encrypted = email.message.MIMEPart(policy=msg.policy)
        encrypted.set_content(
            self.ciphertext,
            "application",
            "octet-stream",
            cte="7bit",
            disposition="inline",
            filename="encrypted.asc",
        )
        msg["MIME-Version"] = "1.0"
        msg["Content-Type"] = 'multipart/encrypted; protocol="application/pgp-encrypted"'
        msg.set_payload([control, encrypted])

    def _add_attachments(self, msg: email.message.EmailMessage) -> None:
        """Files travel inside the encrypted part, never beside it."""


def _mail_send(delivery: Delivery, partner: Partner) -> None:
    """Send the stored OpenPGP message as PGP/MIME, under a subject that says nothing."""
    _PgpMimeMessage(
        ciphertext=bytes(delivery.ciphertext),
        subject=_("Forwarded report") + f" ({delivery.forward_id})",
        to=[partner.delivery_email],
        headers={"Message-ID": delivery_message_id(delivery)},
    ).send()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body`` under the shared secret."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class DeliveryFailed(Exception):
    """One attempt that did not deliver; the message is kept on the delivery."""


def _webhook_send(delivery: Delivery, partner: Partner) -> None:
    """POST the encrypted envelope; any 2xx answer counts as delivered, nothing else."""
    if not partner.webhook_secret:  # never signed with an empty key (fields.py)
        raise DeliveryFailed("no webhook signing secret: enter it again on the partner's page")
    address = webhook_url_check(partner.webhook_url)
    body = json.dumps(
        {
            "format": PAYLOAD_FORMAT,
            "delivery": str(delivery.idempotency_key),
            "encrypted": bytes(delivery.ciphertext).decode("ascii"),
        }
    ).encode()
    timestamp = str(int(time.time()))
    seconds = network_setting("NETWORK_WEBHOOK_TIMEOUT_SECONDS")
    after_host = address.url.split("//", 1)[1]
    path = after_host[after_host.find("/") :] if "/" in after_host else "/"
    connection_class = (
        http.client.HTTPSConnection if address.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(address.host, address.port, timeout=seconds)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "meldpunt-delivery/1",
                IDEMPOTENCY_HEADER: str(delivery.idempotency_key),
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: webhook_signature(partner.webhook_secret, timestamp, body),
            },
        )
        response = connection.getresponse()
        answer = response.read(_ANSWER_BYTES)
    except TimeoutError:
        raise DeliveryFailed(f"no answer within {seconds} s") from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        text = answer.decode("utf-8", "replace").strip()
        raise DeliveryFailed(f"HTTP {response.status} {text}".strip())


_SENDERS = {DeliveryChannel.EMAIL: _mail_send, DeliveryChannel.WEBHOOK: _webhook_send}


def _administrators_alert(delivery: Delivery, partner: Partner) -> None:
    """Mail the administrators that a delivery was given up; nothing of the forward's content."""
    addresses = list(
        StaffUser.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        logger.error("Delivery %d failed and no administrator has an address.", delivery.pk)
        return
    with translation.override("nl"):
        subject = _("Delivery of a forward failed")
        body = _(
            "The forward %(forward)d to %(partner)s could not be delivered by %(channel)s "
            "after %(attempts)d attempts. Last error: %(error)s\n\nThe analyst sees this on the "
            "case; contact the partner or change its delivery settings and forward again."
        ) % {
            "forward": delivery.forward_id,
            "partner": partner.name,
            "channel": delivery.get_channel_display(),
            "attempts": delivery.attempts,
            "error": delivery.last_error,
        }
    try:
        send_mail(subject, body, None, addresses)
    except Exception:  # noqa: BLE001 - the failure itself is recorded on the delivery
        logger.exception(
            "Delivery %d failed; the alert to the administrators failed too.", delivery.pk
        )


def _mark_failed_attempt(delivery: Delivery, error: str, now: datetime) -> bool:
    """Record a failed attempt; True when it was the last one."""
    delivery.attempts += 1
    delivery.last_error = error[:200]
    base = network_setting("NETWORK_DELIVERY_RETRY_SECONDS")
    delivery.next_attempt_at = now + min(
        timedelta(seconds=base * 2 ** (delivery.attempts - 1)), DELIVERY_MAX_PAUSE
    )
    is_last = delivery.attempts >= network_setting("NETWORK_DELIVERY_MAX_ATTEMPTS")
    if is_last:
        delivery.state = DeliveryState.FAILED
        Forward.objects.filter(pk=delivery.forward_id).update(delivery_state=DeliveryState.FAILED)
    delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "state"])
    return is_last


def deliveries_send(
    *, delivery_id: int | None = None, now: datetime | None = None
) -> tuple[int, int]:
    """Send the due deliveries (one, or all); returns (delivered, failed attempts).

    Each is sent in its own transaction with its row locked (skipped while
    another worker holds it) and marked before the commit.
    """
    now = now or timezone.now()
    due = Delivery.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
    if delivery_id is not None:
        due = due.filter(pk=delivery_id)
    delivered = failed = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=DeliveryState.QUEUED)
                .first()
            )
            if delivery is None:
                continue
            partner = Partner.objects.get(forwards__pk=delivery.forward_id)
            try:
                _SENDERS[DeliveryChannel(delivery.channel)](delivery, partner)
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                message = (
                    str(error)
                    if isinstance(error, DeliveryFailed)
                    else (f"{type(error).__name__}: {error}")
                )
                failed += 1
                if _mark_failed_attempt(delivery, message, now):
                    _administrators_alert(delivery, partner)
            else:
                delivery.state = DeliveryState.DELIVERED
                delivery.delivered_at = now
                delivery.save(update_fields=["state", "delivered_at"])
                Forward.objects.filter(pk=delivery.forward_id).update(
                    delivery_state=DeliveryState.DELIVERED
                )
                delivered += 1
    return delivered, failed
