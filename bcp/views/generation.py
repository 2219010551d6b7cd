"""AI drafting: ask for a generated draft, follow its job."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.tenancy import get_for_user_or_404, require

from .. import services
from ..models import GenerationJob, Plan
from ._common import _plan_url

# --- AI drafting and exports ----------------------------------------------------------------------


@login_required
@require_POST
def plan_generate(request: HttpRequest, public_id) -> HttpResponse:
    """Ask for a generated draft; the job page shows its progress."""
    plan = get_for_user_or_404(Plan, request.user, "view", public_id=public_id)
    require(request.user, plan.organization_id, "change")
    try:
        job = services.generation_request(actor=request.user, plan=plan)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_plan_url(plan))
    return redirect("bcp:generation-detail", public_id=job.public_id)


@login_required
def generation_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A generation job's progress (the progress card alone for htmx polling)."""
    job = get_for_user_or_404(GenerationJob, request.user, "view", public_id=public_id)
    template = "bcp/generation_job.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, {"job": job, "plan": job.plan})
