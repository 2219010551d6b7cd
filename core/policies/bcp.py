"""Business continuity plans: plans, versions, reviews, acknowledgments and exports.

Scope: `Plan.objects.for_user(user, action)` and its children's `for_user` (tenancy; a plan of
an organization where the module is off is left out for its members). The checks add the
plan's state: an archived plan takes no more changes; approvers archive it; a review is decided
by the reviewer it is assigned to, and only by someone who did not contribute to or submit the
version (segregation of duties, `segregation.py`); members of the plan's organization
acknowledge its active version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from ..tenancy import tenancy_of
from .base import may
from .segregation import check_segregation

MODULE = "bcp"


def plans(user: Any, action: str = "view"):
    """The BC plans `user` may see (or act on): the tenancy door."""
    from bcp.models import Plan

    return Plan.objects.for_user(user, action)


def may_use_module(user: Any) -> bool:
    """Whether the module is on in at least one of the user's organizations, or the user
    oversees every organization. Which objects they then reach is decided per object, by the
    organization that owns it (`for_user`)."""
    profile = tenancy_of(user)
    return profile.sees_everything("view") or bool(profile.organization_ids("view", MODULE))


def may_change_plans(user: Any, organization: Any) -> bool:
    """Editors (and above) of the organization create plans and vendors."""
    return organization is not None and may(user, organization.pk, "change")


def may_change_plan(user: Any, plan: Any) -> bool:
    """A plan's registers, drafts and details: its organization's editors, until archived."""
    return plan.status != plan.Status.ARCHIVED and may(user, plan.organization_id, "change")


def is_member_of(user: Any, organization_id: int) -> bool:
    """A member (any role) of the organization: the people who acknowledge its plans."""
    return tenancy_of(user).roles.get(organization_id) is not None


@dataclass(frozen=True)
class BCPlanPermissions:
    """What a BC plan's page may offer one user (`perms` in its templates)."""

    can_change: bool
    can_approve: bool
    can_archive: bool
    can_acknowledge: bool


def plan_permissions(user: Any, plan: Any) -> BCPlanPermissions:
    approver = may(user, plan.organization_id, "approve")
    return BCPlanPermissions(
        can_change=may_change_plan(user, plan),
        can_approve=approver,
        can_archive=approver and plan.status != plan.Status.ARCHIVED,
        can_acknowledge=is_member_of(user, plan.organization_id),
    )


def require_member(user: Any, organization_id: int) -> None:
    """Only members of the organization acknowledge its plans (403 otherwise)."""
    if not is_member_of(user, organization_id):
        raise PermissionDenied("Only members of the organization acknowledge its plans.")


def require_assigned_reviewer(user: Any, review: Any) -> None:
    """A review is decided by the reviewer it is assigned to, nobody else (403)."""
    if review.reviewer_id != user.pk:
        raise PermissionDenied(f"This review is assigned to {review.reviewer}.")


def require_may_decide_review(user: Any, review: Any) -> None:
    """The page's check: the assigned reviewer, and, while the review is pending, only if they
    did not contribute to or submit the version (403 with the reason otherwise). The service
    checks segregation again under its locks."""
    require_assigned_reviewer(user, review)
    if review.status == review.Status.PENDING:
        check_segregation(user, review.version)


# --- corrective actions ---------------------------------------------------------------------------


def may_progress_corrective_action(user: Any, action: Any) -> bool:
    """Who may move a corrective action on (in progress, done with evidence): its owner, if still
    a member of the organization, or anyone who may change the organization's plans. OCM users
    never (they write nothing)."""
    from ..tenancy import tenancy_of

    organization_id = action.exercise.plan.organization_id
    profile = tenancy_of(user)
    if profile.can(organization_id, "change"):
        return True
    return action.owner_id == user.pk and profile.roles.get(organization_id) is not None
