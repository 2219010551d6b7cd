"""Oversight: what the Office of the Chief Minister reads.

OCM users read every organization and write nothing (`TenancyProfile.is_ocm_only`, enforced
by `OCMReadOnlyMiddleware` for every request, the API's included); what they see of
partnerships is what their leads shared (`coordination.shared_with_ocm`); the dashboard's
levels (viewer < analyst < executive) decide drill-downs, CSV tables and the briefing.
Superusers count as executives.
"""

from __future__ import annotations

from typing import Any

from ..tenancy import tenancy_of

LEVEL_RANK = {"viewer": 1, "analyst": 2, "executive": 3}


def ocm_level_of(user: Any) -> str | None:
    """The user's OCM level (superusers: executive), None for everyone else."""
    profile = tenancy_of(user)
    if profile.is_superuser:
        return "executive"
    return profile.ocm_level


def has_ocm_level(user_level: str | None, level: str) -> bool:
    """Does an OCM level reach `level`?"""
    return user_level is not None and LEVEL_RANK[user_level] >= LEVEL_RANK[level]
