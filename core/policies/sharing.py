"""Plans shared per object: who may share a BC plan, with whom, and what an
open grant lets its holder do. The only reader of django-guardian's rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from organizations.models import User

from ..tenancy import tenancy_of
from .base import is_approver

# (decision record docs/decisions/0003-guardian-carries-per-object-grants.md)
#
# django-guardian stores the per-object permissions (bcp.PlanUserObjectPermission: view_plan,
# comment_plan, review_plan); bcp.PlanShare records the grant (who, why, until when, ended by
# whom). A shared right counts only while *both* exist and the grant is open and unexpired, so
# an expired grant opens nothing even before the clean-up task removes its permissions. These
# functions are the only place that reads guardian's rows: `user.has_perm(perm, plan)` is never
# asked, because guardian alone does not know about expiry.

#: A right and the guardian permissions (codenames) it carries; each right includes the lower.
SHARE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ("view_plan",),
    "comment": ("view_plan", "comment_plan"),
    "review": ("view_plan", "comment_plan", "review_plan"),
}
_CODENAME_RIGHT = {"view_plan": "view", "comment_plan": "comment", "review_plan": "review"}


def sharing_open(plan: Any) -> bool:
    """A plan's grants open it only while the business continuity module is on for the plan's
    organization (switched off, a shared plan answers 404 like every other plan there)."""
    from core.modules import modules_for_organization

    return "bcp" in modules_for_organization(plan.organization)


def shared_rights(user: Any, plan: Any) -> frozenset[str]:
    """The rights an open, unexpired grant gives `user` on `plan` ("view", "comment",
    "review"); empty for everyone else. One query, remembered on the user for the request."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from bcp.models import PlanShare, PlanUserObjectPermission

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    memo = user.__dict__.setdefault("_shared_rights", {})
    if plan.pk not in memo:
        open_grant = PlanShare.objects.filter(
            plan_id=OuterRef("content_object_id"),
            grantee_id=OuterRef("user_id"),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        codenames = PlanUserObjectPermission.objects.filter(
            user=user, content_object_id=plan.pk, permission__content_type__app_label="bcp"
        ).filter(Exists(open_grant))
        memo[plan.pk] = frozenset(
            _CODENAME_RIGHT[c]
            for c in codenames.values_list("permission__codename", flat=True)
            if c in _CODENAME_RIGHT
        )
    return memo[plan.pk]


def forget_shared_rights(user: Any) -> None:
    """Drop the request's memo (after a grant changes within a request)."""
    user.__dict__.pop("_shared_rights", None)


def is_plan_member(user: Any, plan: Any) -> bool:
    """A member of the plan's organization (whatever the role): the role ladder applies."""
    return tenancy_of(user).roles.get(plan.organization_id) is not None


def may_share(user: Any, plan: Any) -> bool:
    """May `user` share `plan` (or revoke its grants)? The organization's BCM coordinators:
    an approver or org admin of the plan's organization, never an OCM read-only user, never
    someone the plan is only shared with; an archived plan is shared with nobody."""
    from bcp.models import Plan

    return is_approver(user, plan.organization_id) and plan.status != Plan.Status.ARCHIVED


def require_may_share(user: Any, plan: Any) -> None:
    if not may_share(user, plan):
        raise PermissionDenied(
            "Only the organization's BCM coordinators (approvers and organization admins) may "
            "share a plan or end a grant."
        )


def grantee_problem(grantee: Any, plan: Any) -> str | None:
    """Why `grantee` cannot be given a grant on `plan` (None: they can). Grants are for people
    outside the organization who could not otherwise read it, with an account that works."""
    if grantee is None or not grantee.is_active:
        return "Choose a person with an active account."
    profile = tenancy_of(grantee)
    if profile.is_superuser:
        return f"{grantee} is a system administrator and needs no grant."
    if profile.is_ocm_only:
        return (
            f"{grantee} has OCM read-only access: they already read every plan, and OCM access "
            "never writes, so a grant would add nothing (and cannot open comments or reviews)."
        )
    if profile.roles.get(plan.organization_id) is not None:
        return (
            f"{grantee} is a member of {plan.organization.code}: their role already decides "
            "what they may do with its plans."
        )
    return None


def may_review_as_shared(user: Any, plan: Any) -> bool:
    """Someone outside the organization holding an open "review" grant on the plan."""
    return not is_plan_member(user, plan) and "review" in shared_rights(user, plan)


def may_review(user: Any, version: Any) -> bool:
    """The role ladder's part of deciding on a plan version: an approver of its organization,
    or a person the plan is shared with for review (segregation of duties applies to both)."""
    plan = version.plan
    return is_approver(user, plan.organization_id) or may_review_as_shared(user, plan)


def require_reviewer_role(user: Any, version: Any) -> None:
    """403 unless `user` may review the version: an approver, or an open review grant."""
    if not may_review(user, version):
        raise PermissionDenied("Your role does not allow you to approve this.")


def require_may_review(user: Any, version: Any) -> None:
    """403 unless `user` may review the version (role or grant), then segregation of duties."""
    from .segregation import check_segregation  # segregation imports this module

    require_reviewer_role(user, version)
    check_segregation(user, version)


def shared_reviewers(plan: Any) -> list[Any]:
    """People outside the organization with an open, unexpired review grant on the plan (the
    reviewers a submitter may ask besides the organization's approvers). One query."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from bcp.models import PlanShare, PlanUserObjectPermission

    open_grant = PlanShare.objects.filter(
        plan=plan, grantee_id=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    review_permission = PlanUserObjectPermission.objects.filter(
        content_object=plan, user_id=OuterRef("pk"), permission__codename="review_plan"
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Exists(open_grant), Exists(review_permission))
        .exclude(memberships__organization_id=plan.organization_id)
        .order_by("last_name", "first_name", "email")
    )
