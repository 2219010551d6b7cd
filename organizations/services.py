"""Writes of the organizations app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import audit
from core.tenancy import forget_tenancy, require

from .models import Department, Membership, Organization

DEPARTMENT_FIELDS = ["name", "code", "description", "head"]
MEMBERSHIP_FIELDS = ["role", "department_id", "position", "is_primary"]


@transaction.atomic
def department_create(*, actor: Any, organization: Organization, **data: Any) -> Department:
    """Create a department in the actor's organization (org_admin only)."""
    require(actor, organization.pk, "admin")
    department = Department(organization=organization, **data)
    department.full_clean()
    department.save()
    audit.record(
        actor=actor,
        action="department.created",
        subject=department,
        after=audit.snapshot(department, DEPARTMENT_FIELDS),
    )
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, **data: Any) -> Department:
    """Change a department's fields (org_admin only)."""
    require(actor, department.organization_id, "admin")
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = audit.snapshot(department, DEPARTMENT_FIELDS)
    for name, value in data.items():
        setattr(department, name, value)
    department.full_clean()
    department.save()
    audit.record_if_changed(
        actor=actor,
        action="department.updated",
        subject=department,
        fields=DEPARTMENT_FIELDS,
        before=before,
    )
    return department


@transaction.atomic
def department_delete(*, actor: Any, department: Department) -> None:
    """Delete a department; its members stay in the organization without a department."""
    require(actor, department.organization_id, "admin")
    audit.record(
        actor=actor,
        action="department.deleted",
        subject=department,
        before=audit.snapshot(department, DEPARTMENT_FIELDS),
    )
    department.delete()


@transaction.atomic
def membership_update(*, actor: Any, membership: Membership, **data: Any) -> Membership:
    """Change a member's role, department or position (org_admin only).

    The policy layer's limits (core/policies/members.py): never a system administrator or an
    OCM user, never a role above the actor's own, and never the organization's last
    administrator demoted (the administrators are locked first, in one order).
    """
    from core.policies import last_admin_problem, require_may_manage_member, role_refusal

    from .people import locked_admin_ids

    require_may_manage_member(actor, membership.user, membership.organization_id)
    admins = locked_admin_ids(membership.organization_id)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    for name, value in data.items():
        setattr(membership, name, value)
    if membership.role != before["role"]:
        reason = role_refusal(actor, membership.organization_id, membership.role)
        if reason:
            raise ValidationError({"role": reason})
    if before["role"] == "org_admin" and membership.role != "org_admin":
        problem = last_admin_problem(actor, membership, admins=admins)
        if problem:
            raise ValidationError({"role": problem})
    membership.full_clean()
    membership.save()
    audit.record_if_changed(
        actor=actor,
        action="membership.updated",
        subject=membership,
        fields=MEMBERSHIP_FIELDS,
        before=before,
    )
    forget_tenancy(actor)
    return membership


ROLLOUT_FIELDS = ["rollout_wave", "onboarding_status", "onboarding_date", "go_live_date"]


@transaction.atomic
def organization_rollout_update(
    *, actor: Any, organization: Organization, **data: Any
) -> Organization:
    """Move an organization through its rollout (wave, onboarding status, dates)."""
    if not actor.is_superuser:
        raise PermissionDenied("Only system administrators move organizations through rollout.")
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    before = audit.snapshot(organization, ROLLOUT_FIELDS)
    for name, value in data.items():
        setattr(organization, name, value)
    organization.full_clean()
    organization.save()
    audit.record_if_changed(
        actor=actor,
        action="organization.rollout_updated",
        subject=organization,
        fields=ROLLOUT_FIELDS,
        before=before,
        organization=organization,
    )
    return organization
