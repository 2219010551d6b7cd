"""Summary tables of the OCM dashboard: one row per organization and one for the government.

The dashboard never aggregates the base tables while a user waits: it reads these rows (one query),
which `ocm.services.refresh()` recomputes after writes (on commit) and every few minutes (beat).
"""

from __future__ import annotations

from django.db import models


class OrganizationSummary(models.Model):
    """The dashboard's figures for one organization, by section (budget, planning, ...).

    A section that is missing or holds `{"has_data": false}` is shown as "no data", never as 0.
    """

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ocm_summary"
    )
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "organization summaries"

    def __str__(self) -> str:
        return f"Summary of {self.organization_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class GovernmentSummary(models.Model):
    """Government-wide figures and the partnership network (a single row, key="government")."""

    key = models.CharField(max_length=20, unique=True, default="government")
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Government summary at {self.computed_at:%Y-%m-%d %H:%M}"
