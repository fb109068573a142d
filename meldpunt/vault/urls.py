from django.urls import path

from . import views

app_name = "vault"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/confirm/", views.confirm_password, name="confirm_password"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
