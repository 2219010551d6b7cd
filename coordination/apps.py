from __future__ import annotations

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from organizations.versioned_cache import bumper

        from . import models, selectors

        # Partnerships span organizations: any write to one, its participants or milestones
        # makes every cached partnership list stale.
        receiver = bumper(selectors.CACHE_NAMESPACE)
        for model in (models.Partnership, models.PartnershipParticipant, models.Milestone):
            for signal in (post_save, post_delete):
                signal.connect(
                    receiver, sender=model, weak=False, dispatch_uid="bmms-coordination-cache"
                )
