from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "meldpunt.network"
    verbose_name = _("Forwarding network")

    def ready(self) -> None:
        from meldpunt.intake.retention import retention_wiper_register
        from meldpunt.network.services import forward_drafts_wipe

        retention_wiper_register(forward_drafts_wipe)
