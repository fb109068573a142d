from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "meldpunt.intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from meldpunt.intake.retention_tasks import purge_schedule
        from meldpunt.periodic import periodic_register

        periodic_register(purge_schedule)
