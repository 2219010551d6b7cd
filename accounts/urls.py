from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("password/forgot/", views.ResetRequestView.as_view(), name="reset"),
    path("password/forgot/sent/", views.ResetDoneView.as_view(), name="reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="reset-confirm",
    ),
    path("profile/", views.profile, name="profile"),
    path(
        "profile/password/",
        views.PasswordChangeView.as_view(),
        name="password-change",
    ),
    path("lists/page-size/", views.page_size, name="page-size"),
    path("profile/sessions/sign-out/", views.sign_out_elsewhere, name="sign-out-elsewhere"),
]
