from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("year/", views.year_overview, name="year"),
    path("year/pdf/", views.report_download, name="report"),
    path("csv/<slug:slug>/", views.table_download, name="csv"),
    path("phenomenon/", views.phenomenon_page, name="phenomenon"),
    path("phenomenon/csv/", views.phenomenon_download, name="phenomenon_csv"),
]
