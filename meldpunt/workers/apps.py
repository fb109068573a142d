from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "meldpunt.workers"
    verbose_name = _("Background workers")

    def ready(self) -> None:
        from meldpunt.periodic import periodic_register
        from meldpunt.workers.tasks import workers_recover_schedule

        periodic_register(workers_recover_schedule)
