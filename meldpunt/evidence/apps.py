from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "meldpunt.evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from meldpunt.evidence.tasks import evidence_derivatives_make
        from meldpunt.privacy.tasktimes import reporter_task_register

        # Runs seconds after an upload: nothing about it may be logged.
        reporter_task_register(evidence_derivatives_make)
