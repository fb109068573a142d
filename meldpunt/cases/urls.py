from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
]
