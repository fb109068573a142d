"""Staff sign-in and sign-out pages."""

import segno
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.vault import auth
from meldpunt.vault.forms import PasswordForm, TokenForm
from meldpunt.vault.models import StaffUser
from meldpunt.vault.sessionsecrets import session_secret_put, session_secrets_clear

PRIVATE_KEY = "private_key"
PENDING_USER = "vault_pending_user"

SIGN_IN_MESSAGES = {
    "invalid": _("Username or password is wrong."),
    "locked": _("This account is locked for a while after too many failed attempts."),
    "invalid_code": _("This code is not right. Check the time on your phone and try again."),
    "key_mismatch": _("Your key could not be unlocked. Ask an administrator."),
}


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
            return redirect("vault:second_factor")
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
            auth.totp_check(user=user, device=device, token=form.cleaned_data["token"])
        except auth.SignInError as error:
            form.add_error("token", str(SIGN_IN_MESSAGES[error.code]))
        else:
            del request.session[PENDING_USER]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect(request.GET.get("next") or "cases:queue")
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
