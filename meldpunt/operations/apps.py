from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Health checks for the operator: outbound, it may read every app; nothing imports it."""

    name = "meldpunt.operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from meldpunt.operations import checks  # noqa: F401  (registers the system check)
