"""Reads of the organizations app, always scoped to the user asking."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.tenancy import require

from .models import (
    AuditLog,
    Department,
    FormerMembership,
    ImportJob,
    JoinInvitation,
    Membership,
    Organization,
)


def _count(model, **filters) -> Coalesce:
    """A correlated COUNT subquery per organization (no join fan-out between two counts)."""
    rows = (
        model.objects.filter(organization=OuterRef("pk"), **filters)
        .order_by()
        .values("organization")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


def organization_directory() -> QuerySet[Organization]:
    """Every active organization with its department and member counts (two subqueries)."""
    return (
        Organization.objects.filter(is_active=True)
        .select_related("attached_to")
        .annotate(department_count=_count(Department), member_count=_count(Membership))
        .order_by("code")
    )


def departments_for(user: Any, organization: Organization) -> QuerySet[Department]:
    return (
        Department.objects.for_user(user)
        .for_organization(organization)
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )


def members_for(user: Any, organization: Organization, search: str = "") -> QuerySet[Membership]:
    qs = (
        Membership.objects.for_user(user)
        .for_organization(organization)
        .select_related("user", "department", "organization")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    if search:
        qs = qs.filter(
            Q(user__email__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
        )
    return qs


def audit_entries_for(user: Any, organization: Organization) -> QuerySet[AuditLog]:
    """The organization's audit entries; only its org_admins (and superusers) may read them."""
    require(user, organization.pk, "admin")
    return AuditLog.objects.filter(organization=organization).order_by("-created_at", "-id")


def home_summary(organization: Organization) -> dict[str, Any]:
    """Counts for the home page of one organization, in one query."""
    return (
        Organization.objects.filter(pk=organization.pk)
        .values(
            departments=_count(Department),
            members=_count(Membership),
            admins=_count(Membership, role="org_admin"),
        )
        .get()
    )


def import_job_for(user: Any, public_id) -> ImportJob:
    """An import job of the user's organization (404 for another's; 403 unless org_admin)."""
    from django.http import Http404

    from core.tenancy import tenancy_of

    jobs = ImportJob.objects.filter(public_id=public_id)
    profile = tenancy_of(user)
    if not profile.is_superuser:
        jobs = jobs.filter(organization_id__in=profile.organization_ids("view"))
    job = jobs.first()
    if job is None:
        raise Http404("No such import.")
    if not profile.is_superuser:
        require(user, job.organization_id, "admin")
    return job


def rollout_overview() -> QuerySet[Organization]:
    """Every active organization by rollout wave, with its member count."""
    return (
        Organization.objects.filter(is_active=True)
        .annotate(member_count=Count("organizations_memberships"))
        .order_by(models.F("rollout_wave").asc(nulls_last=True), "code")
    )


def invitations_sent(user: Any, organization: Organization):
    """The organization's invitations to join, newest first (org admins: the view checks)."""
    return (
        JoinInvitation.objects.for_user(user, "admin")
        .for_organization(organization)
        .select_related("department", "invited_by")
        .order_by("-created_at", "-id")
    )


def former_members_for(user: Any, organization: Organization, search: str = ""):
    """The organization's deactivated members (org admins: the view checks), by name."""
    qs = (
        FormerMembership.objects.for_user(user, "admin")
        .for_organization(organization)
        .select_related("user", "department", "deactivated_by")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    if search:
        qs = qs.filter(
            Q(user__email__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
        )
    return qs
