from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.vault.accounts import staff_reset
from meldpunt.vault.decorators import has_recent_auth

from .models import StaffUser

REAUTH_MINUTES = 5

# django-otp registers admins for its devices, whose pages show each person's TOTP
# secret and unused recovery codes: with them an administrator could sign in as
# anyone. Devices are made at enrolment and removed only by a reset.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "role", "is_active", "locked_until", "must_change_password"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Meldpunt", {"fields": ["role", "locked_until", "must_change_password"]}),
    ]
    readonly_fields = ["must_change_password"]
    actions = ["reset_accounts"]

    def has_delete_permission(self, request: HttpRequest, obj: StaffUser | None = None) -> bool:
        """Accounts are deactivated, never deleted: audit events and forwards name them."""
        return False

    def save_model(self, request: HttpRequest, obj: StaffUser, form, change: bool) -> None:
        """A password the administrator chose is replaced by the owner's at first sign-in."""
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Refused: a password set by someone else would leave the key wrapped by the old one.

        The reset action gives a temporary password together with a new key pair.
        """
        self.message_user(
            request,
            _("Passwords are changed by their owner. Use the action “Reset password and key”."),
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:vault_staffuser_changelist"))

    @admin.action(
        description=gettext_lazy("Reset password and key (old reports become unreadable)")
    )
    def reset_accounts(self, request: HttpRequest, queryset) -> HttpResponse:
        """Give each selected account a temporary password and a new key pair.

        The temporary passwords are rendered in this response only, never stored
        in messages or the session.
        """
        if not has_recent_auth(request, minutes=REAUTH_MINUTES):
            self.message_user(
                request,
                _("Confirm your password, then choose the reset action again."),
                messages.WARNING,
            )
            back = urlencode({"next": reverse("admin:vault_staffuser_changelist")})
            return HttpResponseRedirect(f"{reverse('vault:confirm_password')}?{back}")
        resets = [
            (user, staff_reset(user=user, actor=request.user, reset_two_factor=False))
            for user in queryset
        ]
        return render(request, "vault/admin_reset_done.html", {"resets": resets})
