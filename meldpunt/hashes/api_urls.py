"""Routes of the hash-check API, mounted at /api/v1/hashes/ before the reporter API.

Every route here but the catch-all is described in the OpenAPI document; a test checks that.
"""

from django.urls import path, re_path

from .api import views

app_name = "hash_check"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("check", views.check, name="check"),
    path("check/bulk", views.check_bulk, name="check_bulk"),
    path("check/<str:algorithm>/<str:value>", views.check_one, name="check_one"),
    path("account", views.account, name="account"),
    # Last: every other path answers a JSON 404 (documented in the OpenAPI description).
    re_path(r"^(?P<path>.*)$", views.no_such_endpoint, name="no_such_endpoint"),
]
