from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HashesConfig(AppConfig):
    name = "meldpunt.hashes"
    verbose_name = _("Known hashes")
