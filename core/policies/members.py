"""An organization's people: who sees its members and departments, who manages them.

Scope: `Membership.objects.for_user(user, action)` (tenancy). Members (any role) and oversight
see an organization's people; its org admins manage them (departments, invitations, imports,
lockouts); nobody joins without accepting (organizations/invitations.py), and an org admin
never makes a superuser a member.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from ..tenancy import ROLE_RANK, Role, require, tenancy_of
from .base import may


def may_see_members(user: Any, organization: Any) -> bool:
    """Members of the organization (any role), OCM users and superusers."""
    return organization is not None and may(user, organization.pk, "view")


def people_scope(user: Any):
    """The memberships whose people `user` may see (the portal search's people): those of the
    organizations where `may_see_members` holds (members of any role, oversight everywhere),
    active accounts only. The same rule as `may_see_members`, as a queryset."""
    from organizations.models import Membership

    return Membership.objects.for_user(user, "view").filter(user__is_active=True)


def may_manage_members(user: Any, organization: Any) -> bool:
    """The organization's admins (and superusers): departments, invitations, imports."""
    return organization is not None and may(user, organization.pk, "admin")


# --- who may manage whom: organization administrators and their people ----------------------------
#
# An organization administrator manages the memberships of their own organization (another
# organization's answers 404 before any of this is asked) with three limits:
#   * never a system administrator, nor a person with OCM access who is not explicitly "also a
#     member" (both are managed by system administrators, in the admin);
#   * never a role above their own;
#   * never so that the organization is left without an administrator (`last_admin_problem`).
# A superuser is not limited by the first two. Views, forms (role choices), services and the
# people page's buttons all ask these functions.


class MemberRefused(PermissionDenied):
    """The actor may not do this to this member; the message says why (403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


NOT_YOURS_SUPERUSER = "System administrators are managed in the administration, not here."
NOT_YOURS_OCM = (
    "People with OCM access are managed by system administrators, in the administration."
)


def member_refusal(actor: Any, user: Any) -> str | None:
    """Why `actor` may not manage `user`'s membership at all (None: they may, given the admin
    role in the organization, which `require_may_manage_member` checks too). Reads the user's
    OCM access (select_related("ocm_access") spares the query)."""
    if actor.is_superuser:
        return None
    if user.is_superuser:
        return NOT_YOURS_SUPERUSER
    try:
        ocm = user.ocm_access
    except user.__class__.ocm_access.RelatedObjectDoesNotExist:
        ocm = None
    if ocm is not None and not ocm.also_member:
        return NOT_YOURS_OCM
    return None


def require_may_manage_member(actor: Any, user: Any, organization_id: int) -> None:
    """403 unless `actor` administers the organization and may manage `user` there."""
    require(actor, organization_id, "admin")
    reason = member_refusal(actor, user)
    if reason:
        raise MemberRefused(reason)


def may_manage_member(actor: Any, membership: Any) -> bool:
    """For pages: whether to offer the actions on this membership."""
    try:
        require_may_manage_member(actor, membership.user, membership.organization_id)
    except PermissionDenied:
        return False
    return True


def role_refusal(actor: Any, organization_id: int, role: str) -> str | None:
    """Why `actor` may not give `role` in the organization (None: they may)."""
    if actor.is_superuser:
        return None
    own = tenancy_of(actor).roles.get(organization_id)
    if own is None or ROLE_RANK[Role(role)] > ROLE_RANK[Role(own)]:
        return "You cannot give anyone a role above your own."
    return None


def assignable_roles(actor: Any, organization_id: int) -> list[tuple[str, str]]:
    """The role choices `actor` may give in the organization, lowest first."""
    return [(r.value, r.label) for r in Role if role_refusal(actor, organization_id, r) is None]


def last_admin_problem(actor: Any, membership: Any, *, admins: list[int]) -> str | None:
    """The refusal when `membership` stops being an administrator (demoted or deactivated) and
    it is the organization's last one. `admins`: the ids of the organization's administrator
    memberships, read under lock by the caller so that two administrators demoting each other
    at the same moment cannot both succeed."""
    if membership.pk not in admins or len(admins) > 1:
        return None
    if membership.user_id == actor.pk:
        return (
            "You cannot remove your own administrator role: you are the organization's last "
            "administrator. Make someone else an administrator first."
        )
    return (
        f"{membership.user} is the organization's last administrator. Make someone else an "
        "administrator first."
    )
