from django.urls import path

from . import billing_views, hotline_views, views

app_name = "network"
urlpatterns = [
    path("reports/<int:pk>/forward/", views.prepare, name="prepare"),
    path("reports/<int:pk>/forward/decide/", views.decide, name="decide"),
    path("reports/<int:pk>/forward/redact/", views.redact, name="redact"),
    path("reports/<int:pk>/forward/restart/", views.restart, name="restart"),
    path("reports/<int:pk>/forward/send/", views.forward, name="forward"),
    path("reports/<int:pk>/forward/locate/", views.locate, name="locate"),
    path("reports/<int:pk>/returns/", views.returns, name="returns"),
    path("reports/<int:pk>/returns/<int:question_pk>/relay/", views.relay, name="relay"),
    path("reports/<int:pk>/returns/<int:question_pk>/answer/", views.answer, name="answer"),
    path("partners/", billing_views.partner_list, name="partners"),
    path("partners/<int:pk>/statement/", billing_views.statement, name="statement"),
    path("partners/<int:pk>/statement.csv", billing_views.statement_csv, name="statement_csv"),
    path("partners/<int:pk>/evaluation/", billing_views.evaluation, name="evaluation"),
    path(
        "reports/<int:pk>/addresses/<int:url_pk>/actions/",
        hotline_views.hotline_actions,
        name="hotline_actions",
    ),
]
