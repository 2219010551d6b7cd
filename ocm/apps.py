from __future__ import annotations

from django.apps import AppConfig


class OcmConfig(AppConfig):
    name = "ocm"
    verbose_name = "OCM dashboard"

    #: Models whose writes change the dashboard; each save or delete schedules a refresh.
    SOURCE_MODELS = [
        "organizations.Organization",
        "organizations.Membership",
        "coordination.Partnership",
        "coordination.PartnershipParticipant",
        "bcp.Plan",
        "bcp.PlanVersion",
        "bcp.Acknowledgment",
        "bcp.CriticalProcess",
        "bcp.ExerciseResult",
        "planning.StrategicPlan",
        "planning.StrategicGoal",
        "planning.AnnualWorkPlan",
        "planning.WorkPlanObjective",
        "budgeting.BudgetProposal",
        "budgeting.ProgramBudget",
        "budgeting.BudgetLineItem",
        "budgeting.Allotment",
        "budgeting.Obligation",
        "budgeting.Disbursement",
    ]

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from .services import schedule_refresh

        def on_change(sender, **kwargs):
            if not kwargs.get("raw"):
                schedule_refresh()

        for label in self.SOURCE_MODELS:
            model = apps.get_model(label)
            post_save.connect(on_change, sender=model, weak=False, dispatch_uid=f"ocm-{label}-save")
            post_delete.connect(
                on_change, sender=model, weak=False, dispatch_uid=f"ocm-{label}-delete"
            )
