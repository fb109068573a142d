"""Routes of the reporter API, mounted at /api/v1/ outside the language prefixes.

Every route here but the catch-all is described in the OpenAPI document; a test checks that.
"""

from django.urls import path, re_path

from .api import views

app_name = "api"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("lines", views.lines, name="lines"),
    path(
        "lines/<slug:line_slug>/categories/<slug:category_slug>",
        views.questionnaire,
        name="questionnaire",
    ),
    path(
        "lines/<slug:line_slug>/categories/<slug:category_slug>/reports",
        views.report_submit,
        name="report_submit",
    ),
    path("mailbox/session", views.mailbox_session, name="mailbox_session"),
    path("mailbox", views.mailbox, name="mailbox"),
    path("mailbox/messages", views.mailbox_message, name="mailbox_message"),
    # Last: every other path answers a JSON 404 (documented in the OpenAPI description).
    re_path(r"^(?P<path>.*)$", views.no_such_endpoint, name="no_such_endpoint"),
]
