from django.urls import path

from . import partner_views

app_name = "partner"
urlpatterns = [
    path("", partner_views.inbox, name="inbox"),
    path("forwards/<int:pk>/", partner_views.forward_detail, name="forward"),
    path("forwards/<int:pk>/files/<int:number>/", partner_views.forward_file, name="file"),
    path("partners/<int:pk>/reseal/", partner_views.reseal, name="reseal"),
    path("forwards/<int:pk>/feedback/", partner_views.feedback_give, name="feedback"),
    path("forwards/<int:pk>/question/", partner_views.question_ask, name="question"),
]
