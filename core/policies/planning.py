"""Strategic plans and annual work plans: scope and object checks.

Scope: `StrategicPlan.objects.for_user(user, action)` (tenancy); the checks below add each
plan's state: goals and the plan's own fields change only while it is a draft, progress is
tracked until it is archived, and segregation of duties decides who may approve it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import may
from .segregation import decide_refusal


def strategic_plans(user: Any, action: str = "view"):
    """The strategic plans `user` may see (or act on): the tenancy door, nothing more."""
    from planning.models import StrategicPlan

    return StrategicPlan.objects.for_user(user, action)


def may_create_plan(user: Any, organization: Any) -> bool:
    """Editors (and above) of the organization start plans and work plans."""
    return organization is not None and may(user, organization.pk, "change")


def may_edit_plan(user: Any, plan: Any) -> bool:
    """The plan's fields and goals: its organization's editors, while it is a draft."""
    return plan.is_editable and may(user, plan.organization_id, "change")


def may_track_plan(user: Any, plan: Any) -> bool:
    """Progress, work plans and objectives: editors, until the plan is archived."""
    return plan.status != plan.Status.ARCHIVED and may(user, plan.organization_id, "change")


@dataclass(frozen=True)
class PlanPermissions:
    """What a strategic plan's page may offer one user (`perms` in its templates)."""

    can_edit: bool
    can_track: bool
    can_approve: bool
    #: Why this approver may not approve the draft (segregation of duties), else None.
    approve_refusal: str | None


def plan_permissions(user: Any, plan: Any) -> PlanPermissions:
    # The rules of may_edit_plan / may_track_plan, asking the role ladder once per action.
    can_change = may(user, plan.organization_id, "change")
    can_approve = may(user, plan.organization_id, "approve")
    refusal = None
    if can_approve and plan.status == plan.Status.DRAFT:
        refusal = decide_refusal(user, plan)
    return PlanPermissions(
        can_edit=plan.is_editable and can_change,
        can_track=plan.status != plan.Status.ARCHIVED and can_change,
        can_approve=can_approve,
        approve_refusal=refusal,
    )


@dataclass(frozen=True)
class WorkPlanPermissions:
    """What an annual work plan's page may offer (objectives are tracked, not approved)."""

    can_edit: bool


def work_plan_permissions(user: Any, work_plan: Any) -> WorkPlanPermissions:
    return WorkPlanPermissions(can_edit=may_track_plan(user, work_plan.plan))
