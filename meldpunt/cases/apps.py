from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "meldpunt.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from meldpunt.cases.files import case_page_of_file
        from meldpunt.cases.tasks import notifications_schedule
        from meldpunt.evidence.owners import evidence_owner_register
        from meldpunt.periodic import periodic_register

        periodic_register(notifications_schedule)
        # The file page (a foundation app) cannot import us; it links back to what we give.
        evidence_owner_register(case_page_of_file)
