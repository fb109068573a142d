from django.urls import path

from meldpunt.evidence import views

app_name = "evidence"
urlpatterns = [
    path("<int:pk>/", views.evidence_page, name="file"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/preview.jpg", views.preview_picture, name="preview"),
    path("<int:pk>/revealed", views.revealed_picture, name="revealed"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/hide/", views.hide, name="hide"),
    path("<int:pk>/known/", views.known_show, name="known_show"),
    path("<int:pk>/derivatives/", views.derivatives_request, name="derivatives_request"),
]
