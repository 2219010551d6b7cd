"""Writes of the planning app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import notifications
from core import audit, contributions, locking, policies, writes
from core.tenancy import require
from organizations.models import Organization

from .models import AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective

PLAN_FIELDS = ["title", "start_year", "end_year", "vision", "mission", "status"]
GOAL_FIELDS = [
    "title",
    "description",
    "priority",
    "target_metric",
    "baseline_value",
    "target_value",
    "current_value",
]
WORK_PLAN_FIELDS = ["year", "title", "notes"]
OBJECTIVE_FIELDS = [
    "goal_id",
    "title",
    "indicator",
    "baseline_value",
    "target_value",
    "current_value",
    "target_date",
    "status",
]


#: Someone else saved the record since the form was opened (optimistic locking).
StaleEdit = locking.StaleEdit


def _require_draft(plan: StrategicPlan) -> None:
    if not plan.is_editable:
        raise ValidationError(
            f"This plan is {plan.get_status_display().lower()}: its goals and text can no longer "
            "change. Only draft plans are edited."
        )


def _require_not_archived(plan: StrategicPlan) -> None:
    if plan.status == StrategicPlan.Status.ARCHIVED:
        raise ValidationError("This plan is archived: nothing in it changes any more.")


# --- plans ---------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Any, organization: Organization, **data: Any) -> StrategicPlan:
    """Create a draft strategic plan in the actor's organization (editors and up)."""
    require(actor, organization.pk, "change")
    plan = StrategicPlan(organization=organization, created_by=actor, **data)
    plan.status = StrategicPlan.Status.DRAFT
    writes.create(plan, actor=actor, action="strategic_plan.created", fields=PLAN_FIELDS)
    contributions.record(actor=actor, subject=plan)
    return plan


@transaction.atomic
def plan_update(
    *, actor: Any, plan: StrategicPlan, revision: int | None, **data: Any
) -> StrategicPlan:
    """Change a draft plan. A missing or stale `revision` saves nothing (MissingRevision,
    StaleEdit)."""
    require(actor, plan.organization_id, "change")
    plan = writes.lock(
        plan,
        revision=revision,
        stale_message="Someone else saved this plan while you were editing it. Your changes were "
        "not saved: they are still in the form below; reload the page to see theirs, then "
        "edit again.",
    )
    _require_draft(plan)
    if writes.update(
        plan,
        data,
        actor=actor,
        action="strategic_plan.updated",
        fields=PLAN_FIELDS,
        check=_check_work_plan_years,
        save_unchanged=False,
        bump_revision=True,
    ):
        contributions.record(actor=actor, subject=plan)
    return plan


def _check_work_plan_years(plan: StrategicPlan) -> None:
    outside = plan.work_plans.exclude(year__gte=plan.start_year, year__lte=plan.end_year)
    if outside.exists():
        years = ", ".join(str(y) for y in outside.values_list("year", flat=True))
        raise ValidationError(
            f"The plan has work plans for {years}: keep those years inside the plan's years."
        )


#: Transitions the plan's preparer and contributors are told about (notifications/events.py).
PLAN_EVENTS = {"approve": "planning.plan_approved", "reopen": "planning.plan_reopened"}

#: Allowed status moves and the role each needs.
PLAN_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # action: (from statuses, to status, required role action)
    "approve": (("draft",), "approved", "approve"),
    "activate": (("approved",), "active", "approve"),
    "archive": (("approved", "active"), "archived", "approve"),
    "reopen": (("approved",), "draft", "approve"),
}


@transaction.atomic
def plan_transition(*, actor: Any, plan: StrategicPlan, action: str) -> StrategicPlan:
    """Move a plan through its life: approve (not by its author), activate, archive, reopen."""
    if action not in PLAN_TRANSITIONS:
        raise ValidationError(f"Unknown action “{action}”.")
    sources, target, needed = PLAN_TRANSITIONS[action]
    require(actor, plan.organization_id, needed)
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in sources:
        raise ValidationError(
            f"A {plan.get_status_display().lower()} plan cannot be {action}d "
            f"(it must be {' or '.join(sources)})."
        )
    if action == "approve":
        policies.check_segregation(actor, plan)
        if not plan.goals.exists():
            raise ValidationError("A plan needs at least one goal before it is approved.")
        plan.approved_by = actor
        plan.approved_at = timezone.now()
    if action == "reopen":
        plan.approved_by = None
        plan.approved_at = None
    before = audit.snapshot(plan, ["status"])
    plan.status = target
    plan.revision += 1
    plan.save()
    audit.record(
        actor=actor,
        action=f"strategic_plan.{target if action != 'reopen' else 'reopened'}",
        subject=plan,
        before=before,
        after=audit.snapshot(plan, ["status"]),
    )
    if action in PLAN_EVENTS:
        notifications.emit(PLAN_EVENTS[action], plan, actor=actor)
    return plan


# --- goals ---------------------------------------------------------------------------------------


@transaction.atomic
def goal_create(*, actor: Any, plan: StrategicPlan, **data: Any) -> StrategicGoal:
    """Add a goal to a draft plan."""
    require(actor, plan.organization_id, "change")
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk)
    _require_draft(plan)
    goal = StrategicGoal(plan=plan, **data)
    writes.create(goal, actor=actor, action="strategic_goal.created", fields=GOAL_FIELDS)
    contributions.record(actor=actor, subject=plan)
    return goal


@transaction.atomic
def goal_update(*, actor: Any, goal: StrategicGoal, **data: Any) -> StrategicGoal:
    """Change a goal. In a draft plan, anything; later, only its current value (monitoring)."""
    plan = goal.plan
    require(actor, plan.organization_id, "change")
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk)
    goal = writes.lock(goal)
    _require_not_archived(plan)
    if not plan.is_editable:
        changed = {k for k, v in data.items() if getattr(goal, k) != v}
        if changed - {"current_value"}:
            _require_draft(plan)
    if writes.update(
        goal,
        data,
        actor=actor,
        action="strategic_goal.updated",
        fields=GOAL_FIELDS,
        organization=plan.organization,
    ):
        contributions.record(actor=actor, subject=plan)
    return goal


@transaction.atomic
def goal_delete(*, actor: Any, goal: StrategicGoal) -> None:
    """Delete a goal of a draft plan, and its objectives; programs keep their money."""
    plan = goal.plan
    require(actor, plan.organization_id, "change")
    _require_draft(StrategicPlan.objects.select_for_update().get(pk=plan.pk))
    from budgeting.models import ProgramBudget

    if ProgramBudget.objects.filter(goal=goal).exists():
        raise ValidationError(
            "Budget programs are linked to this goal: it cannot be deleted. Link them to another "
            "goal first."
        )
    contributions.record(actor=actor, subject=plan)
    writes.delete(goal, actor=actor, action="strategic_goal.deleted", fields=GOAL_FIELDS)


# --- work plans and objectives -------------------------------------------------------------------


@transaction.atomic
def work_plan_create(*, actor: Any, plan: StrategicPlan, **data: Any) -> AnnualWorkPlan:
    """Add the work plan of one year (inside the plan's years, one per year)."""
    require(actor, plan.organization_id, "change")
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk)
    _require_not_archived(plan)
    work_plan = AnnualWorkPlan(plan=plan, **data)
    writes.create(work_plan, actor=actor, action="work_plan.created", fields=WORK_PLAN_FIELDS)
    contributions.record(actor=actor, subject=plan)
    return work_plan


@transaction.atomic
def objective_create(*, actor: Any, work_plan: AnnualWorkPlan, **data: Any) -> WorkPlanObjective:
    """Add an objective to a work plan; its goal must belong to the same plan."""
    plan = work_plan.plan
    require(actor, plan.organization_id, "change")
    _require_not_archived(StrategicPlan.objects.select_for_update().get(pk=plan.pk))
    objective = WorkPlanObjective(work_plan=work_plan, **data)
    objective.check_target_in_year()
    writes.create(
        objective,
        actor=actor,
        action="work_plan_objective.created",
        fields=OBJECTIVE_FIELDS,
        organization=plan.organization,
    )
    contributions.record(actor=actor, subject=plan)
    return objective


@transaction.atomic
def objective_update(*, actor: Any, objective: WorkPlanObjective, **data: Any) -> WorkPlanObjective:
    """Change an objective (its progress is tracked all year, so approval does not freeze it)."""
    plan = objective.work_plan.plan
    require(actor, plan.organization_id, "change")
    _require_not_archived(StrategicPlan.objects.select_for_update().get(pk=plan.pk))
    objective = writes.lock(objective)
    old_target = objective.target_date

    def check_target(objective: WorkPlanObjective) -> None:
        if objective.target_date != old_target:
            objective.check_target_in_year()

    if writes.update(
        objective,
        data,
        actor=actor,
        action="work_plan_objective.updated",
        fields=OBJECTIVE_FIELDS,
        organization=plan.organization,
        prepare=check_target,
    ):
        contributions.record(actor=actor, subject=plan)
    return objective


@transaction.atomic
def objective_delete(*, actor: Any, objective: WorkPlanObjective) -> None:
    """Delete an objective."""
    plan = objective.work_plan.plan
    require(actor, plan.organization_id, "change")
    _require_not_archived(StrategicPlan.objects.select_for_update().get(pk=plan.pk))
    contributions.record(actor=actor, subject=plan)
    writes.delete(
        objective,
        actor=actor,
        action="work_plan_objective.deleted",
        fields=OBJECTIVE_FIELDS,
        organization=plan.organization,
    )
