from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("search/", views.content_search, name="content_search"),
    path("exposure/", views.exposure, name="exposure"),
    path("exposure/teams/", views.exposure_teams, name="exposure_teams"),
    path("notifications/", views.notification_settings, name="notification_settings"),
    path("notifications/status/", views.notification_status, name="notification_status"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/related/", views.related, name="related"),
    path("reports/<int:pk>/claim/", views.claim, name="claim"),
    path("reports/<int:pk>/release/", views.release, name="release"),
    path("reports/<int:pk>/hand-over/", views.hand_over, name="hand_over"),
    path("reports/<int:pk>/triage/", views.triage, name="triage"),
    path("reports/<int:pk>/approve/", views.approve, name="approve"),
    path("reports/<int:pk>/classify/", views.classify, name="classify"),
    path("reports/<int:pk>/category/", views.category, name="category"),
    path("reports/<int:pk>/link/", views.link, name="link"),
    path("reports/<int:pk>/unlink/", views.unlink, name="unlink"),
    path("reports/<int:pk>/notes/", views.note, name="note"),
    path("reports/<int:pk>/close/", views.close, name="close"),
]
