from django.urls import path  # noqa: F401

app_name = "hash_check"
urlpatterns: list = []
