"""Template context: the current organization and what the switcher offers."""

from __future__ import annotations

from core.listing import PAGE_SIZES
from core.policies.base import is_read_only
from core.search import SEARCH_MAX_LENGTH
from core.tenancy import TenancyProfile


def tenancy(request) -> dict:
    profile = getattr(request, "tenancy", None) or TenancyProfile()
    membership = getattr(request, "membership", None)
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "switchable_memberships": profile.memberships,
        "is_ocm_only": is_read_only(getattr(request, "user", None)),
        "ocm_level": profile.ocm_level,
        "can_admin_org": bool(membership) and profile.can(membership.organization_id, "admin"),
        "can_change_org": bool(membership) and profile.can(membership.organization_id, "change"),
        # The header's search box (a constant: the box costs no query).
        "search_max_length": SEARCH_MAX_LENGTH,
        "page_sizes": PAGE_SIZES,
    }


def modules(request) -> dict:
    """`enabled_modules`: the set of module app labels the menu may show."""
    from core.modules import enabled_modules

    return {"enabled_modules": enabled_modules(request)}
