"""Mailbox tokens: the API's stand-in for the web mailbox's session.

Opening a mailbox costs one Argon2id derivation of the receipt. Instead of
asking for the receipt (and paying that cost) on every call, the API hands out
a short-lived bearer token that itself carries what the derivation yielded:
the report id and the report's data key, encrypted and authenticated under a
key derived from SECRET_KEY, together with its expiry. The server stores
nothing, so a copy of the database holds neither receipts nor keys nor tokens.
A token cannot be revoked before it expires (except by changing SECRET_KEY);
that is why it lives only as long as a web session.
"""

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from meldpunt.intake.models import Report
from meldpunt.intake.services import MailboxAccess
from meldpunt.vault import crypto

PREFIX = "mp1."
_CONTEXT = b"mailbox-token-v1"
_HEADER = struct.Struct(">QQ")  # report id, expiry as Unix seconds


class TokenRejected(Exception):
    """The token is garbled, forged, for another installation, or its report is gone."""


class TokenExpired(TokenRejected):
    """The token was genuine but has expired; open the mailbox again with the receipt."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def _token_key() -> bytes:
    return crypto.subkey(settings.SECRET_KEY.encode(), b"mp-mailbox-token")


def token_lifetime() -> timedelta:
    """As long as a reporter's web session: both stand for one visit to the mailbox."""
    return timedelta(seconds=settings.SESSION_COOKIE_AGE)


def mailbox_token_issue(*, access: MailboxAccess) -> IssuedToken:
    expires_at = (timezone.now() + token_lifetime()).replace(microsecond=0)
    payload = _HEADER.pack(access.report.pk, int(expires_at.timestamp())) + access.key_bytes
    sealed = crypto.encrypt(_token_key(), payload, context=_CONTEXT)
    token = PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")
    return IssuedToken(token=token, expires_at=expires_at)


def mailbox_token_open(token: str) -> MailboxAccess:
    """The mailbox a token opens; raises TokenExpired or TokenRejected."""
    if not token.startswith(PREFIX):
        raise TokenRejected
    encoded = token.removeprefix(PREFIX)
    try:
        sealed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        payload = crypto.decrypt(_token_key(), sealed, context=_CONTEXT)
    except (binascii.Error, ValueError, crypto.DecryptionError) as error:
        raise TokenRejected from error
    if len(payload) != _HEADER.size + crypto.DATA_KEY_BYTES:
        raise TokenRejected
    report_id, expires = _HEADER.unpack(payload[: _HEADER.size])
    if datetime.fromtimestamp(expires, tz=UTC) <= timezone.now():
        raise TokenExpired
    report = (
        Report.objects.select_related("line", "category")
        .filter(pk=report_id, destroyed_at__isnull=True)
        .first()
    )
    if report is None:
        raise TokenRejected
    return MailboxAccess(report=report, key_bytes=payload[_HEADER.size :])
