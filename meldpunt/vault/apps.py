from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "meldpunt.vault"
    verbose_name = _("Vault")

    def ready(self) -> None:
        # Files every machine of the installation must share (vault/installation.py).
        from django.conf import settings

        from meldpunt.datadir import installation_secret_register, shared_file_register
        from meldpunt.vault import crypto
        from meldpunt.vault.receipts import RECEIPT_KDF_FILE, receipt_kdf_file

        shared_file_register("django.secret", lambda: settings.SECRET_KEY)
        installation_secret_register("receipt-salt", crypto.KDF_SALT_BYTES)
        installation_secret_register("receipt-tag-key")
        installation_secret_register("receipt-submission-key")
        shared_file_register(RECEIPT_KDF_FILE, receipt_kdf_file)

        import meldpunt.vault.access  # noqa: F401 - connects membership_grants_delete


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with meldpunt's site as ``admin.site`` (see vault.adminsite)."""

    default = False  # VaultConfig stays the configuration of meldpunt.vault itself

    default_site = "meldpunt.vault.adminsite.StaffAdminSite"

    def ready(self) -> None:
        # The first app to be ready, so this runs before the admin's autodiscovery
        # or any URL configuration imports a form: Django (6.1) gives select lists
        # an empty choice labelled BLANK_CHOICE_LABEL, taken when a field is made,
        # and its "- Select an option -" has no Dutch translation (meldpunt.choices).
        from django.db.models import fields

        from meldpunt.choices import EMPTY_CHOICE_LABEL

        fields.BLANK_CHOICE_LABEL = EMPTY_CHOICE_LABEL
        super().ready()
