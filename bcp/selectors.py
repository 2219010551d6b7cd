"""Reads of the bcp app, always scoped to the user asking."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from organizations.models import Membership, Organization, User

from .models import (
    Acknowledgment,
    Contact,
    CriticalProcess,
    Exercise,
    Plan,
    PlanVersion,
    Review,
    Risk,
)

#: Version-token namespace of an organization's cached BC plan list (see versioned_cache).
CACHE_MODULE = "bcp"


def plans_for(user: Any, organization: Organization) -> QuerySet[Plan]:
    """The organization's plans for the list page (one query, counts as subqueries)."""
    return (
        Plan.objects.for_user(user)
        .for_organization(organization)
        .select_related("department", "owner", "current_version", "template")
        .annotate(
            process_count=Count("critical_processes", distinct=True),
            risk_count=Count("risks", distinct=True),
        )
        .order_by("title")
    )


def plan_detail(user: Any, public_id) -> Plan:
    """One plan with everything its page shows, prefetched (a fixed number of queries)."""
    from organizations.tenancy import get_for_user_or_404

    queryset = Plan.objects.select_related(
        "organization", "department", "owner", "template", "current_version__author"
    ).prefetch_related(
        "template__sections",
        Prefetch(
            "critical_processes",
            queryset=CriticalProcess.objects.prefetch_related("depends_on", "vendors"),
        ),
        Prefetch("risks", queryset=Risk.objects.select_related("owner")),
        Prefetch("contacts", queryset=Contact.objects.select_related("alternate")),
        Prefetch("attachments"),
        Prefetch("exercises", queryset=Exercise.objects.prefetch_related("results__process")),
        "change_log_entries",
    )
    plan = get_for_user_or_404(Plan, user, "view", public_id=public_id)
    return queryset.get(pk=plan.pk)


def open_version(plan: Plan) -> PlanVersion | None:
    """The draft or in-review version of a plan, if any."""
    return (
        plan.versions.filter(status__in=PlanVersion.OPEN_STATUSES).select_related("author").first()
    )


def heat_map(risks: list[Risk]) -> list[dict[str, Any]]:
    """5×5 grid rows (impact 5 at the top) with the count of risks in each cell."""
    counts: dict[tuple[int, int], int] = {}
    for risk in risks:
        key = (risk.likelihood, risk.impact)
        counts[key] = counts.get(key, 0) + 1
    rows = []
    for impact in range(5, 0, -1):
        cells = [
            {
                "likelihood": likelihood,
                "impact": impact,
                "count": counts.get((likelihood, impact), 0),
                "level": Risk.level_for(likelihood * impact),
            }
            for likelihood in range(1, 6)
        ]
        rows.append({"impact": impact, "cells": cells})
    return rows


def plan_audience(plan: Plan) -> QuerySet[User]:
    """Who must acknowledge the plan: its department's members, or the whole organization."""
    memberships = Membership.objects.filter(organization_id=plan.organization_id)
    if plan.department_id:
        memberships = memberships.filter(department_id=plan.department_id)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "email"
    )


def acknowledgments_due(user: Any, organization: Organization) -> QuerySet[PlanVersion]:
    """Active versions of the organization's plans that `user` must acknowledge and has not: the
    plans whose audience (`plan_audience`: the department's members, or everyone) includes them."""
    member = Membership.objects.filter(user=user, organization_id=OuterRef("plan__organization_id"))
    in_department = member.filter(department_id=OuterRef("plan__department_id"))
    acked = Acknowledgment.objects.filter(version=OuterRef("pk"), user=user)
    return (
        PlanVersion.objects.for_user(user)
        .filter(plan__organization=organization, plan__current_version=F("pk"))
        .filter((Q(plan__department__isnull=True) & Q(Exists(member))) | Q(Exists(in_department)))
        .filter(~Exists(acked))
        .select_related("plan")
        .order_by("approved_at")
    )


def unacknowledged(plan: Plan) -> QuerySet[User]:
    """Members of the audience who have not acknowledged the active version."""
    if plan.current_version_id is None:
        return User.objects.none()
    acked = Acknowledgment.objects.filter(version_id=plan.current_version_id, user=OuterRef("pk"))
    return plan_audience(plan).filter(~Exists(acked))


@dataclass
class Finding:
    """One thing an ISO 22301 auditor would flag."""

    severity: str  # "error" or "warning"
    message: str
    link: str = ""


def readiness(plan: Plan) -> list[Finding]:
    """What an auditor would flag about this plan; an empty list means ready."""
    findings: list[Finding] = []
    detail = reverse("bcp:plan-detail", args=[plan.public_id])
    if plan.current_version_id is None:
        findings.append(Finding("error", "No approved version: the plan is not in force yet."))
    processes = list(plan.critical_processes.all())
    if not processes:
        findings.append(
            Finding("error", "No critical processes recorded (business impact analysis).", detail)
        )
    for process in processes:
        if process.rto_minutes is None or process.mtpd_minutes is None:
            findings.append(
                Finding("error", f"Process “{process.name}” has no RTO or no MTPD.", detail)
            )
        elif process.rto_minutes > process.mtpd_minutes:
            findings.append(
                Finding("error", f"Process “{process.name}”: RTO is longer than MTPD.", detail)
            )
        for warning in process.dependency_warnings():
            findings.append(Finding("warning", warning, detail))
    contacts = list(plan.contacts.all())
    if not contacts:
        findings.append(Finding("error", "No emergency contacts.", detail))
    for contact in contacts:
        if contact.alternate_id is None:
            findings.append(Finding("error", f"Contact {contact.name} has no alternate.", detail))
    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    if not any(e.held_on >= year_ago for e in plan.exercises.all()):
        findings.append(Finding("error", "No exercise in the last 12 months.", detail))
    if plan.next_review_date is None:
        findings.append(Finding("error", "No review date is set."))
    elif plan.next_review_date < timezone.localdate():
        findings.append(Finding("error", f"Review overdue since {plan.next_review_date:%Y-%m-%d}."))
    for risk in plan.risks.all():
        if risk.likelihood * risk.impact >= 15 and not risk.mitigation.strip():
            findings.append(Finding("warning", f"High risk “{risk.threat}” has no mitigation."))
    if plan.current_version_id is not None:
        missing = unacknowledged(plan).count()
        if missing:
            findings.append(
                Finding(
                    "error",
                    f"{missing} member(s) have not acknowledged the active version "
                    f"{plan.current_version.version_number}.",
                    detail + "#acknowledgments",
                )
            )
    return findings


def review_queue(user: Any, organization: Organization | None) -> QuerySet[Review]:
    """Reviews waiting for this user's decision (in the current organization)."""
    qs = (
        Review.objects.for_user(user)
        .filter(reviewer=user, status=Review.Status.PENDING)
        .select_related("version__plan__department", "version__author", "requested_by")
        .order_by("requested_at")
    )
    if organization is not None:
        qs = qs.filter(version__plan__organization=organization)
    return qs


def overdue_q() -> Q:
    """Plans whose review date has passed or was never set (archived plans excluded)."""
    return (Q(next_review_date__lt=timezone.localdate()) | Q(next_review_date__isnull=True)) & ~Q(
        status=Plan.Status.ARCHIVED
    )
