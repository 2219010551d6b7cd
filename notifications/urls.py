from __future__ import annotations

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("<uuid:public_id>/read/", views.mark_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("waiting/", views.waiting_list, name="waiting"),
]
