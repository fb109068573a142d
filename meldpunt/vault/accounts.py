"""Changes to staff accounts that touch their keys: password change, reset, recovery codes.

A password is also the key that unwraps the private key, so changing it must
re-wrap the key in the same transaction, and an administrator (who does not know
the old password) can only give the account a new key pair. See docs/security.md.
"""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.vault.audit import audit_record
from meldpunt.vault.auth import RECOVERY_CODE_COUNT, account_is_locked, sign_in_failure
from meldpunt.vault.keys import NoKeyError, staff_key_create, staff_key_rewrap
from meldpunt.vault.models import StaffUser


def staff_password_change(*, user: StaffUser, old_password: str, new_password: str) -> None:
    """Replace the password and re-wrap the same key pair with it.

    Raises ValidationError keyed by form field (old_password, new_password1) when
    the old password is wrong or the new one fails the password policy. A wrong
    old password counts as a failed sign-in, so a borrowed session cannot be used
    to guess it.
    """
    if account_is_locked(user):
        raise ValidationError({"old_password": _("This account is locked for a while.")})
    if not user.check_password(old_password):
        sign_in_failure(user=user, reason="password_change")
        raise ValidationError({"old_password": _("Your current password is not right.")})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.messages}) from error
    with transaction.atomic():
        try:
            staff_key_rewrap(user=user, old_password=old_password, new_password=new_password)
        except NoKeyError:
            staff_key_create(user=user, password=new_password)
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(actor=user, action="account.password_changed", target=user)


def temporary_password() -> str:
    """A random password to hand over once; 96 bits, readable aloud in groups."""
    return "-".join(secrets.token_hex(3) for _ in range(4))


@transaction.atomic
def staff_reset(*, user: StaffUser, actor: StaffUser | None, reset_two_factor: bool) -> str:
    """Administrator reset: a temporary password and a NEW key pair; returns the password.

    The old private key cannot be recovered without the old password, so all grants
    sealed for it are deleted: the person reads only what is shared with the new key,
    i.e. reports that arrive after the reset or that a colleague re-shares
    (vault.access.line_access_grant). The account must choose its own password at the
    next sign-in. With reset_two_factor the authenticator and recovery codes are
    removed too and the person enrols again.
    """
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    user.save(
        update_fields=["password", "must_change_password", "failed_login_count", "locked_until"]
    )
    staff_key_create(user=user, password=password)
    if reset_two_factor:
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="account.reset",
        target=user,
        details={"two_factor_reset": reset_two_factor},
    )
    return password


@transaction.atomic
def recovery_codes_create(*, user: StaffUser) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new single-use ones.

    The codes are shown once; django-otp keeps them in the database so it can
    check them. They are a second factor only: without the password they open no key.
    """
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(actor=user, action="account.recovery_codes_created", target=user)
    return codes


def recovery_codes_left(user: StaffUser) -> int:
    return StaticToken.objects.filter(device__user=user).count()
