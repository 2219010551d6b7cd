"""Sending a version to review, reviewers' decisions, acknowledgments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from core import policies
from core.generic import edit_view
from core.listing import Sorting
from core.tenancy import get_for_user_or_404
from core.web import apply_errors, current_organization, paginate

from .. import selectors, services
from ..forms import ReviewDecisionForm, SubmitForm
from ..models import PlanVersion, Review
from ._common import BC_PLANS, _page, _plan_url, _sections


@login_required
def version_submit(request: HttpRequest, public_id) -> HttpResponse:
    version = get_for_user_or_404(PlanVersion, request.user, "change", public_id=public_id)
    plan = version.plan
    form = SubmitForm(request.POST or None, version=version, actor=request.user)
    return edit_view(
        request,
        form,
        save=lambda data: services.version_submit_for_review(
            actor=request.user,
            version=version,
            reviewers=list(data["reviewers"]),
            note=data["note"],
        ),
        success_message=lambda _: (
            f"Version {version.version_number} sent to "
            + ", ".join(str(u) for u in form.cleaned_data["reviewers"])
            + "."
        ),
        success_url=_plan_url(plan, "reviews"),
        **_page(
            plan,
            title=f"Request reviews of version {version.version_number}",
            cancel_url=_plan_url(plan),
            intro="The version takes effect only when every reviewer approved it. Nobody who "
            "contributed to it or sends it can review it (segregation of duties).",
        ),
    )


@login_required
def version_acknowledge(request: HttpRequest, public_id) -> HttpResponse:
    version = get_for_user_or_404(PlanVersion, request.user, "view", public_id=public_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.acknowledgment_record(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Thank you: you acknowledged version {version.version_number}.")
    return redirect(_plan_url(version.plan, "acknowledgments"))


# --- reviews -------------------------------------------------------------------------------------


#: The review queue's sortable columns (core/listing.py): key → ORDER BY.
REVIEW_SORT = Sorting(
    {
        "plan": "version__plan__title",
        "version": ("version__version_number", "round"),
        "author": ("version__author__last_name", "version__author__first_name"),
        "requested": "requested_at",
    }
)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    sort = REVIEW_SORT.bind(request)
    page = paginate(request, selectors.review_queue(request.user, organization), sort=sort)
    return render(request, "bcp/review_queue.html", {"page": page, "sort": sort})


@login_required
def review_decide(request: HttpRequest, public_id) -> HttpResponse:
    review = get_for_user_or_404(Review, request.user, "approve", public_id=public_id)
    version = review.version
    plan = version.plan
    policies.require_may_decide_review(request.user, review)  # 403 with the reason
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
            return redirect("bcp:review-queue")
    previous = plan.versions.filter(status=PlanVersion.Status.ACTIVE).exclude(pk=version.pk).first()
    return render(
        request,
        "bcp/review_decide.html",
        {
            "review": review,
            "version": version,
            "plan": plan,
            "form": form,
            "sections": _sections(plan, version),
            "previous": previous,
        },
    )
