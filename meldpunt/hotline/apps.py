from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "meldpunt.hotline"
    verbose_name = _("Content hotline")
