from __future__ import annotations

from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = "Budgeting"

    def ready(self) -> None:
        from core.versioned_cache import bump_on_write, bumper

        from . import models, selectors

        # Any write to a budget or its execution makes the cached execution summaries stale.
        bump_on_write(
            bumper(selectors.EXECUTION_CACHE),
            (
                models.BudgetProposal,
                models.ProgramBudget,
                models.BudgetLineItem,
                models.Allotment,
                models.Obligation,
                models.Disbursement,
                models.DisbursementLineItem,
            ),
            "bmms-budget-cache",
        )
