from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "meldpunt.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from meldpunt.cases.tasks import notifications_schedule
        from meldpunt.periodic import periodic_register

        periodic_register(notifications_schedule)
