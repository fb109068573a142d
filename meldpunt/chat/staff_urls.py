from django.urls import path

from . import live, views

app_name = "chat_staff"
urlpatterns = [
    path("", views.staff_queue, name="staff_queue"),
    path("phone-contact/", views.staff_phone_contact, name="staff_phone_contact"),
    path("<int:pk>/", views.staff_chat, name="staff_chat"),
    path("<int:pk>/transcript/", views.staff_transcript, name="staff_transcript"),
    path("<int:pk>/events/", live.staff_events, name="staff_events"),
    path("<int:pk>/pick-up/", views.staff_pick_up, name="staff_pick_up"),
    path("<int:pk>/send/", views.staff_send, name="staff_send"),
    path("<int:pk>/canned/", views.staff_canned, name="staff_canned"),
    path("<int:pk>/hand-over/", views.staff_hand_over, name="staff_hand_over"),
    path("<int:pk>/end/", views.staff_end, name="staff_end"),
    path("<int:pk>/contact/", views.staff_contact, name="staff_contact"),
]
