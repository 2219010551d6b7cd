from __future__ import annotations

from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = "Rollout"

    def ready(self) -> None:
        from core import versioned_cache

        from . import announcements
        from .models import Announcement

        # The banner is served from the cache; any change to an announcement replaces the token.
        versioned_cache.bump_on_write(
            versioned_cache.bumper(announcements.NAMESPACE),
            [Announcement],
            dispatch_uid="rollout-announcements",
        )
        versioned_cache.bump_on_write(
            announcements.forget, [Announcement], dispatch_uid="rollout-announcements-local"
        )
