from __future__ import annotations

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from organizations.versioned_cache import organization_bumper

        from . import models, selectors

        # A write to an organization's plans makes its cached planning pages stale.
        receiver = organization_bumper(selectors.CACHE_MODULE)
        for model in (
            models.StrategicPlan,
            models.StrategicGoal,
            models.AnnualWorkPlan,
            models.WorkPlanObjective,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    receiver, sender=model, weak=False, dispatch_uid="bmms-planning-cache"
                )
