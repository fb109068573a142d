"""Repeat the attacks on the admin and the audit log of issue 10 and print what held.

    .venv/bin/python benchmarks/attack_admin.py

Starts the app on a fresh SQLite database in a temporary data directory (deleted
afterwards) and talks to it through Django's test client, so every middleware,
the sessions and the real password hasher (Argon2id, Django's defaults) take
part; the network does not. Each attack prints "held" or "BROKEN" with what was
seen; the exit status is the number of attacks that got through. Written against
plain URLs and the ``audit verify`` command only, so it runs on older code too.
"""

import logging
import os
import sys
import tempfile
import time
from io import StringIO

DATA_DIR = tempfile.mkdtemp(prefix="meldpunt-attack-admin-")
os.environ["MELDPUNT_DATA_DIR"] = DATA_DIR
os.environ.pop("DATABASE_URL", None)

from _setup import django_setup  # noqa: E402 - the data directory must be set first

django_setup("attack-admin")

from django.core.management import CommandError, call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from meldpunt.testing import PASSWORD, current_totp, make_staff  # noqa: E402
from meldpunt.vault import crypto  # noqa: E402
from meldpunt.vault.keys import NoKeyError, staff_key_unlock  # noqa: E402
from meldpunt.vault.models import AuditEvent, Role, StaffUser  # noqa: E402

ADMIN = "/staff/admin/"
NEW_PASSWORD = "a much longer new passphrase 7"  # noqa: S105 - a throw-away account
results: list[tuple[str, bool, str]] = []


def report(attack: str, held: bool, seen: str) -> None:
    results.append((attack, held, seen))
    print(f"{'held' if held else 'BROKEN':<7} {attack}: {seen}", flush=True)


def administrator(name: str) -> StaffUser:
    user = make_staff(role=Role.ADMINISTRATOR, username=name)
    StaffUser.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


def admin_sign_in_path(client: Client) -> str:
    """Where the admin sends someone who is not signed in (its own form, or the staff one)."""
    return client.get(ADMIN)["Location"]


def sign_in_through(client: Client, url: str, user: StaffUser, password: str) -> None:
    """Post the password where the admin sent us; give the TOTP code if a code is asked."""
    response = client.post(url, {"username": user.username, "password": password})
    if response.status_code == 302 and "/sign-in/code/" in response["Location"]:
        client.post(response["Location"], {"token": current_totp(user)})


def fully_signed_in(user: StaffUser) -> Client:
    """Password and TOTP at the staff sign-in: an administrator can then use the admin."""
    client = Client()
    sign_in_through(client, "/staff/sign-in/", user, PASSWORD)
    return client


def attack_password_only() -> None:
    user = administrator("attack-password-only")
    client = Client()
    client.post(f"{ADMIN}login/", {"username": user.username, "password": PASSWORD})
    status = client.get(ADMIN).status_code
    report(
        "password-only admin sign-in",
        status != 200,
        f"right password at {ADMIN}login/, no TOTP: {ADMIN} answers {status}",
    )


def attack_wrong_passwords() -> None:
    user = administrator("attack-guessing")
    client = Client()
    path = admin_sign_in_path(client)
    # Guesses made before the account locked are the ones whose password was checked.
    checked, elapsed, started = 0, 0.0, time.perf_counter()
    for attempt in range(12):
        was_locked = user.locked_until is not None
        client.post(path, {"username": user.username, "password": f"guess {attempt}"})
        if not was_locked:
            checked, elapsed = attempt + 1, time.perf_counter() - started
        user.refresh_from_db()
    failures = AuditEvent.objects.filter(
        target_id=str(user.pk), action__in=["account.sign_in_failed", "account.locked"]
    ).count()
    locked = user.locked_until is not None
    report(
        "12 wrong passwords on the admin's sign-in path",
        locked and failures > 0,
        f"via {path.split('?')[0]}: {checked} guesses checked at {checked / elapsed:.1f}/s, "
        f"then {'locked' if locked else 'never locked'}; {failures} failure events audited",
    )


def attack_sign_in_while_locked() -> None:
    """Locked at the staff sign-in, then the right password on the admin's sign-in path."""
    user = administrator("attack-locked")
    client = Client()
    for attempt in range(5):
        client.post("/staff/sign-in/", {"username": user.username, "password": f"x{attempt}"})
    user.refresh_from_db()
    sign_in_through(client, admin_sign_in_path(client), user, PASSWORD)
    status = client.get(ADMIN).status_code
    report(
        "admin sign-in while the account is locked",
        status != 200,
        f"account {'locked' if user.locked_until else 'NOT locked'} at /staff/sign-in/, "
        f"then the right password (and TOTP if asked): {ADMIN} answers {status}",
    )


def attack_totp_secret() -> None:
    user = administrator("attack-secrets")
    victim = make_staff(username="attack-secrets-victim")
    client = fully_signed_in(user)
    assert client.get(ADMIN).status_code == 200, "the administrator cannot use the admin"
    secrets = {}
    for device in TOTPDevice.objects.filter(user__in=[user, victim]):
        secrets[device.key] = device
        secrets[device.config_url.split("secret=")[1].split("&")[0]] = device
    pages = [
        f"{ADMIN}otp_totp/totpdevice/",
        *[f"{ADMIN}otp_totp/totpdevice/{d.pk}/change/" for d in secrets.values()],
        f"{ADMIN}vault/staffuser/{victim.pk}/change/",
    ]
    shown = []
    for page in pages:
        body = client.get(page).content.decode().lower()
        shown += [page for secret in secrets if secret.lower() in body]
    report(
        "TOTP secret visible in the admin",
        not shown,
        f"{len(pages)} pages read, a secret on: {sorted(set(shown)) or 'none'}",
    )


def attack_password_change() -> None:
    user = administrator("attack-password-change")
    client = fully_signed_in(user)
    response = client.post(
        f"{ADMIN}password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    user.refresh_from_db()
    if not user.check_password(NEW_PASSWORD):
        report(
            "admin password change",
            True,
            f"refused (answer {response.status_code}), the password and key are unchanged",
        )
        return
    try:
        staff_key_unlock(user=user, password=NEW_PASSWORD)
        held, seen = True, "changed, and the key opens with the new password"
    except (NoKeyError, crypto.DecryptionError):
        held, seen = False, "changed without re-wrapping: the key no longer opens"
    report("admin password change", held, seen)


def audit_verify_output() -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as error:
        return False, f"{err.getvalue()}{error}".strip()
    return True, out.getvalue().strip()


def attack_user_deletion() -> None:
    user = administrator("attack-deletion")
    victim = make_staff(username="attack-deletion-victim")
    fully_signed_in(victim)  # the victim has audit events
    client = fully_signed_in(user)
    client.post(f"{ADMIN}vault/staffuser/{victim.pk}/delete/", {"post": "yes"})
    deleted = not StaffUser.objects.filter(pk=victim.pk).exists()
    intact, output = audit_verify_output()
    audited = AuditEvent.objects.filter(
        target_id=str(victim.pk), action__in=["admin.delete", "account.deleted"]
    ).exists()
    report(
        "user deletion in the admin, then audit verify",
        intact and (not deleted or audited),
        f"account {'deleted' if deleted else 'kept (deletion refused)'}"
        f"{', deletion audited' if deleted and audited else ''}"
        f"{', deletion NOT audited' if deleted and not audited else ''}; "
        f"verify: {output.splitlines()[-1] if output else ''}",
    )


def attack_hidden_tampering() -> None:
    """Two altered events: verify must name both, not stop at the first."""
    events = list(AuditEvent.objects.order_by("sequence"))
    first, later = events[1], events[-2]
    AuditEvent.objects.filter(pk=first.pk).update(action="report.export")
    AuditEvent.objects.filter(pk=later.pk).update(target_id="999999")
    intact, output = audit_verify_output()
    named = [seq for seq in (first.sequence, later.sequence) if f"event {seq} " in output]
    report(
        "verify after two tamperings names every break",
        not intact and len(named) == 2,
        f"events {first.sequence} and {later.sequence} altered, verify names {named}",
    )


def main() -> int:
    call_command("migrate", verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the refusals are expected
    print(f"Temporary data directory: {DATA_DIR}")
    attack_password_only()
    attack_wrong_passwords()
    attack_sign_in_while_locked()
    attack_totp_secret()
    attack_password_change()
    attack_user_deletion()
    attack_hidden_tampering()
    broken = sum(1 for _attack, held, _seen in results if not held)
    print(f"{len(results) - broken} of {len(results)} held")
    return broken


if __name__ == "__main__":
    try:
        status = main()
    finally:
        import shutil

        shutil.rmtree(DATA_DIR, ignore_errors=True)
    sys.exit(status)
