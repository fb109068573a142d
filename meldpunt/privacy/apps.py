from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "meldpunt.privacy"
    verbose_name = _("Privacy")
