"""Views of recovery strategies, the process register, the dependency map and
plans shared per object (item 6). Thin: the policy layer decides, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import formats, policies
from core.generic import edit_view
from core.tenancy import get_for_user_or_404, tenancy_of
from core.web import apply_errors, current_organization
from incidents.formatting import duration

from .. import dependency_map as maps
from ..forms import ReviewDecisionForm
from ..forms_continuity import CommentForm, ShareForm, StrategyForm
from ..models import (
    CriticalProcess,
    Plan,
    PlanShare,
    RecoveryStrategy,
    Review,
)
from ..services import sharing, strategies
from ._common import _page, _sections


def _process_url(process: CriticalProcess) -> str:
    return reverse("bcp:process-detail", args=[process.public_id])


# --- recovery strategies --------------------------------------------------------------------------


@login_required
def process_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One critical process's BIA page: objectives, dependencies both ways, strategies."""
    process = get_for_user_or_404(CriticalProcess, request.user, "view", public_id=public_id)
    process = (
        CriticalProcess.objects.select_related("plan__organization", "plan__department")
        .prefetch_related(
            "depends_on",
            "vendors",
            "dependants",
            "recovery_strategies__vendor",
        )
        .get(pk=process.pk)
    )
    plan = process.plan
    upstream = [
        {
            "name": d.name,
            "rto": d.rto_minutes,
            "url": _process_url(d),
            "kind": "Process",
            "conflict": maps.rto_conflict(process.rto_minutes, d.rto_minutes),
        }
        for d in process.depends_on.all()
    ] + [
        {
            "name": v.name,
            "rto": v.rto_offered_minutes,
            "url": "",
            "kind": "Vendor",
            "conflict": maps.rto_conflict(process.rto_minutes, v.rto_offered_minutes),
        }
        for v in process.vendors.all()
    ]
    return render(
        request,
        "bcp/process_detail.html",
        {
            "process": process,
            "plan": plan,
            "upstream": upstream,
            "downstream": list(process.dependants.all()),
            "strategies": list(process.recovery_strategies.all()),
            "can_change": tenancy_of(request.user).can(plan.organization_id, "change")
            and plan.status != Plan.Status.ARCHIVED,
        },
    )


def _strategy_form(request, form, title, process, save, verb):
    """A recovery strategy's form page: the shared edit view (core/generic.py)."""
    return edit_view(
        request,
        form,
        save=save,
        success_message=lambda strategy: f"Strategy “{strategy.title}” {verb}.",
        success_url=_process_url(process),
        **_page(
            process.plan,
            title=title,
            cancel_url=_process_url(process),
            intro="ISO 22301 8.3: how the process keeps going or comes back, and the resources "
            "that takes. Write resources as you would say them.",
        ),
    )


@login_required
def strategy_create(request: HttpRequest, public_id) -> HttpResponse:
    process = get_for_user_or_404(CriticalProcess, request.user, "change", public_id=public_id)
    form = StrategyForm(request.POST or None, process=process)
    return _strategy_form(
        request,
        form,
        f"Add a recovery strategy to “{process}”",
        process,
        lambda data: strategies.strategy_create(actor=request.user, process=process, **data),
        "added",
    )


@login_required
def strategy_edit(request: HttpRequest, public_id) -> HttpResponse:
    strategy = get_for_user_or_404(RecoveryStrategy, request.user, "change", public_id=public_id)
    process = strategy.process
    form = StrategyForm(
        request.POST or None,
        instance=RecoveryStrategy.objects.get(pk=strategy.pk),
        process=process,
    )
    return _strategy_form(
        request,
        form,
        f"Edit strategy “{strategy.title}”",
        process,
        lambda data: strategies.strategy_update(actor=request.user, strategy=strategy, **data),
        "saved",
    )


@login_required
def strategy_delete(request: HttpRequest, public_id) -> HttpResponse:
    strategy = get_for_user_or_404(RecoveryStrategy, request.user, "change", public_id=public_id)
    process = strategy.process
    if request.method == "POST":
        try:
            strategies.strategy_delete(actor=request.user, strategy=strategy)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Strategy “{strategy.title}” deleted.")
        return redirect(_process_url(process))
    return render(
        request,
        "confirm.html",
        _page(
            process.plan,
            title=f"Delete recovery strategy “{strategy}”?",
            note="This cannot be undone. The audit log keeps a record of the deletion.",
            submit_label="Yes, delete",
            danger=True,
            cancel_url=_process_url(process),
        ),
    )


@login_required
def process_register(request: HttpRequest) -> HttpResponse:
    """The organization's register of critical processes across its plans."""
    organization = current_organization(request, "Business continuity plans")
    processes = list(maps.register_for(request.user, organization))
    for process in processes:
        process.conflicts = [
            d
            for d in process.depends_on.all()
            if maps.rto_conflict(process.rto_minutes, d.rto_minutes)
        ] + [
            v
            for v in process.vendors.all()
            if maps.rto_conflict(process.rto_minutes, v.rto_offered_minutes)
        ]
    return render(
        request,
        "bcp/process_register.html",
        {
            "organization": organization,
            "processes": processes,
            "without_strategy": sum(1 for p in processes if not p.has_recovery_strategy),
            "without_dependencies": sum(1 for p in processes if not p.has_dependencies),
            "with_conflicts": sum(1 for p in processes if p.conflicts),
        },
    )


@login_required
def dependency_map(request: HttpRequest) -> HttpResponse:
    """The organization's processes and vendors as a layered graph, RTO conflicts in red."""
    organization = current_organization(request, "Business continuity plans")
    processes = list(maps.register_for(request.user, organization))
    graph = maps.dependency_map(processes, url_of=_process_url, duration=duration)
    return render(
        request,
        "bcp/dependency_map.html",
        {
            "organization": organization,
            "graph": graph,
            "node_width": maps.NODE_WIDTH,
            "node_height": maps.NODE_HEIGHT,
        },
    )


# --- sharing (members' side) ----------------------------------------------------------------------


@login_required
def plan_sharing(request: HttpRequest, public_id) -> HttpResponse:
    """Who the plan is shared with (every member who reads the plan sees it), and, for its BCM
    coordinators, the form to share it."""
    plan = get_for_user_or_404(Plan, request.user, "view", public_id=public_id)
    may_share = policies.may_share(request.user, plan)
    form = ShareForm(request.POST or None)
    if request.method == "POST":
        policies.require_may_share(request.user, plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                share = sharing.share_grant(
                    actor=request.user,
                    plan=plan,
                    grantee=data["grantee"],
                    right=data["right"],
                    last_day=data["last_day"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "grantee" in exc.error_dict:
                    exc = ValidationError({"email": exc.error_dict.pop("grantee")})
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"“{plan.title}” is shared with {share.grantee} "
                    f"({share.get_right_display().lower()}) until "
                    f"{formats.date(sharing.last_day_of(share))}.",
                )
                return redirect(reverse("bcp:plan-sharing", args=[plan.public_id]))
    grants = list(sharing.grants_of(plan))
    return render(
        request,
        "bcp/plan_sharing.html",
        {
            "plan": plan,
            "form": form,
            "may_share": may_share,
            "open_grants": [g for g in grants if g.revoked_at is None],
            "ended_grants": [g for g in grants if g.revoked_at is not None][:50],
        },
    )


@login_required
def share_revoke(request: HttpRequest, public_id) -> HttpResponse:
    """End a grant, after a confirmation page."""
    share = get_for_user_or_404(PlanShare, request.user, "view", public_id=public_id)
    plan = share.plan
    policies.require_may_share(request.user, plan)
    back = reverse("bcp:plan-sharing", args=[plan.public_id])
    if request.method == "POST":
        try:
            sharing.share_revoke(actor=request.user, share=share)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{share.grantee} can no longer open “{plan.title}”.")
        return redirect(back)
    return render(
        request,
        "confirm.html",
        _page(
            plan,
            title=f"End access of {share.grantee}?",
            intro=f"{share.grantee} will no longer be able to open “{plan.title}” from the next "
            "click. Their pending reviews of it are withdrawn. The grant stays in the plan's "
            "sharing history and the audit log.",
            submit_label="Yes, end access",
            danger=True,
            cancel_url=back,
        ),
    )


@login_required
@require_POST
def plan_comment(request: HttpRequest, public_id) -> HttpResponse:
    """Add a comment: a member who reads the plan, or a person with a comment/review grant."""
    plan = Plan.objects.filter(public_id=public_id).select_related("organization").first()
    visible = plan is not None and (Plan.objects.for_user(request.user).filter(pk=plan.pk).exists())
    if visible:
        back = reverse("bcp:plan-detail", args=[plan.public_id]) + "#comments"
    else:
        plan, _rights = sharing.shared_plan_or_404(request.user, public_id, "comment")
        back = reverse("bcp:shared-plan", args=[plan.public_id]) + "#comments"
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            sharing.comment_add(actor=request.user, plan=plan, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Your comment was added.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(back)


# --- sharing (the shared person's side) -----------------------------------------------------------


@login_required
def shared_list(request: HttpRequest) -> HttpResponse:
    """ "Shared with me": the plans of other organizations the user may open now, and the
    reviews asked of them there."""
    return render(
        request,
        "bcp/shared_list.html",
        {
            "grants": list(sharing.shared_with(request.user)),
            "reviews": list(sharing.pending_shared_reviews(request.user)),
        },
    )


@login_required
def shared_plan(request: HttpRequest, public_id) -> HttpResponse:
    """A plan as a person it is shared with sees it (see bcp/sharing.py for what "view"
    covers). Members of the plan's organization go to the plan's own page."""
    if Plan.objects.for_user(request.user).filter(public_id=public_id).exists():
        return redirect("bcp:plan-detail", public_id=public_id)
    plan, rights = sharing.shared_plan_or_404(request.user, public_id, "view")
    share = sharing.shared_with(request.user).filter(plan=plan).first()
    version = plan.current_version
    in_review = sharing.open_version_for(request.user, plan)
    processes = list(
        plan.critical_processes.prefetch_related(
            "depends_on", "vendors", "recovery_strategies__vendor"
        )
    )
    review = None
    if in_review is not None:
        review = in_review.reviews.filter(
            reviewer=request.user, round=in_review.review_round
        ).first()
    return render(
        request,
        "bcp/shared_plan.html",
        {
            "plan": plan,
            "share": share,
            "last_day": sharing.last_day_of(share) if share else None,
            "rights": rights,
            "version": version,
            "sections": _sections(plan, version) if version else [],
            "in_review": in_review,
            "review": review,
            "processes": processes,
            "risks": list(plan.risks.all()),
            "comments": list(plan.comments.select_related("author", "version")[:100])
            if "comment" in rights
            else [],
            "comment_form": CommentForm() if "comment" in rights else None,
        },
    )


@login_required
def shared_review(request: HttpRequest, public_id) -> HttpResponse:
    """A shared reviewer reads the version in review and decides (segregation of duties and the
    review rules are the services', as for any reviewer)."""
    review = get_object_or_404(
        Review.objects.select_related("version__plan"), public_id=public_id, reviewer=request.user
    )
    version = review.version
    plan, _rights = sharing.shared_plan_or_404(request.user, version.plan.public_id, "review")
    version.plan = plan
    if review.status == Review.Status.PENDING:
        policies.require_may_review(request.user, version)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST":
        if review.status != Review.Status.PENDING:
            raise PermissionDenied("This review is closed.")
        if form.is_valid():
            from .. import services

            try:
                services.review_decide(
                    actor=request.user,
                    review=review,
                    decision=form.cleaned_data["decision"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Your decision was recorded.")
                return redirect("bcp:shared-list")
    return render(
        request,
        "bcp/shared_review.html",
        {
            "review": review,
            "version": version,
            "plan": plan,
            "form": form,
            "sections": _sections(plan, version),
        },
    )


# --- what the plan page (bcp/views/plans.py) asks of sharing --------------------------------------


def shared_plan_redirect(request: HttpRequest, public_id) -> HttpResponse:
    """For a plan the user cannot open as a member: its shared page when a grant opens it
    (checked by `shared_plan_or_404`), else 404."""
    plan, _rights = sharing.shared_plan_or_404(request.user, public_id, "view")
    return redirect("bcp:shared-plan", public_id=plan.public_id)


def sharing_context(user: Any, plan: Plan) -> dict[str, Any]:
    """The plan page's sharing box and comments (two queries)."""
    return {
        "open_grants": [g for g in sharing.grants_of(plan) if g.revoked_at is None],
        "may_share": policies.may_share(user, plan),
        "comments": list(plan.comments.select_related("author", "version")[:100]),
        "comment_form": CommentForm() if sharing.may_comment(user, plan) else None,
    }
