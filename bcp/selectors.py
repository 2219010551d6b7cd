"""Reads of the bcp app, always scoped to the user asking."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from organizations.models import Organization

from . import cycle
from . import readiness as readiness_module
from .models import (
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
    from core.tenancy import get_for_user_or_404

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


# One definition of who must acknowledge (bcp.cycle) and of the readiness check (bcp.readiness);
# re-exported here for the views and templates that read them through the selectors.
plan_audience = cycle.plan_audience
unacknowledged = cycle.unacknowledged
Finding = readiness_module.Finding
readiness = readiness_module.readiness
acknowledgments_due = cycle.acknowledgments_due


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
