"""Accounts and set-up steps of ``meldpunt demo`` that other apps share.

The demo command lives here, in the back office; apps above it (the
forwarding network) add their own demonstration data by registering a step
from their ``AppConfig.ready()``, so nothing here imports them.
"""

import secrets
from collections.abc import Callable
from typing import TextIO

from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.vault.keys import staff_key_create
from meldpunt.vault.models import StaffUser

_steps: list[Callable[[TextIO], None]] = []


def demo_step_register(step: Callable[[TextIO], None]) -> None:
    """Have ``meldpunt demo`` run ``step(stdout)`` after the lines and staff exist."""
    if step not in _steps:
        _steps.append(step)


def demo_steps() -> list[Callable[[TextIO], None]]:
    return list(_steps)


def demo_account_create(
    *, username: str, role: str, is_admin: bool = False, stdout: TextIO
) -> StaffUser:
    """An account with a key pair and a second factor; its credentials are printed once."""
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    user = StaffUser.objects.create_user(
        username=username, password=password, role=role, is_staff=is_admin, is_superuser=is_admin
    )
    staff_key_create(user=user, password=password)
    device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    secret = device.config_url.split("secret=")[1].split("&")[0]
    stdout.write(f"  user={username} password={password} totp_secret={secret} role={role}\n")
    return user
