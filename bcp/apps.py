from __future__ import annotations

from django.apps import AppConfig


class BcpConfig(AppConfig):
    name = "bcp"
    verbose_name = "Business continuity"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from organizations.models import Department
        from organizations.versioned_cache import organization_bumper

        from . import models, selectors

        # What the cached plan list shows of an organization: its plans, their active versions,
        # process and risk counts, and the department names (also the filter's choices).
        receiver = organization_bumper(selectors.CACHE_MODULE)
        for model in (
            models.Plan,
            models.PlanVersion,
            models.CriticalProcess,
            models.Risk,
            Department,
        ):
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=model, weak=False, dispatch_uid="bmms-bcp-cache")
