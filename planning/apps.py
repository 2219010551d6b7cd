from __future__ import annotations

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self) -> None:
        from core.versioned_cache import bump_on_write, organization_bumper

        from . import models, selectors

        # A write to an organization's plans makes its cached planning pages stale.
        bump_on_write(
            organization_bumper(selectors.CACHE_MODULE),
            (
                models.StrategicPlan,
                models.StrategicGoal,
                models.AnnualWorkPlan,
                models.WorkPlanObjective,
            ),
            "bmms-planning-cache",
        )
