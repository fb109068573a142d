from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("year/", views.year_overview, name="year"),
    path("csv/<slug:slug>/", views.table_download, name="csv"),
]
