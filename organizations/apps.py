from __future__ import annotations

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from . import sessions
        from .models import User

        user_logged_in.connect(sessions.on_login, dispatch_uid="bmms-idle-login")
        post_save.connect(sessions.on_user_saved, sender=User, dispatch_uid="bmms-deactivate")
