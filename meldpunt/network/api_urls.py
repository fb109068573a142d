"""Routes of the partner-hotline API, at /api/v1/partner-hotlines/ (before the reporter API)."""

from django.urls import path, re_path

from . import api

app_name = "partner_hotline_api"
urlpatterns = [
    path("reports", api.reports_import, name="reports"),
    re_path(r"^(?P<path>.*)$", api.no_such_endpoint, name="no_such_endpoint"),
]
