"""Helpers the bcp views share: current organization, plan URL, form and confirm pages."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render
from django.urls import reverse

from core.generic import confirm_view

from ..content import sections_of
from ..models import Plan, PlanVersion, SectionDefinition
from ..template_data import ESCALATION_LEVELS

#: What `core.web.current_organization` names when there is no current organization.
BC_PLANS = "Business continuity plans"


def _plan_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("bcp:plan-detail", args=[plan.public_id])
    return f"{url}#{anchor}" if anchor else url


def _page(plan: Plan | None = None, **page: Any) -> dict[str, Any]:
    """A bcp form or confirm page's contract (core/generic.py): the app's stylesheet,
    the wide card, and the plan above the heading."""
    page = {"head": "bcp/_head.html", "width": "wide", **page}
    if plan is not None:
        page.update(eyebrow=plan.title, eyebrow_url=_plan_url(plan))
    return page


def _form_page(request, form, title, cancel_url, *, plan=None, intro="", multipart=False):
    """The form page, for views whose POST does more than one service call (see edit_view)."""
    return render(
        request,
        "form.html",
        _page(
            plan, form=form, title=title, cancel_url=cancel_url, intro=intro, multipart=multipart
        ),
    )


def _confirm_delete(request, obj, kind, service, cancel_url, *, success_url=None, consequence=""):
    """The "delete this?" page: on POST, `service()` deletes and the browser goes back."""
    return confirm_view(
        request,
        perform=service,
        success_url=success_url or cancel_url,
        success_message=lambda _: f"{kind.capitalize()} “{obj}” deleted.",
        title=f"Delete {kind} “{obj}”?",
        intro=consequence,
        note="This cannot be undone. The audit log keeps a record of the deletion.",
        submit_label="Yes, delete",
        danger=True,
        cancel_url=cancel_url,
    )


def _sections(plan: Plan, version: PlanVersion | None) -> list[dict[str, Any]]:
    content = (version.content if version else {}) or {}
    return [
        {
            "section": s,
            "value": content.get(s.key),
            "is_matrix": s.kind == SectionDefinition.Kind.ESCALATION_MATRIX,
            # JSONB does not keep key order: show the levels from minor to critical.
            "levels": [
                (level, (content.get(s.key) or {}).get(level) or {}) for level in ESCALATION_LEVELS
            ]
            if s.kind == SectionDefinition.Kind.ESCALATION_MATRIX
            else [],
        }
        for s in sections_of(plan.template)
    ]
