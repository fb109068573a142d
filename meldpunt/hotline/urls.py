from django.urls import path

from meldpunt.hotline import views

app_name = "hotline"
urlpatterns = [
    path("reports/<int:pk>/", views.report_page, name="report"),
    path("reports/<int:pk>/addresses/<int:url_pk>/assess/", views.assess, name="assess"),
    path("reports/<int:pk>/addresses/<int:url_pk>/recheck/", views.recheck, name="recheck"),
    path("monitor/", views.monitor, name="monitor"),
    path("monitor/csv/", views.monitor_download, name="monitor_csv"),
]
