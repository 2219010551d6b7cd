"""An organization's people: who sees its members and departments, who manages them.

Scope: `Membership.objects.for_user(user, action)` (tenancy). Members (any role) and oversight
see an organization's people; its org admins manage them (departments, invitations, imports,
lockouts); nobody joins without accepting (organizations/invitations.py), and an org admin
never makes a superuser a member.
"""

from __future__ import annotations

from typing import Any

from .base import may


def may_see_members(user: Any, organization: Any) -> bool:
    """Members of the organization (any role), OCM users and superusers."""
    return organization is not None and may(user, organization.pk, "view")


def may_manage_members(user: Any, organization: Any) -> bool:
    """The organization's admins (and superusers): departments, invitations, imports."""
    return organization is not None and may(user, organization.pk, "admin")
