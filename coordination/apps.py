from __future__ import annotations

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self) -> None:
        from core.versioned_cache import bump_on_write, bumper

        from . import models, selectors

        # Partnerships span organizations: any write to one, its participants or milestones
        # makes every cached partnership list stale.
        bump_on_write(
            bumper(selectors.CACHE_NAMESPACE),
            (models.Partnership, models.PartnershipParticipant, models.Milestone),
            "bmms-coordination-cache",
        )
