"""Staff accounts: password change, reset, recovery codes, lock-out, re-authentication."""

import base64
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.intake.services import report_key_for_staff, report_submit
from meldpunt.lines.models import LineMembership
from meldpunt.testing import PASSWORD, current_totp, make_category, make_staff, sign_in
from meldpunt.vault import auth, crypto
from meldpunt.vault.accounts import staff_reset
from meldpunt.vault.decorators import PASSWORD_CONFIRMED_AT
from meldpunt.vault.keys import NoKeyError, staff_key_unlock
from meldpunt.vault.models import AuditEvent, KeyGrant, StaffUser
from meldpunt.vault.sessionsecrets import COOKIE_NAME, PRIVATE_KEY
from meldpunt.vault.views import SIGN_IN_MESSAGES

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much longer new passphrase 7"


def _report_for(user):
    category = make_category()
    LineMembership.objects.create(line=category.line, user=user)
    return report_submit(
        category=category, answers={"what": "blauwe bestelbus"}, questions={}
    ).report


def _readable_by(report, user, password) -> bool:
    try:
        key = staff_key_unlock(user=user, password=password)
        report_key_for_staff(report=report, user=user, private_key=key)
    except (NoKeyError, crypto.DecryptionError):
        return False
    return True


def _signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


# Password change --------------------------------------------------------------------


def test_password_change_rewraps_the_key_and_keeps_access():
    analyst = make_staff()
    report = _report_for(analyst)
    client = _signed_in(analyst)
    response = client.post(
        "/staff/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD)
    assert _readable_by(report, analyst, NEW_PASSWORD)
    assert not _readable_by(report, analyst, PASSWORD)
    # The session survives the change and still holds the (same) unlocked key.
    assert client.get(f"/staff/cases/reports/{report.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="account.password_changed").exists()


@pytest.mark.parametrize(
    ("new", "field"),
    [
        ("short7", "new_password1"),
        ("123456789012345", "new_password1"),
        ("password1234", "new_password1"),
    ],
    ids=["too short", "numeric", "common"],
)
def test_password_change_enforces_the_policy_and_changes_nothing(new, field):
    analyst = make_staff()
    key_before = bytes(analyst.key.wrapped_private_key)
    client = _signed_in(analyst)
    response = client.post(
        "/staff/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)
    assert bytes(analyst.key.wrapped_private_key) == key_before


def test_password_change_refuses_a_password_like_the_username():
    analyst = make_staff(username="jansen.pietersen")
    client = _signed_in(analyst)
    response = client.post(
        "/staff/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "jansen.pietersen1",
            "new_password2": "jansen.pietersen1",
        },
    )
    assert response.status_code == 400 and response.context["form"].errors["new_password1"]
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)


def test_password_change_with_wrong_old_password_counts_as_a_failure():
    analyst = make_staff()
    client = _signed_in(analyst)
    response = client.post(
        "/staff/account/password/",
        {
            "old_password": "not it at all",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400 and response.context["form"].errors["old_password"]
    analyst.refresh_from_db()
    assert analyst.failed_login_count == 1 and analyst.check_password(PASSWORD)


def test_password_change_needs_a_signed_in_session():
    response = Client().get("/staff/account/password/")
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]


# Administrator reset ----------------------------------------------------------------


def test_reset_gives_a_new_key_that_reads_only_what_is_shared_after_it(capsys):
    analyst = make_staff()
    before = _report_for(analyst)
    old_public = bytes(analyst.key.public_key)
    call_command("staff", "reset", analyst.username)
    temporary = capsys.readouterr().out.split("temporary password ")[1].split()[0]
    analyst.refresh_from_db()
    assert bytes(analyst.key.public_key) != old_public
    assert analyst.must_change_password
    assert not KeyGrant.objects.filter(user=analyst, data_key=before.data_key).exists()
    assert not _readable_by(before, analyst, temporary)

    after = report_submit(
        category=before.category, answers={"what": "na de reset"}, questions={}
    ).report
    assert _readable_by(after, analyst, temporary)


def test_after_a_reset_the_user_must_choose_a_password_first():
    analyst = make_staff()
    temporary = staff_reset(user=analyst, actor=None, reset_two_factor=False)
    client = Client()
    client.post("/staff/sign-in/", {"username": analyst.username, "password": temporary})
    client.post("/staff/sign-in/code/", {"token": current_totp(analyst)})
    page = client.get("/staff/cases/")
    assert page.status_code == 302 and page["Location"] == "/staff/account/password/"
    client.post(
        "/staff/account/password/",
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    analyst.refresh_from_db()
    assert not analyst.must_change_password
    assert client.get("/staff/cases/").status_code == 200


def test_reset_with_2fa_removes_devices_and_the_admin_form_cannot_set_passwords():
    analyst = make_staff()
    staff_reset(user=analyst, actor=None, reset_two_factor=True)
    assert not TOTPDevice.objects.filter(user=analyst).exists()

    admin = make_staff(role="administrator")
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = _signed_in(admin)
    response = client.post(
        f"/staff/admin/vault/staffuser/{analyst.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.check_password(NEW_PASSWORD)


def test_admin_reset_action_shows_the_temporary_password_once():
    analyst = make_staff()
    admin = make_staff(role="administrator")
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = _signed_in(admin)
    response = client.post(
        "/staff/admin/vault/staffuser/",
        {"action": "reset_accounts", "_selected_action": [analyst.pk]},
    )
    assert response.status_code == 200
    temporary = response.context["resets"][0][1]
    analyst.refresh_from_db()
    assert analyst.check_password(temporary) and analyst.must_change_password
    reset = AuditEvent.objects.get(action="account.reset", target_id=str(analyst.pk))
    assert reset.actor == admin and reset.details == {"two_factor_reset": False}


# Recovery codes ---------------------------------------------------------------------


def _enrol(user) -> tuple[Client, list[str]]:
    """First sign-in of an account without an authenticator: scan, confirm, get codes."""
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    client.post("/staff/sign-in/", {"username": user.username, "password": PASSWORD})
    page = client.get("/staff/sign-in/code/")
    assert page.context["enrolling"]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post("/staff/sign-in/code/", {"token": code})
    assert response.status_code == 200
    return client, response.context["codes"]


def test_enrolment_shows_ten_codes_each_usable_once_instead_of_totp():
    analyst = make_staff()
    _client, codes = _enrol(analyst)
    assert len(codes) == 10 and len(set(codes)) == 10

    client = Client()
    client.post("/staff/sign-in/", {"username": analyst.username, "password": PASSWORD})
    response = client.post("/staff/sign-in/code/", {"token": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/staff/cases/").status_code == 200

    again = Client()
    again.post("/staff/sign-in/", {"username": analyst.username, "password": PASSWORD})
    assert again.post("/staff/sign-in/code/", {"token": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=analyst).count() == 9


def test_new_recovery_codes_need_recent_password_and_replace_the_old():
    analyst = make_staff()
    client, old_codes = _enrol(analyst)
    session = client.session
    session[PASSWORD_CONFIRMED_AT] = int(time.time()) - 3600
    session.save()
    response = client.post("/staff/account/recovery-codes/")
    assert response.status_code == 302 and "/staff/account/confirm/" in response["Location"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old_codes)

    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert (
        confirmed.status_code == 302 and confirmed["Location"] == "/staff/account/recovery-codes/"
    )
    new_codes = client.post("/staff/account/recovery-codes/").context["codes"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)
    assert not set(new_codes) & set(old_codes)


# Lock-out, re-authentication, session timeout ---------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one():
    analyst = make_staff()
    client = Client()
    for _attempt in range(auth.MAX_FAILURES):
        response = client.post(
            "/staff/sign-in/", {"username": analyst.username, "password": "wrong guess 123"}
        )
        assert response.status_code == 400
    analyst.refresh_from_db()
    assert analyst.locked_until is not None
    response = client.post("/staff/sign-in/", {"username": analyst.username, "password": PASSWORD})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [str(SIGN_IN_MESSAGES["locked"])]
    assert "vault_pending_user" not in client.session
    assert AuditEvent.objects.filter(action="account.locked", target_id=str(analyst.pk)).exists()


def test_wrong_codes_count_towards_the_lock_and_a_success_resets_the_count():
    analyst = make_staff()
    client = Client()
    client.post("/staff/sign-in/", {"username": analyst.username, "password": PASSWORD})
    assert client.post("/staff/sign-in/code/", {"token": "000000"}).status_code == 400
    analyst.refresh_from_db()
    assert analyst.failed_login_count == 1
    TOTPDevice.objects.filter(user=analyst).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    assert client.post("/staff/sign-in/code/", {"token": current_totp(analyst)}).status_code == 302
    analyst.refresh_from_db()
    assert analyst.failed_login_count == 0


def test_lock_is_per_account_not_per_client():
    locked, other = make_staff(), make_staff()
    client = Client()
    for _attempt in range(auth.MAX_FAILURES):
        client.post("/staff/sign-in/", {"username": locked.username, "password": "wrong guess 123"})
    response = client.post("/staff/sign-in/", {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302


def test_reauthentication_with_wrong_password_is_refused_and_counted():
    analyst = make_staff()
    client = _signed_in(analyst)
    response = client.post("/staff/account/confirm/", {"password": "not my password"})
    assert response.status_code == 400
    analyst.refresh_from_db()
    assert analyst.failed_login_count == 1


def test_confirm_page_does_not_redirect_off_site():
    analyst = make_staff()
    client = _signed_in(analyst)
    response = client.post(
        "/staff/account/confirm/?next=https://evil.example/", {"password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/cases/"


def test_the_unlocked_key_is_in_the_session_only_under_the_cookie_key():
    """The session row holds the key encrypted; the key to it is only in the browser's
    HttpOnly, SameSite=Strict cookie. Signing out deletes both."""
    analyst = make_staff()
    client = _signed_in(analyst)
    cookie = client.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    private_key = bytes(staff_key_unlock(user=analyst, password=PASSWORD))
    stored = client.session[f"vault:{PRIVATE_KEY}"]
    assert private_key not in base64.b64decode(stored) and private_key.hex() not in stored
    session_key = client.session.session_key

    signed_out = client.post("/staff/sign-out/")
    assert signed_out.cookies[COOKIE_NAME]["max-age"] == 0
    assert not Session.objects.filter(session_key=session_key).exists()


def test_expired_session_needs_a_new_sign_in(settings):
    analyst = make_staff()
    client = _signed_in(analyst)
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get("/staff/cases/")
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site():
    analyst = make_staff()
    client = Client()
    first = client.post(
        "/staff/sign-in/?next=/staff/account/password/",
        {"username": analyst.username, "password": PASSWORD},
    )
    assert first["Location"] == "/staff/sign-in/code/?next=%2Fstaff%2Faccount%2Fpassword%2F"
    second = client.post(first["Location"], {"token": current_totp(analyst)})
    assert second["Location"] == "/staff/account/password/"

    other = Client()
    first = other.post(
        "/staff/sign-in/?next=//evil.example/", {"username": analyst.username, "password": PASSWORD}
    )
    assert first["Location"] == "/staff/sign-in/code/"


@pytest.mark.parametrize(("role", "home"), [("analyst", "/staff/cases/"), ("partner", "/partner/")])
def test_sign_in_without_a_target_starts_where_the_role_works(role, home):
    user = make_staff(role=role)
    client = Client()
    first = client.post("/staff/sign-in/", {"username": user.username, "password": PASSWORD})
    second = client.post(first["Location"], {"token": current_totp(user)})
    assert second["Location"] == home


@pytest.mark.django_db
def test_the_console_changepassword_verb_is_refused_and_changes_nothing(capsys):
    """Django's changepassword would set a password that does not unwrap the key."""
    from meldpunt.cli import main

    user = make_staff(username="wachtwoord")
    with pytest.raises(SystemExit) as refusal:
        main(["changepassword", user.username])
    assert "/staff/account/password/" in str(refusal.value.code)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
