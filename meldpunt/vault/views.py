"""Staff sign-in, sign-out and the account pages (password, re-authentication, recovery codes)."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.vault import accounts, auth
from meldpunt.vault.decorators import password_confirmed, require_recent_auth, two_factor_required
from meldpunt.vault.forms import ConfirmPasswordForm, PasswordChangeForm, PasswordForm, TokenForm
from meldpunt.vault.models import Role, StaffUser
from meldpunt.vault.sessionsecrets import (
    PRIVATE_KEY,
    session_secret_put,
    session_secrets_clear,
)

PENDING_USER = "vault_pending_user"

SIGN_IN_MESSAGES = {
    "invalid": gettext_lazy("Username or password is wrong."),
    "invalid_password": gettext_lazy("This password is not right."),
    "locked": gettext_lazy("This account is locked for a while after too many failed attempts."),
    "invalid_code": gettext_lazy(
        "This code is not right. Check the time on your phone and try again."
    ),
    "key_mismatch": gettext_lazy("Your key could not be unlocked. Ask an administrator."),
}


def _home(user: StaffUser) -> str:
    """Where a signed-in person starts: partner users have only their portal."""
    if user.is_authenticated and user.role == Role.PARTNER:
        return resolve_url(settings.PARTNER_LOGIN_REDIRECT_URL)
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    """The page to return to, only if it is on this site (no open redirect)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _home(request.user) if default is None else default


def _with_next(request: HttpRequest, url_name: str) -> HttpResponse:
    response = redirect(url_name)
    target = _next_url(request, default="")
    if target:
        response["Location"] += "?" + urlencode({"next": target})
    return response


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, private_key = auth.password_check(**form.cleaned_data)
        except auth.SignInError as error:
            form.add_error(None, str(SIGN_IN_MESSAGES[error.code]))
        else:
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            session_secret_put(request, PRIVATE_KEY, bytes(private_key))
            password_confirmed(request)
            return _with_next(request, "vault:second_factor")
    return render(request, "vault/sign_in.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = StaffUser.objects.filter(pk=request.session.get(PENDING_USER), is_active=True).first()
    if user is None:
        return redirect("vault:login")
    device = auth.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or (
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = auth.second_factor_check(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except auth.SignInError as error:
            form.add_error("token", str(SIGN_IN_MESSAGES[error.code]))
        else:
            del request.session[PENDING_USER]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, accepted)
            if enrolling:
                # Shown once, right now: the codes are never displayed again.
                codes = accounts.recovery_codes_create(user=user)
                return render(
                    request,
                    "vault/recovery_codes.html",
                    {"codes": codes, "next": _next_url(request)},
                )
            return redirect(_next_url(request))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url).svg_data_uri(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "vault/second_factor.html", context, status=400 if form.errors else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session_secrets_clear(request)
    logout(request)
    return redirect("vault:login")


@two_factor_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; the private key is re-wrapped, so every grant keeps working."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.staff_password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field, message)
        else:
            update_session_auth_hash(request, request.user)
            password_confirmed(request)
            messages.success(request, _("Your password has been changed."))
            return redirect(_home(request.user))
    return render(
        request,
        "vault/password_change.html",
        {"form": form, "must_change": request.user.must_change_password},
        status=400 if form.errors else 200,
    )


@two_factor_required
@require_http_methods(["GET", "POST"])
def confirm_password(request: HttpRequest) -> HttpResponse:
    """The re-enter-password page in front of sensitive actions (see require_recent_auth)."""
    form = ConfirmPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private_key = auth.password_reconfirm(
                user=request.user, password=form.cleaned_data["password"]
            )
        except auth.SignInError as error:
            form.add_error("password", str(SIGN_IN_MESSAGES[error.code]))
        else:
            session_secret_put(request, PRIVATE_KEY, bytes(private_key))
            password_confirmed(request)
            return redirect(_next_url(request))
    return render(
        request, "vault/confirm_password.html", {"form": form}, status=400 if form.errors else 200
    )


@require_recent_auth(minutes=5)
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """See how many recovery codes are left, or replace them all with new ones."""
    if request.method == "POST":
        codes = accounts.recovery_codes_create(user=request.user)
        return render(
            request, "vault/recovery_codes.html", {"codes": codes, "next": _home(request.user)}
        )
    return render(
        request,
        "vault/recovery_codes_status.html",
        {"left": accounts.recovery_codes_left(request.user)},
    )
