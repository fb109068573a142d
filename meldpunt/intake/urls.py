from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("safety/", views.safety, name="safety"),
    path("mailbox/", views.mailbox_login, name="mailbox_login"),
    path("mailbox/messages/", views.mailbox, name="mailbox"),
    path("mailbox/close/", views.mailbox_logout, name="mailbox_logout"),
    path("report/<slug:line_slug>/", views.line_detail, name="line"),
    path(
        "report/<slug:line_slug>/<slug:category_slug>/", views.questionnaire, name="questionnaire"
    ),
    path("report/<slug:line_slug>/<slug:category_slug>/send/", views.submit, name="submit"),
]
