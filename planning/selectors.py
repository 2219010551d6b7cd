"""Reads of the planning app, scoped to the user asking. Progress is computed here, in SQL.

Progress of an objective: how far the current value went from the baseline towards the target,
as a percentage clamped to 0–100 (it works for metrics that should fall, too: target < baseline).
A goal's progress is the average of its objectives that are not cancelled or, when it has none, its
own metric's progress. A plan's progress is the average of its goals'.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.shortcuts import get_object_or_404

from organizations.models import Organization

from .models import AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective

PERCENT = DecimalField(max_digits=7, decimal_places=2)
#: Version-token namespace of an organization's cached planning pages (see versioned_cache).
CACHE_MODULE = "planning"


def metric_progress(prefix: str = "") -> Case:
    """SQL: progress (0–100) of a row with baseline/target/current values."""
    baseline = F(f"{prefix}baseline_value")
    target = F(f"{prefix}target_value")
    current = F(f"{prefix}current_value")
    hundred = Value(100, output_field=PERCENT)
    zero = Value(0, output_field=PERCENT)
    return Case(
        # No distance to cover: reached or not.
        When(
            Q(**{f"{prefix}target_value": baseline}, **{f"{prefix}current_value__gte": target}),
            then=hundred,
        ),
        When(Q(**{f"{prefix}target_value": baseline}), then=zero),
        default=Greatest(zero, Least(hundred, (current - baseline) * 100 / (target - baseline))),
        output_field=PERCENT,
    )


def goal_progress() -> Coalesce:
    """SQL, on a goal queryset: the average progress of its live objectives, else its own."""
    objectives = (
        WorkPlanObjective.objects.filter(goal=OuterRef("pk"))
        .exclude(status=WorkPlanObjective.Status.CANCELLED)
        .values("goal")
        .annotate(p=Avg(metric_progress()))
        .values("p")
    )
    return Coalesce(Subquery(objectives, output_field=PERCENT), metric_progress())


def plan_progress() -> Coalesce:
    """SQL, on a plan queryset: the average progress of its goals (0 without goals)."""
    goals = (
        StrategicGoal.objects.filter(plan=OuterRef("pk"))
        .annotate(gp=goal_progress())
        .values("plan")
        .annotate(p=Avg("gp"))
        .values("p")
    )
    return Coalesce(Subquery(goals, output_field=PERCENT), Value(0, output_field=PERCENT))


def plans_for(user: Any, organization: Organization) -> QuerySet[StrategicPlan]:
    """The organization's plans, with goal counts and progress (one query, any row count)."""
    return (
        StrategicPlan.objects.for_user(user)
        .for_organization(organization)
        .select_related("created_by")
        .annotate(goal_count=Count("goals", distinct=True), progress=plan_progress())
        .order_by("-start_year", "title")
    )


def plan_with_progress(user: Any, public_id) -> StrategicPlan:
    """One plan the user may see (404 otherwise), with its progress."""
    return get_object_or_404(
        StrategicPlan.objects.for_user(user, "view")
        .select_related("organization", "created_by", "approved_by")
        .annotate(progress=plan_progress()),
        public_id=public_id,
    )


def goals_of(plan: StrategicPlan) -> QuerySet[StrategicGoal]:
    """A plan's goals by priority (critical first), with progress and objective counts."""
    return plan.goals.annotate(
        progress=goal_progress(),
        objective_count=Count("objectives", distinct=True),
    ).order_by("priority", "title")


def goal_with_progress(goal: StrategicGoal) -> StrategicGoal:
    return goals_of(goal.plan).get(pk=goal.pk)


def work_plans_of(plan: StrategicPlan) -> QuerySet[AnnualWorkPlan]:
    return plan.work_plans.annotate(
        objective_count=Count("objectives"),
        progress=Coalesce(
            Avg(
                metric_progress("objectives__"),
                filter=~Q(objectives__status=WorkPlanObjective.Status.CANCELLED),
            ),
            Value(0, output_field=PERCENT),
        ),
    ).order_by("year")


def objectives_of(work_plan: AnnualWorkPlan) -> QuerySet[WorkPlanObjective]:
    return (
        work_plan.objectives.select_related("goal")
        .annotate(progress=metric_progress())
        .order_by("goal__priority", "goal__title", "title")
    )


def objective_with_progress(objective: WorkPlanObjective) -> WorkPlanObjective:
    return objectives_of(objective.work_plan).get(pk=objective.pk)


def goal_choices(user: Any, organization: Organization) -> QuerySet[StrategicGoal]:
    """Goals a budget program may serve: those of the organization's plans."""
    return (
        StrategicGoal.objects.for_user(user)
        .filter(plan__organization=organization)
        .select_related("plan")
        .order_by("plan__start_year", "priority", "title")
    )


# --- every organization at once, grouped (the OCM dashboard composes these) ----------------------
# Progress as above; archived plans and their goals, work plans and objectives leave the counts.


def plans_by_organization() -> QuerySet:
    """Every strategic plan as a row (organization id, title, status, years, progress, goal
    count), by organization, newest first (one query)."""
    return (
        StrategicPlan.objects.annotate(
            progress=plan_progress(), goal_count=Count("goals", distinct=True)
        )
        .values(
            "organization_id", "title", "status", "start_year", "end_year", "progress", "goal_count"
        )
        .order_by("organization_id", "-start_year", "title")
    )


def goals_by_organization() -> QuerySet:
    """Per organization (`plan__organization_id`): the number of goals of plans not archived and
    their average progress (`n`, `progress`; one grouped query)."""
    return (
        StrategicGoal.objects.exclude(plan__status=StrategicPlan.Status.ARCHIVED)
        .annotate(gp=goal_progress())
        .values("plan__organization_id")
        .annotate(n=Count("id"), progress=Avg("gp"))
        .order_by()
    )


def objectives_by_organization() -> QuerySet:
    """Per organization and objective status: the number of objectives of plans not archived and
    their average progress (`work_plan__plan__organization_id`, `status`, `n`, `progress`)."""
    return (
        WorkPlanObjective.objects.exclude(work_plan__plan__status=StrategicPlan.Status.ARCHIVED)
        .values("work_plan__plan__organization_id", "status")
        .annotate(n=Count("id"), progress=Avg(metric_progress()))
        .order_by()
    )


def work_plans_by_organization() -> QuerySet:
    """(organization id, year, number of work plans) of plans not archived."""
    return (
        AnnualWorkPlan.objects.exclude(plan__status=StrategicPlan.Status.ARCHIVED)
        .values_list("plan__organization_id", "year")
        .annotate(Count("id"))
        .order_by("plan__organization_id", "year")
    )
