"""System administration: the pages only superusers use (module switches, the overview).

Also where a person lands after signing in, since it follows from the same roles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from ..tenancy import tenancy_of


def is_system_admin(user: Any) -> bool:
    """Superusers run the portal: they switch modules and read the administration overview."""
    return bool(getattr(user, "is_authenticated", False)) and tenancy_of(user).is_superuser


def require_system_admin(user: Any) -> None:
    if not is_system_admin(user):
        raise PermissionDenied("Only system administrators can open this page.")


def landing(user: Any) -> str:
    """Where `/` takes a signed-in person: "ocm" (OCM read-only users: the OCM dashboard),
    "system" (superusers who work in no organization: the administration overview) or "home"
    (members: what is waiting for them)."""
    profile = tenancy_of(user)
    if profile.is_ocm_only:
        return "ocm"
    if profile.is_superuser and not profile.memberships:
        return "system"
    return "home"
