"""Incidents: who may do what with one (views, templates and services ask here).

Tenancy (which incidents a user sees at all) is `Incident.objects.for_user`; these rules add the
incident's own state on top: a stood-down incident takes no more responses, a review is written
only after the stand-down, and OCM users read the cross-organization board and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from ..tenancy import tenancy_of
from .base import is_oversight


def can_declare(user: Any, organization: Any) -> bool:
    """Editors and above of the organization declare incidents (and start exercises)."""
    return organization is not None and tenancy_of(user).can(organization.pk, "change")


def can_respond(user: Any, incident: Any) -> bool:
    """Update the call tree, recovery board and log, change severity: editors, while open."""
    return incident.is_open and tenancy_of(user).can(incident.organization_id, "change")


def can_close(user: Any, incident: Any) -> bool:
    return can_respond(user, incident)


def can_review(user: Any, incident: Any) -> bool:
    """The after-action review is written by editors once the incident is stood down."""
    return not incident.is_open and tenancy_of(user).can(incident.organization_id, "change")


def module_on(user: Any, organization_id: int) -> bool:
    """Incidents are part of the Continuity plans module: where it is switched off for the
    incident's organization, its members reach none of its incidents (404). Users without a
    membership there (OCM, superusers) read every organization, as everywhere."""
    modules = tenancy_of(user).modules.get(organization_id)
    return modules is None or "bcp" in modules


def can_view_ocm_board(user: Any) -> bool:
    return is_oversight(user)


@dataclass(frozen=True)
class IncidentPermissions:
    """What the page may offer one user for one incident (passed to the templates)."""

    respond: bool
    close: bool
    review: bool

    @property
    def key(self) -> str:
        """Distinguishes cached board fragments: users with the same key see the same buttons."""
        return f"{int(self.respond)}{int(self.close)}{int(self.review)}"


def permissions(user: Any, incident: Any) -> IncidentPermissions:
    """The permissions object of one incident's page (`perms` in its templates)."""
    return IncidentPermissions(
        respond=can_respond(user, incident),
        close=can_close(user, incident),
        review=can_review(user, incident),
    )


def require_change(user: Any, organization_id: int) -> None:
    if not tenancy_of(user).can(organization_id, "change"):
        raise PermissionDenied("Your role does not allow you to respond to incidents.")


def require_open(incident: Any) -> None:
    if not incident.is_open:
        raise ValidationError("This incident has been stood down; it takes no more updates.")


def require_closed(incident: Any) -> None:
    if incident.is_open:
        raise ValidationError("Stand the incident down before writing its after-action review.")
