"""Views of the planning app (thin: selectors read, services write).

Goals and objectives are edited inline with htmx: the row's Edit link swaps the row for a form
row, and the form answers with the saved row (or itself, with the errors). Without JavaScript the
same links open full pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import reswap, retarget

from core import policies
from core.generic import confirm_view, edit_view
from core.listing import Sorting, csv_export
from core.tenancy import get_for_user_or_404, require
from core.web import (
    current_organization,
    fragment_key,
    is_inline,
    paginate,
    results_template,
)

from . import selectors, services
from .filters import PlanFilter
from .forms import GoalForm, ObjectiveForm, PlanForm, WorkPlanForm
from .models import AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective


def _page(**page) -> dict:
    """A planning form or confirm page's contract (core/generic.py): the app's assets."""
    return {"head": "planning/_head.html", **page}


# --- plans ---------------------------------------------------------------------------------------


#: The plan list's sortable columns (core/listing.py): key → ORDER BY.
PLAN_SORT = Sorting(
    {
        "title": "title",
        "years": ("start_year", "end_year"),
        "status": "status",
        "goals": "goal_count",
        "progress": "progress",
        "author": ("created_by__last_name", "created_by__first_name"),
    }
)


def _plan_filter(request: HttpRequest, organization) -> PlanFilter:
    return PlanFilter(request.GET, queryset=selectors.plans_for(request.user, organization))


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, "Strategic plans")
    # Built only when the cached list fragment is missing or stale.
    filterset = SimpleLazyObject(lambda: _plan_filter(request, organization))
    sort = PLAN_SORT.bind(request)
    return render(
        request,
        results_template(request, "planning/plan_list.html"),
        {
            "filter": filterset,
            "sort": sort,
            "page": paginate(request, lambda: filterset.qs, sort=sort),
            "can_create": policies.may_create_plan(request.user, organization),
            "fragment_key": fragment_key(request, selectors.CACHE_MODULE),
        },
    )


@login_required
@require_safe
def plan_export(request: HttpRequest) -> HttpResponse:
    """The plan list as CSV: the same filters and order, every page."""
    organization = current_organization(request, "Strategic plans")
    rows = PLAN_SORT.bind(request).apply(_plan_filter(request, organization).qs)
    return csv_export(
        f"{organization.code}-strategic-plans",
        [
            ("Title", lambda p: p.title),
            ("Start year", lambda p: p.start_year),
            ("End year", lambda p: p.end_year),
            ("Status", lambda p: p.get_status_display()),
            ("Goals", lambda p: p.goal_count),
            ("Progress (%)", lambda p: round(p.progress or 0)),
            ("Author", lambda p: p.created_by or ""),
            ("Last changed", lambda p: p.updated_at),
        ],
        rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, "Strategic plans")
    require(request.user, organization.pk, "change")
    form = PlanForm(request.POST or None)
    return edit_view(
        request,
        form,
        save=lambda _: services.plan_create(
            actor=request.user, organization=organization, **form.service_data()
        ),
        success_message=lambda plan: f"Plan “{plan.title}” created. Add its goals.",
        success_url=lambda plan: reverse("planning:plan-detail", args=[plan.public_id]),
        **_page(
            title=f"New strategic plan for {organization.code}",
            cancel_url=reverse("planning:plan-list"),
        ),
    )


@login_required
def plan_detail(request: HttpRequest, public_id) -> HttpResponse:
    plan = selectors.plan_with_progress(request.user, public_id)
    work_plans = list(selectors.work_plans_of(plan))
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "goals": list(selectors.goals_of(plan)),
            "work_plans": work_plans,
            "work_plan_count": len(work_plans),
            "perms": policies.plan_permissions(request.user, plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(StrategicPlan, request.user, "change", public_id=public_id)
    form = PlanForm(request.POST or None, instance=plan)
    return edit_view(
        request,
        form,
        save=lambda data: services.plan_update(
            actor=request.user,
            plan=plan,
            revision=data.get("revision"),
            **form.service_data(),
        ),
        success_message=lambda _: f"Plan “{form.cleaned_data['title']}” saved.",
        success_url=reverse("planning:plan-detail", args=[plan.public_id]),
        **_page(
            title=f"Edit “{plan.title}”",
            cancel_url=reverse("planning:plan-detail", args=[plan.public_id]),
        ),
    )


TRANSITION_TEXT = {
    "approve": ("Approve", "Its goals and text are then fixed; objectives keep being tracked."),
    "activate": ("Activate", "The plan becomes the organization's active plan."),
    "archive": ("Archive", "Nothing in an archived plan changes any more."),
    "reopen": ("Reopen as draft", "The approval is withdrawn; the plan can be edited again."),
}


@login_required
@require_http_methods(["GET", "POST"])
def plan_transition(request: HttpRequest, public_id, action: str) -> HttpResponse:
    plan = get_for_user_or_404(StrategicPlan, request.user, "approve", public_id=public_id)
    if action not in TRANSITION_TEXT:
        messages.error(request, "Unknown action.")
        return redirect("planning:plan-detail", plan.public_id)
    label, consequence = TRANSITION_TEXT[action]
    if action == "approve":
        policies.require_may_decide(request.user, plan)  # 403 with the reason
    return confirm_view(
        request,
        perform=lambda: services.plan_transition(actor=request.user, plan=plan, action=action),
        success_message=f"Plan “{plan.title}”: {label.lower()} done.",
        success_url=reverse("planning:plan-detail", args=[plan.public_id]),
        **_page(
            title=f"{label} “{plan.title}”?",
            intro=consequence,
            submit_label=f"Yes, {label.lower()}",
            danger=action == "archive",
            cancel_url=reverse("planning:plan-detail", args=[plan.public_id]),
        ),
    )


# --- goals (inline) ------------------------------------------------------------------------------


def _goal_saved(request: HttpRequest, goal: StrategicGoal) -> HttpResponse:
    """After an inline save: the whole goals section (so "No goals yet" goes and the order by
    priority holds) and, out of band, the tiles (goal count, progress)."""
    plan = selectors.plan_with_progress(request.user, goal.plan.public_id)
    return render(
        request,
        "planning/plan_detail.html#goal-saved",
        {
            "plan": plan,
            "goals": list(selectors.goals_of(plan)),
            "work_plan_count": plan.work_plans.count(),
            "perms": policies.plan_permissions(request.user, plan),
        },
    )


def _inline_form_errors(response: HttpResponse, slot: str) -> HttpResponse:
    """An inline form that did not save goes back into its slot, not over the section."""
    return reswap(retarget(response, slot), "innerHTML")


def _form_page(
    request: HttpRequest,
    form,
    *,
    action: str,
    partial: str,
    heading: str,
    cancel_url: str,
    **context,
) -> HttpResponse:
    """A goal or objective form: the page's own form partial when edited in place (htmx), else
    the full form page with a heading and a way back."""
    if is_inline(request):
        response = render(request, partial, {"form": form, "action": action, **context})
        if request.method == "POST":
            slot = "#goal-form-slot" if partial.endswith("#goal-form") else "#objective-form-slot"
            response = _inline_form_errors(response, slot)
        return response
    return render(request, "form.html", _page(form=form, title=heading, cancel_url=cancel_url))


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(StrategicPlan, request.user, "change", public_id=public_id)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(actor=request.user, plan=plan, **form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if is_inline(request):
                return _goal_saved(request, goal)
            messages.success(request, f"Goal “{goal.title}” added.")
            return redirect("planning:plan-detail", plan.public_id)
    return _form_page(
        request,
        form,
        action=reverse("planning:goal-create", args=[plan.public_id]),
        partial="planning/plan_detail.html#goal-form",
        heading=f"New goal of “{plan.title}”",
        cancel_url=reverse("planning:plan-detail", args=[plan.public_id]),
        plan=plan,
    )


@login_required
def goal_row(request: HttpRequest, public_id) -> HttpResponse:
    goal = get_for_user_or_404(StrategicGoal, request.user, "view", public_id=public_id)
    if not is_inline(request):
        return redirect("planning:plan-detail", goal.plan.public_id)
    return render(
        request,
        "planning/plan_detail.html#goal-row",
        {
            "goal": selectors.goal_with_progress(goal),
            "plan": goal.plan,
            "perms": policies.plan_permissions(request.user, goal.plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, public_id) -> HttpResponse:
    goal = get_for_user_or_404(StrategicGoal, request.user, "change", public_id=public_id)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_update(actor=request.user, goal=goal, **form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if is_inline(request):
                return _goal_saved(request, goal)
            messages.success(request, f"Goal “{goal.title}” saved.")
            return redirect("planning:plan-detail", goal.plan.public_id)
    return _form_page(
        request,
        form,
        action=reverse("planning:goal-edit", args=[goal.public_id]),
        partial="planning/plan_detail.html#goal-form",
        heading=f"Edit goal “{goal.title}”",
        cancel_url=reverse("planning:plan-detail", args=[goal.plan.public_id]),
        goal=goal,
        plan=goal.plan,
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, public_id) -> HttpResponse:
    goal = get_for_user_or_404(StrategicGoal, request.user, "change", public_id=public_id)
    plan = goal.plan
    return confirm_view(
        request,
        perform=lambda: services.goal_delete(actor=request.user, goal=goal),
        success_message=f"Goal “{goal.title}” deleted.",
        success_url=reverse("planning:plan-detail", args=[plan.public_id]),
        **_page(
            title=f"Delete the goal “{goal.title}”?",
            intro=lambda: (
                f"Its {goal.objectives.count()} objective(s) in the work plans are "
                "deleted with it. The audit log keeps a record."
            ),
            submit_label="Yes, delete",
            danger=True,
            cancel_url=reverse("planning:plan-detail", args=[plan.public_id]),
        ),
    )


# --- work plans and objectives -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def work_plan_create(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(StrategicPlan, request.user, "change", public_id=public_id)
    form = WorkPlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            work_plan = services.work_plan_create(
                actor=request.user, plan=plan, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Work plan {work_plan.year} created. Add its objectives.")
            return redirect("planning:work-plan-detail", work_plan.public_id)
    return render(
        request,
        "form.html",
        _page(
            form=form,
            title=f"New annual work plan of “{plan.title}”",
            cancel_url=reverse("planning:plan-detail", args=[plan.public_id]),
        ),
    )


@login_required
def work_plan_detail(request: HttpRequest, public_id) -> HttpResponse:
    work_plan = get_for_user_or_404(AnnualWorkPlan, request.user, "view", public_id=public_id)
    return render(request, "planning/work_plan_detail.html", _work_plan_context(request, work_plan))


def _work_plan_context(request: HttpRequest, work_plan: AnnualWorkPlan) -> dict:
    plan = work_plan.plan
    return {
        "work_plan": work_plan,
        "plan": plan,
        "objectives": selectors.objectives_of(work_plan),
        "perms": policies.work_plan_permissions(request.user, work_plan),
        "has_goals": plan.goals.exists(),
    }


def _objective_saved(request: HttpRequest, objective: WorkPlanObjective) -> HttpResponse:
    """After an inline save: the whole objectives section (no stale "No objectives yet")."""
    work_plan = objective.work_plan
    return render(
        request,
        "planning/work_plan_detail.html#objectives-section",
        _work_plan_context(request, work_plan),
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, public_id) -> HttpResponse:
    work_plan = get_for_user_or_404(AnnualWorkPlan, request.user, "change", public_id=public_id)
    form = ObjectiveForm(request.POST or None, work_plan=work_plan)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(
                actor=request.user, work_plan=work_plan, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if is_inline(request):
                return _objective_saved(request, objective)
            messages.success(request, f"Objective “{objective.title}” added.")
            return redirect("planning:work-plan-detail", work_plan.public_id)
    return _form_page(
        request,
        form,
        action=reverse("planning:objective-create", args=[work_plan.public_id]),
        partial="planning/work_plan_detail.html#objective-form",
        heading=f"New objective for {work_plan.year}",
        cancel_url=reverse("planning:work-plan-detail", args=[work_plan.public_id]),
    )


@login_required
def objective_row(request: HttpRequest, public_id) -> HttpResponse:
    objective = get_for_user_or_404(WorkPlanObjective, request.user, "view", public_id=public_id)
    if not is_inline(request):
        return redirect("planning:work-plan-detail", objective.work_plan.public_id)
    return render(
        request,
        "planning/work_plan_detail.html#objective-row",
        {
            "objective": selectors.objective_with_progress(objective),
            "perms": policies.work_plan_permissions(request.user, objective.work_plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, public_id) -> HttpResponse:
    objective = get_for_user_or_404(WorkPlanObjective, request.user, "change", public_id=public_id)
    work_plan = objective.work_plan
    form = ObjectiveForm(request.POST or None, instance=objective, work_plan=work_plan)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_update(
                actor=request.user, objective=objective, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if is_inline(request):
                return _objective_saved(request, objective)
            messages.success(request, f"Objective “{objective.title}” saved.")
            return redirect("planning:work-plan-detail", work_plan.public_id)
    return _form_page(
        request,
        form,
        action=reverse("planning:objective-edit", args=[objective.public_id]),
        partial="planning/work_plan_detail.html#objective-form",
        heading=f"Edit objective “{objective.title}”",
        cancel_url=reverse("planning:work-plan-detail", args=[work_plan.public_id]),
        objective=objective,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_delete(request: HttpRequest, public_id) -> HttpResponse:
    objective = get_for_user_or_404(WorkPlanObjective, request.user, "change", public_id=public_id)
    work_plan = objective.work_plan
    return confirm_view(
        request,
        perform=lambda: services.objective_delete(actor=request.user, objective=objective),
        success_message=f"Objective “{objective.title}” deleted.",
        success_url=reverse("planning:work-plan-detail", args=[work_plan.public_id]),
        **_page(
            title=f"Delete the objective “{objective.title}”?",
            intro="Its goal's progress is then computed without it.",
            submit_label="Yes, delete",
            danger=True,
            cancel_url=reverse("planning:work-plan-detail", args=[work_plan.public_id]),
        ),
    )
