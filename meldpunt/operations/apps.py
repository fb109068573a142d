from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Health checks for the operator: outbound, it may read every app; nothing imports it."""

    name = "meldpunt.operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Importing registers the system checks; deploychecks' run with `check --deploy`.
        from meldpunt.operations import checks, deploychecks  # noqa: F401
