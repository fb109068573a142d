from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "meldpunt.vault"
    verbose_name = _("Vault")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with meldpunt's site as ``admin.site`` (see vault.adminsite)."""

    default = False  # VaultConfig stays the configuration of meldpunt.vault itself

    default_site = "meldpunt.vault.adminsite.StaffAdminSite"
