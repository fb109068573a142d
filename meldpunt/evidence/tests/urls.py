"""The project's URLs plus the evidence views, as the lead will mount them."""

from django.urls import include, path

from meldpunt.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("staff/evidence/", include("meldpunt.evidence.urls")),
]
