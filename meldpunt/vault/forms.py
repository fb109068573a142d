from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


class PasswordForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=1024)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or one of your recovery codes"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=1024,
    )


class PasswordChangeForm(forms.Form):
    """Only checks that the new password was typed twice alike; the policy is the service's."""

    old_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=1024,
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=1024,
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=1024,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("new_password1")
            and cleaned.get("new_password2")
            and cleaned["new_password1"] != cleaned["new_password2"]
        ):
            self.add_error("new_password2", _("The two new passwords are not the same."))
        return cleaned
