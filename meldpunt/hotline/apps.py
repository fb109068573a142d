from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "meldpunt.hotline"
    verbose_name = _("Content hotline")

    def ready(self) -> None:
        # The retention purge (intake) cannot import us; it calls what we register.
        from meldpunt.hotline.services import reported_urls_wipe
        from meldpunt.intake.retention import retention_wiper_register

        retention_wiper_register(reported_urls_wipe)
