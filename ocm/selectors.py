"""Reads of the OCM dashboard: the summary rows, cached; never the base tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache

from .models import GovernmentSummary, OrganizationSummary
from .services import CACHE_KEY, refresh


@dataclass
class OrganizationRow:
    code: str
    name: str
    category: str
    is_pilot: bool
    data: dict[str, Any]

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name) or {"has_data": False}


@dataclass
class Dashboard:
    computed_at: datetime
    totals: dict[str, Any]
    rows: list[OrganizationRow]


def dashboard() -> Dashboard:
    """The dashboard's data: from the cache, else from the summary tables (two queries)."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    government = GovernmentSummary.objects.filter(key="government").first()
    if government is None:  # a fresh installation: compute once
        refresh()
        government = GovernmentSummary.objects.get(key="government")
    rows = [
        OrganizationRow(
            code=s.organization.code,
            name=s.organization.name,
            category=s.organization.get_category_display(),
            is_pilot=s.organization.is_pilot,
            data=s.data,
        )
        for s in OrganizationSummary.objects.select_related("organization")
        .filter(organization__is_active=True)
        .order_by("organization__code")
    ]
    result = Dashboard(computed_at=government.computed_at, totals=government.data, rows=rows)
    cache.set(CACHE_KEY, result, timeout=600)
    return result


def organization_row(code: str) -> OrganizationRow | None:
    return next((row for row in dashboard().rows if row.code == code.upper()), None)
