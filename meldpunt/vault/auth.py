"""Staff sign-in: password (which also unlocks the private key), then a TOTP code
or one of the account's single-use recovery codes; re-authentication later on.

The private key is unlocked with the password at sign-in and kept for the
session through sessionsecrets; it is never written anywhere in the clear.
Lock-out counts failures per account, so nothing about the client is stored.
"""

from datetime import timedelta

from django.contrib.auth import authenticate
from django.db.models import F
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from nacl.public import PrivateKey

from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import NoKeyError, staff_key_create, staff_key_unlock
from meldpunt.vault.models import StaffUser

MAX_FAILURES = 5
LOCK_MINUTES = 15
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 8  # django-otp's StaticToken.random_token(): 40 bits, base32


class SignInError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def account_is_locked(user: StaffUser) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


def sign_in_failure(*, user: StaffUser, reason: str) -> None:
    """Count a failure and lock the account after MAX_FAILURES in a row."""
    StaffUser.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count"])
    if user.failed_login_count >= MAX_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=LOCK_MINUTES)
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        audit_record(actor=user, action="account.locked", target=user, details={"reason": reason})
    else:
        audit_record(
            actor=user, action="account.sign_in_failed", target=user, details={"reason": reason}
        )


def password_check(*, username: str, password: str) -> tuple[StaffUser, PrivateKey]:
    """First factor. Returns the user and their unlocked private key."""
    user = StaffUser.objects.filter(username=username).first()
    if user is not None and account_is_locked(user):
        raise SignInError("locked")
    authenticated = authenticate(username=username, password=password)
    if authenticated is None:
        if user is not None:
            sign_in_failure(user=user, reason="password")
        raise SignInError("invalid")
    try:
        private_key = staff_key_unlock(user=authenticated, password=password)
    except NoKeyError:
        # First sign-in after the account was made: the key pair is made now,
        # wrapped by the password only this person knows.
        staff_key_create(user=authenticated, password=password)
        private_key = staff_key_unlock(user=authenticated, password=password)
    except crypto.DecryptionError as error:
        audit_record(actor=authenticated, action="account.key_unlock_failed", target=authenticated)
        raise SignInError("key_mismatch") from error
    return authenticated, private_key


def confirmed_device(user: StaffUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _recovery_device(user: StaffUser, code: str) -> StaticDevice | None:
    """The recovery-code device that accepts code (and forgets it), if any."""
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def second_factor_check(*, user: StaffUser, device: TOTPDevice, token: str) -> Device:
    """Second factor: a code from the app, or (once enrolled) a single-use recovery code.

    Returns the device that accepted the token, for django_otp.login. On success
    the failure count is reset.
    """
    if account_is_locked(user):
        raise SignInError("locked")
    token = token.strip().replace(" ", "").replace("-", "").lower()
    accepted: Device | None = None
    if token.isdigit():
        accepted = device if device.verify_token(token) else None
    elif device.confirmed and len(token) == RECOVERY_CODE_LENGTH:
        accepted = _recovery_device(user, token)
        if accepted is not None:
            audit_record(actor=user, action="account.recovery_code_used", target=user)
    if accepted is None:
        sign_in_failure(user=user, reason="totp")
        raise SignInError("invalid_code")
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    StaffUser.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=user, action="account.signed_in", target=user)
    return accepted


def password_reconfirm(*, user: StaffUser, password: str) -> PrivateKey:
    """Re-authentication before a sensitive action: the password again, counted like sign-in.

    Returns the freshly unlocked private key, so the session's copy is renewed too.
    """
    if account_is_locked(user):
        raise SignInError("locked")
    if not user.check_password(password):
        sign_in_failure(user=user, reason="reauthentication")
        raise SignInError("invalid_password")
    try:
        private_key = staff_key_unlock(user=user, password=password)
    except (NoKeyError, crypto.DecryptionError) as error:
        audit_record(actor=user, action="account.key_unlock_failed", target=user)
        raise SignInError("key_mismatch") from error
    StaffUser.objects.filter(pk=user.pk).update(failed_login_count=0)
    audit_record(actor=user, action="account.reauthenticated", target=user)
    return private_key
