from __future__ import annotations

from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = "Budgeting"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from organizations.versioned_cache import bumper

        from . import models, selectors

        # Any write to a budget or its execution makes the cached execution summaries stale.
        receiver = bumper(selectors.EXECUTION_CACHE)
        for model in (
            models.BudgetProposal,
            models.ProgramBudget,
            models.BudgetLineItem,
            models.Allotment,
            models.Obligation,
            models.Disbursement,
            models.DisbursementLineItem,
        ):
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=model, weak=False, dispatch_uid="bmms-budget-cache")
