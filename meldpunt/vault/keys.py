"""Staff key pairs and per-report data keys.

Design (after GlobaLeaks): each staff member has an X25519 key pair whose private
half is wrapped with a key derived from their password. Each report has a random
data key that is sealed once for every authorised staff member and once for the
reporter. Whoever holds no grant cannot read the report, whatever else they hold.
"""

from collections.abc import Iterable

import nacl.utils
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from nacl.public import PrivateKey

from meldpunt.lines.models import Line
from meldpunt.vault import crypto
from meldpunt.vault.models import DataKey, KeyGrant, StaffKey, StaffUser


class NoKeyError(Exception):
    """The user has no key pair, or holds no grant for this data key."""


def _wrapping_key(password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return crypto.derive_key(password.encode(), salt, opslimit=opslimit, memlimit=memlimit)


def _wrap(private_key: PrivateKey, password: str) -> dict:
    salt = nacl.utils.random(crypto.KDF_SALT_BYTES)
    opslimit, memlimit = settings.VAULT_KDF_OPSLIMIT, settings.VAULT_KDF_MEMLIMIT
    wrapped = crypto.encrypt(
        _wrapping_key(password, salt, opslimit, memlimit), bytes(private_key), context=b"staff-key"
    )
    return {
        "wrapped_private_key": wrapped,
        "kdf_salt": salt,
        "kdf_opslimit": opslimit,
        "kdf_memlimit": memlimit,
    }


def staff_key_create(*, user: StaffUser, password: str) -> StaffKey:
    """Give a user a fresh key pair; any earlier grants become unusable."""
    private_key = PrivateKey.generate()
    with transaction.atomic():
        KeyGrant.objects.filter(user=user).delete()
        key, _ = StaffKey.objects.update_or_create(
            user=user,
            defaults={"public_key": bytes(private_key.public_key), **_wrap(private_key, password)},
        )
    return key


def staff_key_unlock(*, user: StaffUser, password: str) -> PrivateKey:
    """Unwrap a user's private key with their password (at login)."""
    try:
        key = user.key
    except StaffKey.DoesNotExist as error:
        raise NoKeyError("user has no key pair") from error
    wrapping = _wrapping_key(password, bytes(key.kdf_salt), key.kdf_opslimit, key.kdf_memlimit)
    return PrivateKey(
        crypto.decrypt(wrapping, bytes(key.wrapped_private_key), context=b"staff-key")
    )


def staff_key_rewrap(*, user: StaffUser, old_password: str, new_password: str) -> None:
    """On a password change: same key pair, wrapped by the new password.

    Raises crypto.DecryptionError when old_password does not unwrap the key, so a
    wrong old password can never leave the key wrapped by something unknown.
    """
    private_key = staff_key_unlock(user=user, password=old_password)
    StaffKey.objects.filter(user=user).update(**_wrap(private_key, new_password))


def data_key_create(
    *,
    key_bytes: bytes,
    line: Line,
    recipients: Iterable[StaffUser],
    reporter_public_key: bytes | None = None,
) -> DataKey:
    """Store a data key (from crypto.new_data_key) sealed for staff members and the reporter.

    The key belongs to a line so that access follows line membership (vault.access).
    Staff members without a key pair get no grant: they cannot read the report
    until someone who can grants it to them.
    """
    data_key = DataKey.objects.create(line=line)
    grants = [
        KeyGrant(
            data_key=data_key,
            user_id=key.user_id,
            sealed_key=crypto.seal(bytes(key.public_key), key_bytes),
        )
        for key in StaffKey.objects.filter(user__in=list(recipients), user__is_active=True)
    ]
    if reporter_public_key is not None:
        grants.append(
            KeyGrant(
                data_key=data_key,
                is_reporter=True,
                sealed_key=crypto.seal(reporter_public_key, key_bytes),
            )
        )
    KeyGrant.objects.bulk_create(grants)
    return data_key


def data_key_open(
    *, data_key: DataKey, private_key: PrivateKey, user: StaffUser | None = None
) -> bytes:
    """Open a data key as a staff member (user given) or as the reporter (user None)."""
    grants = KeyGrant.objects.filter(data_key=data_key)
    grant = (grants.filter(user=user) if user else grants.filter(is_reporter=True)).first()
    return sealed_key_open(
        sealed_key=grant.sealed_key if grant is not None else None, private_key=private_key
    )


def reporter_sealed_key(data_key: OuterRef) -> Subquery:
    """The reporter's grant of the data key ``data_key`` refers to, as a subquery.

    Why: to read it with the row that names the data key, in one query, where a
    reporter opens the key on every request (the chat); open it with sealed_key_open.
    """
    return Subquery(
        KeyGrant.objects.filter(data_key=data_key, is_reporter=True).values("sealed_key")[:1]
    )


def sealed_key_open(*, sealed_key: bytes | memoryview | None, private_key: PrivateKey) -> bytes:
    """Open a grant's sealed key; None (no grant for this holder) raises NoKeyError."""
    if sealed_key is None:
        raise NoKeyError("no grant for this holder")
    return crypto.unseal(private_key, bytes(sealed_key))


def data_key_grant(*, data_key: DataKey, key_bytes: bytes, users: Iterable[StaffUser]) -> int:
    """Seal an already opened data key for more staff members; returns how many were added."""
    existing = set(data_key.grants.filter(user__isnull=False).values_list("user_id", flat=True))
    grants = [
        KeyGrant(
            data_key=data_key,
            user_id=key.user_id,
            sealed_key=crypto.seal(bytes(key.public_key), key_bytes),
        )
        for key in StaffKey.objects.filter(user__in=list(users)).exclude(user_id__in=existing)
    ]
    KeyGrant.objects.bulk_create(grants)
    return len(grants)


def data_key_revoke(*, data_key: DataKey, user: StaffUser) -> None:
    KeyGrant.objects.filter(data_key=data_key, user=user).delete()


def data_key_destroy(*, data_key: DataKey) -> None:
    """Crypto-shred: with every sealed copy gone, the ciphertext can never be opened."""
    data_key.grants.all().delete()
    data_key.destroyed_at = timezone.now()
    data_key.save(update_fields=["destroyed_at"])
