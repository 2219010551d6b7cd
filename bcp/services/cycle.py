"""The BC programme cycle's writes: the exercise programme (ISO 22301 8.5), its
corrective actions (10.1) and review campaigns (8.6).


An exercise is planned ahead (type, date, scenario, processes in scope, facilitator,
participants) and can be changed while it is planned; conducting it records the recovery time
each process achieved against its RTO, and the findings; corrective actions are records with an
owner and a due date, closed with evidence. Recording an exercise or an action does not make
anyone a contributor to the plan (segregation of duties is about the plan's text and registers).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit, formats, policies
from core.tenancy import require
from organizations.models import Membership

from ..models import (
    CorrectiveAction,
    CriticalProcess,
    Exercise,
    ExerciseResult,
    Plan,
    ReviewCampaign,
)
from .registers import _check_room

EXERCISE_FIELDS = ["kind", "status", "held_on", "scenario", "facilitator_id", "participants"]
ACTION_FIELDS = ["description", "owner_id", "due_date", "status", "evidence", "closed_by_id"]


def _audit(actor: Any, action: str, subject: Any, plan: Plan, before=None, after=None) -> None:
    audit.record(
        actor=actor,
        action=action,
        subject=subject,
        organization=plan.organization,
        before=before,
        after=after,
    )


def _editable(actor: Any, plan: Plan) -> None:
    require(actor, plan.organization_id, "change")
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived and can no longer be changed.")


def _check_member(plan: Plan, user: Any, field: str) -> None:
    if (
        user is not None
        and not Membership.objects.filter(organization_id=plan.organization_id, user=user).exists()
    ):
        raise ValidationError({field: "Choose a member of the organization."})


def _check_scope(plan: Plan, processes: Iterable[CriticalProcess]) -> list[CriticalProcess]:
    processes = list(processes)
    if any(p.plan_id != plan.pk for p in processes):
        raise ValidationError({"processes": "Choose processes of this plan only."})
    return processes


def _lock(exercise: Exercise) -> Exercise:
    return (
        Exercise.objects.select_for_update(of=("self",))
        .select_related("plan__organization")
        .get(pk=exercise.pk)
    )


@transaction.atomic
def exercise_schedule(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    held_on: datetime.date,
    scenario: str,
    facilitator: Any = None,
    processes: Iterable[CriticalProcess] = (),
    participants: str = "",
) -> Exercise:
    """Plan an exercise ahead (editors). Its date is today or later."""
    _editable(actor, plan)
    _check_room(plan, "exercises")
    if held_on < timezone.localdate():
        raise ValidationError(
            {"held_on": "Plan exercises ahead; use “Record an exercise” for one already held."}
        )
    _check_member(plan, facilitator, "facilitator")
    scope = _check_scope(plan, processes)
    exercise = Exercise(
        plan=plan,
        kind=kind,
        status=Exercise.Status.PLANNED,
        held_on=held_on,
        scenario=scenario,
        facilitator=facilitator,
        participants=participants,
        recorded_by=actor,
    )
    exercise.full_clean()
    exercise.save()
    exercise.processes.set(scope)
    _audit(
        actor,
        "bcp.exercise.planned",
        exercise,
        plan,
        after=audit.snapshot(exercise, EXERCISE_FIELDS) | {"processes": [p.pk for p in scope]},
    )
    return exercise


@transaction.atomic
def exercise_update(
    *, actor: Any, exercise: Exercise, processes: Iterable[CriticalProcess] | None = None, **data
) -> Exercise:
    """Change a planned exercise (editors); a conducted or cancelled one is a record."""
    exercise = _lock(exercise)
    plan = exercise.plan
    _editable(actor, plan)
    if not exercise.is_planned:
        raise ValidationError(
            f"This exercise is {exercise.get_status_display().lower()}: it can no longer change."
        )
    before = audit.snapshot(exercise, EXERCISE_FIELDS) | {
        "processes": sorted(exercise.processes.values_list("pk", flat=True))
    }
    allowed = {"kind", "held_on", "scenario", "facilitator", "participants"}
    for name, value in data.items():
        if name not in allowed:
            raise TypeError(f"exercise_update() cannot change {name}")
        setattr(exercise, name, value)
    _check_member(plan, exercise.facilitator, "facilitator")
    exercise.full_clean()
    exercise.save()
    if processes is not None:
        exercise.processes.set(_check_scope(plan, processes))
    after = audit.snapshot(exercise, EXERCISE_FIELDS) | {
        "processes": sorted(exercise.processes.values_list("pk", flat=True))
    }
    if after != before:
        _audit(actor, "bcp.exercise.updated", exercise, plan, before=before, after=after)
    return exercise


@transaction.atomic
def exercise_conduct(
    *,
    actor: Any,
    exercise: Exercise,
    results: dict[CriticalProcess, int] | None = None,
    findings: str = "",
) -> Exercise:
    """Record that a planned exercise took place: achieved RTO per process, findings.

    The target is each process's RTO at the time of recording, so a later change of the RTO
    does not rewrite the exercise's outcome.
    """
    exercise = _lock(exercise)
    plan = exercise.plan
    _editable(actor, plan)
    if not exercise.is_planned:
        raise ValidationError(f"This exercise is already {exercise.get_status_display().lower()}.")
    if exercise.held_on > timezone.localdate():
        raise ValidationError(
            f"This exercise is planned for {formats.date(exercise.held_on)}: record its results "
            "once it has taken place (or change its date)."
        )
    _record_results(exercise, results or {})
    exercise.status = Exercise.Status.CONDUCTED
    exercise.conducted_at = timezone.now()
    exercise.findings = findings
    exercise.full_clean()
    exercise.save(update_fields=["status", "conducted_at", "findings", "updated_at"])
    _audit(
        actor,
        "bcp.exercise.conducted",
        exercise,
        plan,
        after={
            "findings": findings,
            "results": {p.name: a for p, a in (results or {}).items()},
        },
    )
    return exercise


def _record_results(exercise: Exercise, results: dict[CriticalProcess, int]) -> None:
    for process, achieved in results.items():
        if process.plan_id != exercise.plan_id:
            raise ValidationError("Results can only be recorded for this plan's processes.")
        if process.rto_minutes is None:
            raise ValidationError(f"“{process.name}” has no RTO to test against; set it first.")
        ExerciseResult.objects.create(
            exercise=exercise,
            process=process,
            target_rto_minutes=process.rto_minutes,
            achieved_rto_minutes=achieved,
        )


@transaction.atomic
def exercise_cancel(*, actor: Any, exercise: Exercise) -> Exercise:
    """Cancel a planned exercise (kept as a record)."""
    exercise = _lock(exercise)
    _editable(actor, exercise.plan)
    if not exercise.is_planned:
        raise ValidationError("Only a planned exercise can be cancelled.")
    exercise.status = Exercise.Status.CANCELLED
    exercise.save(update_fields=["status", "updated_at"])
    _audit(
        actor,
        "bcp.exercise.cancelled",
        exercise,
        exercise.plan,
        before={"status": "planned"},
        after={"status": "cancelled"},
    )
    return exercise


# --- corrective actions ---------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    actor: Any,
    exercise: Exercise,
    description: str,
    owner: Any,
    due_date: datetime.date,
    process: CriticalProcess | None = None,
) -> CorrectiveAction:
    """Raise a corrective action from a conducted exercise (editors)."""
    exercise = _lock(exercise)
    plan = exercise.plan
    _editable(actor, plan)
    if not exercise.is_conducted:
        raise ValidationError("Corrective actions come from an exercise that took place.")
    _check_member(plan, owner, "owner")
    if process is not None and process.plan_id != plan.pk:
        raise ValidationError({"process": "Choose a process of this plan."})
    if exercise.corrective_actions.count() >= MAX_ACTIONS_PER_EXERCISE:
        raise ValidationError(
            f"An exercise can have at most {MAX_ACTIONS_PER_EXERCISE} corrective actions."
        )
    action = CorrectiveAction(
        exercise=exercise,
        process=process,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
    )
    action.full_clean()
    action.save()
    _audit(
        actor,
        "bcp.action.created",
        action,
        plan,
        after=audit.snapshot(action, ACTION_FIELDS),
    )
    return action


#: An exercise's actions are listed on its page and read by the readiness check.
MAX_ACTIONS_PER_EXERCISE = 100


@transaction.atomic
def action_progress(
    *, actor: Any, action: CorrectiveAction, status: str, evidence: str = ""
) -> CorrectiveAction:
    """Move an action on: in progress, or done with evidence (closing records who and when).

    Its owner (a member) or an editor may; a closed action stays closed.
    """
    action = (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("exercise__plan__organization")
        .get(pk=action.pk)
    )
    plan = action.exercise.plan
    if not policies.may_progress_corrective_action(actor, action):
        raise PermissionDenied("Only the action's owner or an editor of the plan can update it.")
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived and can no longer be changed.")
    if action.status == CorrectiveAction.Status.DONE:
        raise ValidationError("This action is closed.")
    before = audit.snapshot(action, ACTION_FIELDS)
    evidence = evidence.strip()
    if status == CorrectiveAction.Status.DONE:
        if not evidence:
            raise ValidationError({"evidence": "Say what shows the action is done."})
        action.done_at = timezone.now()
        action.closed_by = actor
    elif status != CorrectiveAction.Status.IN_PROGRESS:
        raise ValidationError({"status": "Choose in progress or done."})
    action.status = status
    if evidence:
        action.evidence = evidence
    action.full_clean()
    action.save()
    _audit(
        actor,
        "bcp.action.closed" if status == "done" else "bcp.action.updated",
        action,
        plan,
        before=before,
        after=audit.snapshot(action, ACTION_FIELDS),
    )
    return action


# --- review campaigns -----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    organization: Any,
    title: str,
    starts_on: datetime.date,
    due_date: datetime.date,
    notes: str = "",
) -> ReviewCampaign:
    """Start an organization-wide review campaign (approvers and org admins)."""
    require(actor, organization.pk, "approve")
    campaign = ReviewCampaign(
        organization=organization,
        created_by=actor,
        title=title.strip(),
        starts_on=starts_on,
        due_date=due_date,
        notes=notes,
    )
    campaign.full_clean()
    campaign.save()
    audit.record(
        actor=actor,
        action="bcp.campaign.created",
        subject=campaign,
        organization=organization,
        after=audit.snapshot(campaign, ["title", "starts_on", "due_date"]),
    )
    return campaign
