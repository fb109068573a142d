"""The admin: one sign-in with the staff pages, no secrets shown, password changes that keep
the key, re-authentication before writes, accounts never deleted, every write audited.

The permission matrix (every URL, role and sign-in state) is in test_admin_permissions.py.
"""

import time

import pytest
from django.contrib import admin
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.lines.models import Category, LineMembership, Municipality
from meldpunt.testing import PASSWORD, current_totp, make_category, make_line, make_staff, sign_in
from meldpunt.vault.accounts import recovery_codes_create
from meldpunt.vault.adminsite import ADMIN_REAUTH_MINUTES
from meldpunt.vault.auth import MAX_FAILURES
from meldpunt.vault.decorators import PASSWORD_CONFIRMED_AT
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import AuditEvent, DataKey, KeyGrant, Role, StaffKey, StaffUser
from meldpunt.vault.sessionsecrets import COOKIE_NAME
from meldpunt.vault.tests.test_admin_permissions import World, admin_urls, takeover_form

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much longer new passphrase 7"


def _administrator() -> StaffUser:
    user = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


def _signed_in(user: StaffUser) -> Client:
    client = Client()
    sign_in(client, user)
    return client


# One sign-in -----------------------------------------------------------------------


def test_the_admin_login_form_never_takes_a_password():
    """The right password alone, posted to the old admin login, opens nothing."""
    administrator = _administrator()
    client = Client()
    response = client.post(
        "/staff/admin/login/?next=/staff/admin/",
        {"username": administrator.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=/staff/admin/"
    index = client.get("/staff/admin/")
    assert index.status_code == 302 and index["Location"].startswith("/staff/sign-in/")


def test_the_admin_sends_to_the_staff_sign_in_and_back_after_both_factors():
    administrator = _administrator()
    client = Client()
    to_sign_in = client.get("/staff/admin/lines/line/")
    assert to_sign_in["Location"] == "/staff/sign-in/?next=/staff/admin/lines/line/"
    code_page = client.post(
        to_sign_in["Location"], {"username": administrator.username, "password": PASSWORD}
    )
    assert code_page["Location"] == "/staff/sign-in/code/?next=%2Fstaff%2Fadmin%2Flines%2Fline%2F"
    back = client.post(code_page["Location"], {"token": current_totp(administrator)})
    assert back["Location"] == "/staff/admin/lines/line/"
    assert client.get(back["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="account.signed_in", actor=administrator).exists()


def test_wrong_passwords_on_the_way_into_the_admin_lock_the_account_and_are_audited():
    """Twelve wrong passwords: locked after five, every failure audited; afterwards the
    right password opens the admin neither through the staff sign-in nor the old form."""
    administrator = _administrator()
    client = Client()
    sign_in_url = client.get("/staff/admin/")["Location"]
    for attempt in range(12):
        client.post(sign_in_url, {"username": administrator.username, "password": f"x{attempt}"})
    administrator.refresh_from_db()
    assert administrator.locked_until is not None
    events = list(
        AuditEvent.objects.filter(target_id=str(administrator.pk)).values_list("action", flat=True)
    )
    # Attempts on a locked account are refused before the password is checked.
    assert events == ["account.sign_in_failed"] * (MAX_FAILURES - 1) + ["account.locked"]

    credentials = {"username": administrator.username, "password": PASSWORD}
    refused = client.post(sign_in_url, credentials)
    assert refused.status_code == 400
    client.post("/staff/admin/login/", credentials)
    assert client.get("/staff/admin/").status_code == 302


def test_signing_out_of_the_admin_is_the_staff_sign_out():
    client = _signed_in(_administrator())
    session_key = client.session.session_key
    response = client.post("/staff/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/"
    assert response.cookies[COOKIE_NAME]["max-age"] == 0
    assert client.get("/staff/admin/").status_code == 302
    assert client.session.session_key != session_key


# No secrets ------------------------------------------------------------------------


def test_no_admin_page_shows_a_totp_secret_or_a_recovery_code():
    world = World(role=Role.ADMINISTRATOR)
    recovery_codes = recovery_codes_create(user=world.target)
    pending = make_staff()
    TOTPDevice.objects.filter(user=pending).update(confirmed=False)
    devices = list(TOTPDevice.objects.all())
    secrets = [device.key for device in devices] + [
        device.config_url.split("secret=")[1].split("&")[0] for device in devices
    ]
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
    assert not admin.site.is_registered(StaticToken)
    for key_model in (StaffKey, KeyGrant, DataKey):
        assert not admin.site.is_registered(key_model)
    client = world.client("signed_in")
    urls = [url for url, _what, _want in admin_urls(world)]
    # Django's own URLs for the device admins, should they ever be registered again.
    urls += [
        f"/staff/admin/otp_totp/totpdevice/{devices[0].pk}/change/",
        "/staff/admin/otp_totp/totpdevice/",
        "/staff/admin/otp_static/staticdevice/",
    ]
    for url in urls:
        body = client.get(url, follow=True).content.decode()
        shown = [s for s in secrets + recovery_codes if s.lower() in body.lower()]
        assert not shown, f"{url} shows a secret"


# Password change -------------------------------------------------------------------


def test_the_admin_password_change_is_the_staff_one_that_rewraps_the_key():
    administrator = _administrator()
    client = _signed_in(administrator)
    for url in ("/staff/admin/password_change/", "/staff/admin/password_change/done/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/staff/account/password/"
    # Django's form would have set the password without re-wrapping the key.
    client.post(
        "/staff/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    administrator.refresh_from_db()
    assert administrator.check_password(PASSWORD)
    client.post(
        "/staff/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    administrator.refresh_from_db()
    assert administrator.check_password(NEW_PASSWORD)
    staff_key_unlock(user=administrator, password=NEW_PASSWORD)  # raises if not re-wrapped
    assert client.get("/staff/admin/").status_code == 200


def test_accounts_added_in_the_admin_must_choose_their_own_password():
    client = _signed_in(_administrator())
    response = client.post(
        "/staff/admin/vault/staffuser/add/",
        {
            "username": "nieuw",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert StaffUser.objects.get(username="nieuw").must_change_password


# Re-authentication -----------------------------------------------------------------


def _stale(client: Client) -> None:
    session = client.session
    session[PASSWORD_CONFIRMED_AT] = int(time.time()) - ADMIN_REAUTH_MINUTES * 60 - 1
    session.save()


def test_admin_writes_need_the_password_typed_recently():
    administrator = _administrator()
    analyst = make_staff()
    client = _signed_in(administrator)
    _stale(client)
    change_url = f"/staff/admin/vault/staffuser/{analyst.pk}/change/"
    # Reading lists is fine; opening a form or writing asks for the password first.
    assert client.get("/staff/admin/vault/staffuser/").status_code == 200
    for response in (client.get(change_url), client.post(change_url, takeover_form(analyst))):
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/account/confirm/?next=")
    analyst.refresh_from_db()
    assert not analyst.is_superuser

    confirmed = client.post(
        client.get(change_url)["Location"], {"password": PASSWORD}, follow=False
    )
    assert confirmed["Location"] == change_url
    assert client.post(change_url, takeover_form(analyst)).status_code == 302
    analyst.refresh_from_db()
    assert analyst.is_superuser


def test_the_reset_action_needs_the_password_typed_in_the_last_five_minutes():
    """Stricter than other writes: a reset gives the account a new key pair."""
    client = _signed_in(_administrator())
    analyst = make_staff()
    session = client.session
    session[PASSWORD_CONFIRMED_AT] = int(time.time()) - 6 * 60  # within the admin's 15
    session.save()
    response = client.post(
        "/staff/admin/vault/staffuser/",
        {"action": "reset_accounts", "_selected_action": [analyst.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/account/confirm/")
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD) and not analyst.must_change_password


def test_a_stale_session_cannot_delete_or_run_actions():
    client = _signed_in(_administrator())
    _stale(client)
    municipality = Municipality.objects.create(code="GM0344", name="Utrecht")
    for url, data in [
        (f"/staff/admin/lines/municipality/{municipality.pk}/delete/", {"post": "yes"}),
        (
            "/staff/admin/lines/municipality/",
            {"action": "delete_selected", "_selected_action": [municipality.pk], "post": "yes"},
        ),
    ]:
        response = client.post(url, data)
        assert response["Location"].startswith("/staff/account/confirm/")
    assert Municipality.objects.filter(pk=municipality.pk).exists()


# Accounts are not deleted ------------------------------------------------------------


def test_staff_accounts_cannot_be_deleted_in_the_admin():
    client = _signed_in(_administrator())
    analyst = make_staff()
    assert (
        client.post(
            f"/staff/admin/vault/staffuser/{analyst.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = client.get("/staff/admin/vault/staffuser/")
    assert "delete_selected" not in changelist.content.decode()
    client.post(
        "/staff/admin/vault/staffuser/",
        {"action": "delete_selected", "_selected_action": [analyst.pk], "post": "yes"},
    )
    assert StaffUser.objects.filter(pk=analyst.pk).exists()
    # Deactivating is the way, and it is audited.
    form = takeover_form(analyst) | {"is_superuser": "", "is_staff": "", "role": Role.ANALYST}
    del form["is_active"]
    assert (
        client.post(f"/staff/admin/vault/staffuser/{analyst.pk}/change/", form).status_code == 302
    )
    analyst.refresh_from_db()
    assert not analyst.is_active
    event = AuditEvent.objects.filter(action="admin.change", target_id=str(analyst.pk)).get()
    assert "is_active" in event.details["fields"]


# Every write audited -----------------------------------------------------------------


def _form_as_shown(client: Client, url: str) -> dict:
    """The POST data of an admin change page left as it is (fields and inline rows)."""
    page = client.get(url)
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.initial_forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value is not None and value is not False:
                data[field.html_name] = value
    return data


def test_every_admin_add_change_and_delete_is_audited_without_values():
    administrator = _administrator()
    client = _signed_in(administrator)
    line = make_line()
    member = make_staff()
    before = AuditEvent.objects.count()

    added = client.post(
        "/staff/admin/lines/municipality/add/",
        {"code": "GM0599", "name": "Rotterdam", "province": "Zuid-Holland"},
    )
    assert added.status_code == 302
    municipality = Municipality.objects.get(code="GM0599")
    client.post(
        f"/staff/admin/lines/municipality/{municipality.pk}/change/",
        {"code": "GM0599", "name": "Rotterdam-Zuid"},
    )
    # A line member added through the line's inline: who may read its reports.
    line_url = f"/staff/admin/lines/line/{line.pk}/change/"
    line_form = _form_as_shown(client, line_url) | {
        "name": "Andere naam",
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-user": member.pk,
    }
    saved = client.post(line_url, line_form)
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    membership = LineMembership.objects.get(line=line, user=member)
    category = make_category(line=line)
    client.post(
        "/staff/admin/lines/category/",
        {"action": "delete_selected", "_selected_action": [category.pk], "post": "yes"},
    )
    assert not Category.objects.filter(pk=category.pk).exists()
    client.post(f"/staff/admin/lines/municipality/{municipality.pk}/delete/", {"post": "yes"})

    events = [
        (e.action, e.target_type, e.target_id, e.details, e.actor_id)
        for e in AuditEvent.objects.order_by("sequence")[before:]
    ]
    actor = administrator.pk
    line_event_details = events[2][3]
    assert "name" in line_event_details["fields"]
    assert events == [
        (
            "admin.add",
            "lines.municipality",
            str(municipality.pk),
            {"fields": ["code", "name", "province"]},
            actor,
        ),
        (
            "admin.change",
            "lines.municipality",
            str(municipality.pk),
            {"fields": ["name", "province"]},
            actor,
        ),
        ("admin.change", "lines.line", str(line.pk), line_event_details, actor),
        (
            "admin.add",
            "lines.linemembership",
            str(membership.pk),
            {"parent": f"lines.line:{line.pk}"},
            actor,
        ),
        ("admin.delete", "lines.category", str(category.pk), {}, actor),
        ("admin.delete", "lines.municipality", str(municipality.pk), {}, actor),
    ]
    assert "Rotterdam" not in str(events) and "Andere naam" not in str(events)
