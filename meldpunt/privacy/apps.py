from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "meldpunt.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.tasks.signals import task_finished

        from meldpunt.periodic import periodic_register
        from meldpunt.privacy.logging import serving_request_clear
        from meldpunt.privacy.tasks import data_folder_times_round, traces_clear_schedule
        from meldpunt.privacy.tasktimes import task_times_connect

        task_times_connect()
        request_finished.connect(serving_request_clear, dispatch_uid="serving-request-clear")
        request_finished.connect(data_folder_times_round, dispatch_uid="data-folder-hour")
        task_finished.connect(data_folder_times_round, dispatch_uid="data-folder-hour")
        periodic_register(traces_clear_schedule)
