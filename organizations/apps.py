from __future__ import annotations

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from waffle.models import Flag

        from core import checks, messages, sessions  # noqa: F401 (checks registers itself)

        messages.use_plain_words()
        from core.tenancy import bump_tenancy_version

        from .models import Department, Membership, ModuleFlagScope, OCMAccess, Organization, User

        user_logged_in.connect(sessions.on_login, dispatch_uid="bmms-idle-login")
        post_save.connect(sessions.on_user_saved, sender=User, dispatch_uid="bmms-deactivate")
        # Cached tenancy profiles are rebuilt after any change to what they are made of.
        for model in (Organization, Department, Membership, OCMAccess, Flag, ModuleFlagScope):
            for signal in (post_save, post_delete):
                signal.connect(bump_tenancy_version, sender=model, dispatch_uid="bmms-tenancy")
        for through in (
            ModuleFlagScope.organizations.through,
            ModuleFlagScope.excluded_organizations.through,
        ):
            m2m_changed.connect(bump_tenancy_version, sender=through, dispatch_uid="bmms-tenancy")
