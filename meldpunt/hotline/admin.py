"""The operator's side of the hotline's actions: abuse addresses, and actions that fail."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AddressAction, HostingProvider
from .selectors import action_status


@admin.register(HostingProvider)
class HostingProviderAdmin(admin.ModelAdmin):
    """The operator sets an abuse address where RDAP has none or the wrong one."""

    list_display = ["asn", "name", "rdap_email", "override_email", "rdap_checked_at", "rdap_error"]
    search_fields = ["name", "=asn"]
    fields = ["asn", "name", "override_email", "rdap_email", "rdap_checked_at", "rdap_error"]
    readonly_fields = ["rdap_email", "rdap_checked_at", "rdap_error"]


class FailingFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("failing", _("failed, not sent")), ("waiting", _("not sent yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "failing":
            return queryset.filter(sent_at__isnull=True, attempts__gt=0)
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True)
        return queryset


@admin.register(AddressAction)
class AddressActionAdmin(admin.ModelAdmin):
    """Read-only: every notice, police report and forward, with its error (the operator's view)."""

    list_display = [
        "pk",
        "reported_url",
        "kind",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = [FailingFilter, "kind"]
    ordering = ["-pk"]

    @admin.display(description=_("state"))
    def status(self, action: AddressAction) -> str:
        return action_status(action).label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AddressAction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AddressAction | None = None) -> bool:
        return False
