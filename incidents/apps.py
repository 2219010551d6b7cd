from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import models, selectors

        # Any write to an incident or its rows replaces the incident's board token (the polled
        # board answers 304 until then) and the token of the cross-organization lists.
        for model in (
            models.Incident,
            models.CallTreeEntry,
            models.RecoveryItem,
            models.VendorStatus,
            models.LogEntry,
            models.AfterActionReview,
            models.CorrectiveAction,
            models.Activation,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.bump_board, sender=model, dispatch_uid=f"incidents-board-{model}"
                )
        m2m_changed.connect(
            selectors.bump_board,
            sender=models.AfterActionReview.plan_drafts.through,
            dispatch_uid="incidents-board-review-drafts",
        )
