from django.urls import path

from meldpunt.hotline import views

app_name = "hotline"
urlpatterns = [
    path("reports/<int:pk>/", views.report_page, name="report"),
    path("reports/<int:pk>/addresses/<int:url_pk>/assess/", views.assess, name="assess"),
    path("reports/<int:pk>/addresses/<int:url_pk>/recheck/", views.recheck, name="recheck"),
    path("queue/", views.queue, name="queue"),
    path(
        "reports/<int:pk>/addresses/<int:url_pk>/file/classify/",
        views.classify,
        name="classify_file",
    ),
    path(
        "reports/<int:pk>/addresses/<int:url_pk>/items/<int:media_pk>/classify/",
        views.classify,
        name="classify",
    ),
    path(
        "reports/<int:pk>/addresses/<int:url_pk>/own-list/<int:entry_pk>/retire/",
        views.own_entry_change,
        {"action": "retire"},
        name="own_entry_retire",
    ),
    path(
        "reports/<int:pk>/addresses/<int:url_pk>/own-list/<int:entry_pk>/restore/",
        views.own_entry_change,
        {"action": "restore"},
        name="own_entry_restore",
    ),
    path("reports/<int:pk>/addresses/<int:url_pk>/export/", views.export, name="export"),
    path("monitor/", views.monitor, name="monitor"),
    path("monitor/csv/", views.monitor_download, name="monitor_csv"),
]
