"""What every kind of object's rules are built from: the role ladder asked of one object.

`core.tenancy` is the door (which rows a user may see or act on at all, 404 / 403);
the modules of this package add each object's own state on top. Everything here reads the
user's cached tenancy profile, so asking costs no query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..tenancy import ROLE_RANK, Role, role_allows, tenancy_of


def may(user: Any, organization_id: int | None, action: str) -> bool:
    """The role ladder for one organization: may `user` perform `action` there (no query)?"""
    return tenancy_of(user).can(organization_id, action)


def is_read_only(user: Any) -> bool:
    """OCM read-only users write nothing, whatever memberships they have (the explicit rule,
    `TenancyProfile.is_ocm_only`; the middleware and the API's token middleware ask it)."""
    return tenancy_of(user).is_ocm_only


def is_oversight(user: Any) -> bool:
    """Superusers and OCM users read every organization."""
    profile = tenancy_of(user)
    return profile.is_superuser or profile.is_ocm


def is_approver(user: Any, organization_id: int) -> bool:
    """The role ladder's part of every decision: an approver (or admin) member who may write."""
    profile = tenancy_of(user)
    return profile.can(organization_id, "approve") and not profile.is_ocm_only


def roles_allowing(action: str) -> list[str]:
    """The membership roles high enough for `action` (for queries over memberships)."""
    return [role for role in sorted(Role, key=ROLE_RANK.__getitem__) if role_allows(role, action)]


def members_who_may(organization_id: int, action: str) -> QuerySet:
    """Active users whose membership of the organization allows `action`, e.g. the approvers
    who may be asked to review, the editors who may be named focal persons. The one place the
    role ladder becomes a query."""
    from organizations.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__role__in=roles_allowing(action),
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
