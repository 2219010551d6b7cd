from __future__ import annotations

from django.apps import AppConfig


class BcpConfig(AppConfig):
    name = "bcp"
    verbose_name = "Business continuity"

    def ready(self) -> None:
        from core.versioned_cache import bump_on_write, organization_bumper
        from organizations.models import Department

        from . import models, selectors

        # What the cached plan list shows of an organization: its plans, their active versions,
        # process and risk counts, and the department names (also the filter's choices).
        bump_on_write(
            organization_bumper(selectors.CACHE_MODULE),
            (models.Plan, models.PlanVersion, models.CriticalProcess, models.Risk, Department),
            "bmms-bcp-cache",
        )
