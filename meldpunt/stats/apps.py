from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "meldpunt.stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from meldpunt.periodic import periodic_register

        from .tasks import months_keep_after_migrate, months_keep_schedule
        from .triggers import triggers_after_migrate

        post_migrate.connect(triggers_after_migrate, sender=self)
        post_migrate.connect(months_keep_after_migrate, sender=self)
        periodic_register(months_keep_schedule)
