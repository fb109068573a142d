from django.urls import path

from . import hotline_views, views

app_name = "network"
urlpatterns = [
    path("reports/<int:pk>/forward/", views.prepare, name="prepare"),
    path("reports/<int:pk>/forward/decide/", views.decide, name="decide"),
    path("reports/<int:pk>/forward/redact/", views.redact, name="redact"),
    path("reports/<int:pk>/forward/restart/", views.restart, name="restart"),
    path("reports/<int:pk>/forward/send/", views.forward, name="forward"),
    path("reports/<int:pk>/forward/locate/", views.locate, name="locate"),
    path(
        "reports/<int:pk>/addresses/<int:url_pk>/actions/",
        hotline_views.hotline_actions,
        name="hotline_actions",
    ),
]
