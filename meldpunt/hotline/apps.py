from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "meldpunt.hotline"
    verbose_name = _("Content hotline")

    def ready(self) -> None:
        # The retention purge (intake) cannot import us; it calls what we register.
        from meldpunt.cases.timeline import timeline_describers_register
        from meldpunt.datadir import installation_secret_register
        from meldpunt.evidence.owners import evidence_owner_register
        from meldpunt.hotline.exchange import EXCHANGE_SECRET_NAME
        from meldpunt.hotline.receivers import reported_urls_from_submission
        from meldpunt.hotline.sealing import HOTLINE_SECRET_NAME
        from meldpunt.hotline.selectors import hotline_page_of_file
        from meldpunt.hotline.services import reported_urls_wipe
        from meldpunt.hotline.tasks import (
            hotline_recheck_schedule,
            reported_url_check_task,
            reported_urls_check_task,
        )
        from meldpunt.hotline.timeline import DESCRIBERS
        from meldpunt.intake.retention import retention_wiper_register
        from meldpunt.intake.signals import report_submitted
        from meldpunt.periodic import periodic_register
        from meldpunt.privacy.tasktimes import reporter_task_register

        retention_wiper_register(reported_urls_wipe)
        # Every machine needs the same address key and exchange signing key.
        installation_secret_register(HOTLINE_SECRET_NAME)
        installation_secret_register(EXCHANGE_SECRET_NAME)
        # The file page (a foundation app) links back to the hotline page we give.
        evidence_owner_register(hotline_page_of_file)
        # The case's timeline (cases) cannot import us: it describes our events with these.
        timeline_describers_register(DESCRIBERS)
        periodic_register(hotline_recheck_schedule)
        # A first check follows a report: nothing about checks may be logged (a
        # batch of the sweep may hold first checks too).
        reporter_task_register(reported_url_check_task)
        reporter_task_register(reported_urls_check_task)
        report_submitted.connect(reported_urls_from_submission, dispatch_uid="hotline-urls")
