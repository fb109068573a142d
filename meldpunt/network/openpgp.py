"""Partner OpenPGP keys: checked when saved and again at forward time, and encryption to them.

Every e-mail and webhook delivery is encrypted to the partner's public key with
Sequoia (``pysequoia``). Sequoia encrypts to a certificate even after it expired,
so the checks here are ours: a key is usable when it parses as a public
certificate, is not revoked, its primary key has not expired, and it has an
encryption-capable (sub)key whose own binding has not expired either.
"""

from datetime import datetime

import pysequoia
from django.utils import formats
from django.utils.translation import gettext as _
from pysequoia import packet

_KEY_TAGS = (packet.Tag.PublicKey, packet.Tag.PublicSubkey)
# Sequoia's enums are not hashable: tuples, compared with ==.
_BINDINGS = (
    packet.SignatureType.DirectKey,
    packet.SignatureType.SubkeyBinding,
    packet.SignatureType.PositiveCertification,
    packet.SignatureType.CasualCertification,
    packet.SignatureType.PersonaCertification,
    packet.SignatureType.GenericCertification,
)


class KeyRefused(ValueError):
    """A key that cannot be used; ``message`` says why, for the administrator or analyst."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _day(moment: datetime) -> str:
    return formats.date_format(moment, "j F Y")


_SECRET_TAGS = (packet.Tag.SecretKey, packet.Tag.SecretSubkey)


def _certificate(armored: str) -> pysequoia.Cert:
    try:
        data = armored.strip().encode()
        cert = pysequoia.Cert.from_bytes(data)
        is_secret = any(item.tag in _SECRET_TAGS for item in packet.PacketPile.from_bytes(data))
    except (RuntimeError, ValueError, UnicodeError):
        # Sequoia's own message (with a Rust backtrace) helps nobody filling in a form.
        raise KeyRefused(
            _("This is not an OpenPGP public key. Paste the whole ASCII-armored block.")
        ) from None
    if is_secret:
        raise KeyRefused(
            _("This is a private key. Paste only the partner's public key; never keep theirs.")
        )
    return cert


def _encryption_key_until(cert: pysequoia.Cert) -> tuple[bool, datetime | None]:
    """Whether a key with encryption flags exists, and the latest moment one is valid.

    Each (sub)key counts with its newest binding signature; ``None`` as the
    moment means one never expires.
    """
    found, latest = False, None
    # Keyed by the key's position: keys made together share their creation time.
    created_at: list[datetime] = []
    newest: dict[int, object] = {}
    for item in packet.PacketPile.from_bytes(bytes(cert)):
        if item.tag in _KEY_TAGS:
            created_at.append(item.key_created)
        elif item.tag == packet.Tag.Signature and item.signature_type in _BINDINGS and created_at:
            index = len(created_at) - 1
            previous = newest.get(index)
            if previous is None or item.signature_created >= previous.signature_created:
                newest[index] = item
    for index, signature in newest.items():
        flags = signature.key_flags
        if flags is None or not (flags.transport_encryption or flags.storage_encryption):
            continue
        found = True
        period = signature.key_validity_period
        if period is None:
            return True, None
        until = created_at[index] + period
        latest = until if latest is None else max(latest, until)
    return found, latest


def openpgp_key_check(armored: str, *, now: datetime) -> None:
    """Raise KeyRefused, with a message that says why, unless ``armored`` is usable at ``now``."""
    cert = _certificate(armored)
    if cert.is_revoked:
        raise KeyRefused(_("This OpenPGP key has been revoked; ask the partner for a new one."))
    if cert.expiration is not None and cert.expiration <= now:
        raise KeyRefused(
            _("This OpenPGP key expired on %(day)s; ask the partner for a new one.")
            % {"day": _day(cert.expiration)}
        )
    can_encrypt, until = _encryption_key_until(cert)
    if not can_encrypt:
        raise KeyRefused(
            _("This OpenPGP key cannot encrypt (it has no encryption subkey); it is of no use.")
        )
    if until is not None and until <= now:
        raise KeyRefused(
            _("The encryption subkey of this OpenPGP key expired on %(day)s; ask for a new key.")
            % {"day": _day(until)}
        )


def openpgp_encrypt(armored: str, data: bytes) -> bytes:
    """``data`` encrypted to the key (armored OpenPGP message); check the key first."""
    return pysequoia.encrypt(data, [_certificate(armored)])
