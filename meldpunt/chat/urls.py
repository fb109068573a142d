from django.urls import path

from . import live, views

app_name = "chat"
# Reporter pages (under the language prefix): see meldpunt.urls.
urlpatterns = [
    path("chat/now/", views.conversation, name="conversation"),
    path("chat/now/transcript/", views.transcript, name="transcript"),
    path("chat/now/events/", live.reporter_events, name="events"),
    path("chat/now/leave/", views.leave, name="leave"),
    path("chat/now/receipt/", views.receipt, name="receipt"),
    path("chat/now/survey/", views.survey, name="survey"),
    path("chat/<slug:line_slug>/", views.line_chat, name="line"),
    path("chat/<slug:line_slug>/start/", views.start, name="start"),
]
