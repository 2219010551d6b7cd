"""Views of the BC programme cycle: exercise programme and calendar, corrective
actions, review campaigns, department coverage board and comparison. Thin: the reads live in
bcp.cycle / bcp.coverage / bcp.readiness, the writes in bcp.exercises."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core import formats, policies
from core.generic import edit_view
from core.tenancy import get_for_user_or_404, require, tenancy_of
from core.web import current_organization, paginate

from .. import coverage, cycle, services
from ..forms import (
    ActionProgressForm,
    CorrectiveActionForm,
    ExerciseConductForm,
    ExerciseScheduleForm,
    ReviewCampaignForm,
)
from ..models import CorrectiveAction, Exercise, Plan, ReviewCampaign
from ._common import BC_PLANS, _page, _plan_url


def _exercise_url(exercise: Exercise, anchor: str = "") -> str:
    url = reverse("bcp:exercise-detail", args=[exercise.public_id])
    return f"{url}#{anchor}" if anchor else url


# --- exercise programme ---------------------------------------------------------------------------


@login_required
def exercise_detail(request: HttpRequest, public_id) -> HttpResponse:
    exercise = get_for_user_or_404(Exercise, request.user, "view", public_id=public_id)
    exercise = Exercise.objects.select_related(
        "plan__organization", "facilitator", "recorded_by"
    ).get(pk=exercise.pk)
    plan = exercise.plan
    actions = list(
        exercise.corrective_actions.select_related("owner", "closed_by", "process").order_by(
            "status", "due_date", "id"
        )
    )
    return render(
        request,
        "bcp/exercise_detail.html",
        {
            "exercise": exercise,
            "plan": plan,
            "today": timezone.localdate(),
            "scope": exercise.processes.order_by("priority", "name"),
            "results": exercise.results.select_related("process"),
            "actions": actions,
            "may_progress": {
                a.pk for a in actions if policies.may_progress_corrective_action(request.user, a)
            },
            "can_change": tenancy_of(request.user).can(plan.organization_id, "change")
            and plan.status != Plan.Status.ARCHIVED,
        },
    )


@login_required
def exercise_schedule(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = ExerciseScheduleForm(request.POST or None, plan=plan)
    return edit_view(
        request,
        form,
        save=lambda data: services.exercise_schedule(actor=request.user, plan=plan, **data),
        success_message=lambda exercise: f"{exercise} planned.",
        success_url=_exercise_url,
        **_page(
            plan,
            title=f"Plan an exercise of “{plan.title}”",
            cancel_url=_plan_url(plan, "exercises"),
            intro=lambda: (
                "Plan it ahead: it can be changed until it is conducted. The programme "
                f"asks for at least {cycle.policy_for(plan.organization_id).exercises_per_year} "
                "exercise(s) per plan every 12 months."
            ),
        ),
    )


@login_required
def exercise_edit(request: HttpRequest, public_id) -> HttpResponse:
    exercise = get_for_user_or_404(Exercise, request.user, "change", public_id=public_id)
    plan = exercise.plan
    if not exercise.is_planned:
        messages.error(request, "Only a planned exercise can be changed; this one is a record.")
        return redirect(_exercise_url(exercise))
    form = ExerciseScheduleForm(request.POST or None, instance=exercise, plan=plan)

    def save(data):
        # The form's instance took the posted values: the service gets the row as stored.
        return services.exercise_update(
            actor=request.user, exercise=Exercise.objects.get(pk=exercise.pk), **data
        )

    return edit_view(
        request,
        form,
        save=save,
        success_message="Exercise saved.",
        success_url=_exercise_url(exercise),
        **_page(plan, title=f"Change {exercise}", cancel_url=_exercise_url(exercise)),
    )


@login_required
def exercise_conduct(request: HttpRequest, public_id) -> HttpResponse:
    exercise = get_for_user_or_404(Exercise, request.user, "change", public_id=public_id)
    if not exercise.is_planned:
        messages.error(request, "The results of this exercise are already recorded.")
        return redirect(_exercise_url(exercise))
    form = ExerciseConductForm(request.POST or None, exercise=exercise)
    return edit_view(
        request,
        form,
        save=lambda data: services.exercise_conduct(
            actor=request.user,
            exercise=exercise,
            results=form.results(),
            findings=data["findings"],
        ),
        success_message="Results recorded. Raise a corrective action for each gap found.",
        success_url=_exercise_url(exercise, "actions"),
        **_page(
            exercise.plan,
            title=f"Record the results of {exercise}",
            cancel_url=_exercise_url(exercise),
            intro="The target of each process is its RTO today. Leave a process empty if it "
            "was not tested.",
        ),
    )


@login_required
def exercise_cancel(request: HttpRequest, public_id) -> HttpResponse:
    exercise = get_for_user_or_404(Exercise, request.user, "change", public_id=public_id)
    if request.method == "POST":
        try:
            services.exercise_cancel(actor=request.user, exercise=exercise)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{exercise} cancelled.")
        return redirect(_exercise_url(exercise))
    return render(
        request,
        "confirm.html",
        _page(
            exercise.plan,
            title=f"Cancel exercise “{exercise}”?",
            intro="It stays in the programme as cancelled; plan another one so the plan is "
            "still exercised this year.",
            submit_label="Yes, cancel it",
            danger=True,
            cancel_url=_exercise_url(exercise),
        ),
    )


@login_required
def exercise_calendar(request: HttpRequest) -> HttpResponse:
    """The organization's exercise programme: planned and held exercises, by date."""
    organization = current_organization(request, BC_PLANS)
    today = timezone.localdate()
    scope = request.GET.get("show", "upcoming")
    qs = (
        Exercise.objects.for_user(request.user)
        .filter(plan__organization=organization)
        .select_related("plan__department", "facilitator")
    )
    if scope == "past":
        qs = qs.exclude(status=Exercise.Status.PLANNED, held_on__gte=today).order_by(
            "-held_on", "-pk"
        )
    else:
        scope = "upcoming"
        qs = qs.filter(status=Exercise.Status.PLANNED).order_by("held_on", "pk")
    due = _plans_due_an_exercise(organization)
    return render(
        request,
        "bcp/exercise_calendar.html",
        {
            "organization": organization,
            "page": paginate(request, qs),
            "scope": scope,
            "today": today,
            "due": due,
            "policy": cycle.policy_for(organization.pk),
        },
    )


def _plans_due_an_exercise(organization) -> list[Plan]:
    """Plans with no exercise held in the last 12 months and none planned (the default policy:
    at least one exercise per plan per year)."""
    from django.db.models import Exists, OuterRef, Q

    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    held_or_planned = Exercise.objects.filter(plan=OuterRef("pk")).filter(
        Q(status=Exercise.Status.CONDUCTED, held_on__gte=year_ago)
        | Q(status=Exercise.Status.PLANNED)
    )
    return list(
        Plan.objects.filter(organization=organization)
        .exclude(status=Plan.Status.ARCHIVED)
        .filter(~Exists(held_or_planned))
        .select_related("department")
        .order_by("title")[:50]
    )


# --- corrective actions ---------------------------------------------------------------------------


@login_required
def action_create(request: HttpRequest, public_id) -> HttpResponse:
    exercise = get_for_user_or_404(Exercise, request.user, "change", public_id=public_id)
    form = CorrectiveActionForm(request.POST or None, exercise=exercise)
    return edit_view(
        request,
        form,
        save=lambda data: services.action_create(actor=request.user, exercise=exercise, **data),
        success_message="Corrective action recorded.",
        success_url=_exercise_url(exercise, "actions"),
        **_page(
            exercise.plan,
            title=f"Corrective action from {exercise}",
            cancel_url=_exercise_url(exercise, "actions"),
            intro="One action per gap: who does what, by when. It is closed with evidence.",
        ),
    )


@login_required
def action_edit(request: HttpRequest, public_id) -> HttpResponse:
    action = get_for_user_or_404(CorrectiveAction, request.user, "view", public_id=public_id)
    if not policies.may_progress_corrective_action(request.user, action):
        raise PermissionDenied("Only the action's owner or an editor of the plan can update it.")
    exercise = action.exercise
    form = ActionProgressForm(request.POST or None, initial={"evidence": action.evidence})
    return edit_view(
        request,
        form,
        save=lambda data: services.action_progress(actor=request.user, action=action, **data),
        success_message="Corrective action updated.",
        success_url=_exercise_url(exercise, "actions"),
        **_page(
            exercise.plan,
            title=f"Update the action “{action.description[:60]}”",
            cancel_url=_exercise_url(exercise, "actions"),
            intro=lambda: (
                f"Owner {action.owner} · due {formats.date(action.due_date)} · "
                f"{action.get_status_display()}."
            ),
        ),
    )


# --- review campaigns -----------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    campaigns = cycle.campaigns_for(request.user, organization)
    return render(
        request,
        "bcp/campaign_list.html",
        {
            "organization": organization,
            "page": paginate(request, campaigns),
            "today": timezone.localdate(),
            "can_approve": tenancy_of(request.user).can(organization.pk, "approve"),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    require(request.user, organization.pk, "approve")
    today = timezone.localdate()
    form = ReviewCampaignForm(
        request.POST or None, initial={"starts_on": today, "due_date": cycle.add_months(today, 3)}
    )
    return edit_view(
        request,
        form,
        save=lambda data: services.campaign_create(
            actor=request.user, organization=organization, **data
        ),
        success_message=lambda campaign: f"Review campaign “{campaign.title}” started.",
        success_url=lambda campaign: reverse("bcp:campaign-detail", args=[campaign.public_id]),
        **_page(
            title=f"New review campaign in {organization.code}",
            cancel_url=reverse("bcp:campaign-list"),
            intro="Every departmental plan must be reviewed (a version approved) between the "
            "start and the due date. The campaign page shows each plan's state.",
        ),
    )


@login_required
def campaign_detail(request: HttpRequest, public_id) -> HttpResponse:
    campaign = get_for_user_or_404(ReviewCampaign, request.user, "view", public_id=public_id)
    rows = cycle.campaign_rows(campaign)
    counts = dict.fromkeys(cycle.CAMPAIGN_STATES, 0)
    for row in rows:
        counts[row.state] += 1
    return render(
        request,
        "bcp/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "counts": [(cycle.CAMPAIGN_STATES[s], n, s) for s, n in counts.items()],
            "reviewed": counts["reviewed"],
            "total": len(rows),
            "today": timezone.localdate(),
        },
    )


# --- coverage and comparison ----------------------------------------------------------------------


@login_required
def coverage_board(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    require(request.user, organization.pk, "view")
    board = coverage.coverage_board(organization)
    return render(request, "bcp/coverage.html", {"organization": organization, "board": board})


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    require(request.user, organization.pk, "view")
    from organizations.models import Department

    departments = list(Department.objects.for_organization(organization).order_by("name"))
    chosen = request.GET.getlist("department")[: coverage.MAX_COMPARED]
    valid = {str(d.public_id) for d in departments}
    chosen = [c for c in chosen if c in valid]
    compared = coverage.compare_departments(organization, chosen) if len(chosen) >= 2 else []
    return render(
        request,
        "bcp/compare.html",
        {
            "organization": organization,
            "departments": departments,
            "chosen": set(chosen),
            "compared": compared,
            "max_compared": coverage.MAX_COMPARED,
            "too_few": bool(request.GET) and len(chosen) < 2,
        },
    )
