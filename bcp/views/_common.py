"""Helpers the bcp views share: current organization, plan URL, form and confirm pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse

from ..content import sections_of
from ..models import Plan, PlanVersion, SectionDefinition
from ..template_data import ESCALATION_LEVELS


def _current_org(request: HttpRequest):
    if request.organization is None:
        raise PermissionDenied(
            "Business continuity plans belong to an organization, and you are not a member of "
            "any. Ask your organization's administrator to add you."
        )
    return request.organization


def _plan_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("bcp:plan-detail", args=[plan.public_id])
    return f"{url}#{anchor}" if anchor else url


def _form_page(request, form, title, cancel_url, *, plan=None, intro="", multipart=False):
    return render(
        request,
        "bcp/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "plan": plan,
            "intro": intro,
            "multipart": multipart,
        },
    )


def _confirm_delete(request, obj, kind, cancel_url, consequence=""):
    return render(
        request,
        "bcp/confirm_delete.html",
        {"object": obj, "kind": kind, "cancel_url": cancel_url, "consequence": consequence},
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
