"""Department coverage board and side-by-side comparison of departments' plans.

Both read a fixed number of queries whatever the number of departments (tests pin it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from organizations.corrective import overdue_q
from organizations.models import Department, Organization

from . import cycle, readiness
from .models import (
    ContinuityPolicy,
    CorrectiveAction,
    CriticalProcess,
    Exercise,
    Plan,
    PlanVersion,
    Risk,
    SectionDefinition,
    content_section_text,
)

#: Departments one comparison shows side by side at most (columns on one screen).
MAX_COMPARED = 6


@dataclass
class CoverageRow:
    """One department (or the organization, for plans without a department) on the board."""

    label: str
    department: Department | None
    plan: Plan | None
    exempt: bool = False
    acknowledged_percent: int | None = None
    critical: set[str] = field(default_factory=set)

    @property
    def ready(self) -> bool:
        return self.plan is not None and readiness.passes_critical(self.plan)


def _plans(organization: Organization):
    today = timezone.localdate()
    actions = CorrectiveAction.objects.filter(exercise__plan=OuterRef("pk")).order_by()

    def count(qs) -> Coalesce:
        return Coalesce(
            Subquery(
                qs.values("exercise__plan").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    plans = (
        Plan.objects.filter(organization=organization)
        .exclude(status=Plan.Status.ARCHIVED)
        .select_related("current_version", "department")
        .annotate(
            last_exercise_on=Subquery(
                Exercise.objects.filter(plan=OuterRef("pk"), status=Exercise.Status.CONDUCTED)
                .order_by("-held_on")
                .values("held_on")[:1]
            ),
            next_exercise_on=Subquery(
                Exercise.objects.filter(
                    plan=OuterRef("pk"), status=Exercise.Status.PLANNED, held_on__gte=today
                )
                .order_by("held_on")
                .values("held_on")[:1]
            ),
            open_actions=count(actions.exclude(status=CorrectiveAction.Status.DONE)),
            overdue_actions=count(actions.filter(overdue_q())),
        )
        .order_by("department__name", "title")
    )
    return cycle.attach_audience(readiness.attach_critical(list(plans)))


def coverage_board(organization: Organization) -> dict[str, Any]:
    """Every department of the organization with its plan(s): status, version, approval, next
    review, last exercise, open actions, acknowledgment %, whether it passes the critical items.
    Three queries whatever the number of departments and plans."""
    exempt_ids = set(
        ContinuityPolicy.exempt_departments.through.objects.filter(
            continuitypolicy__organization=organization
        ).values_list("department_id", flat=True)
    )
    departments = list(Department.objects.filter(organization=organization).order_by("name"))
    by_department: dict[int | None, list[Plan]] = {}
    for plan in _plans(organization):
        by_department.setdefault(plan.department_id, []).append(plan)
    rows: list[CoverageRow] = []
    for plan in by_department.get(None, []):
        rows.append(_row("Whole organization", None, plan, exempt=False))
    for department in departments:
        plans = by_department.get(department.pk) or [None]
        for plan in plans:
            rows.append(_row(department.name, department, plan, exempt=department.pk in exempt_ids))
    required = [d for d in departments if d.pk not in exempt_ids]
    covered = {r.department.pk for r in rows if r.department is not None and r.plan is not None}
    ready_departments = {r.department.pk for r in rows if r.department is not None and r.ready}
    return {
        "rows": rows,
        "departments": len(departments),
        "required": len(required),
        "with_plan": len([d for d in required if d.pk in covered]),
        "ready": len([d for d in required if d.pk in ready_departments]),
        "without_plan": [d for d in required if d.pk not in covered],
        "today": timezone.localdate(),
    }


def _row(label: str, department, plan, *, exempt: bool) -> CoverageRow:
    row = CoverageRow(label=label, department=department, plan=plan, exempt=exempt)
    if plan is not None:
        if plan.current_version_id and plan.audience_size:
            row.acknowledged_percent = round(100 * plan.audience_acknowledged / plan.audience_size)
        row.critical = readiness.critical_codes(plan)
    return row


# --- comparison -----------------------------------------------------------------------------------


@dataclass
class ComparedPlan:
    """One department's plan in the comparison."""

    department: Department
    plan: Plan | None
    version: PlanVersion | None = None
    processes: list[CriticalProcess] = field(default_factory=list)
    risk_levels: dict[str, int] = field(default_factory=dict)
    sections: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def sections_filled(self) -> int:
        return sum(1 for _, filled in self.sections if filled)

    @property
    def completeness_percent(self) -> int | None:
        if not self.sections:
            return None
        return round(100 * self.sections_filled / len(self.sections))


RISK_LEVELS = ["critical", "high", "medium", "low"]


def compare_departments(
    organization: Organization, department_ids: list[str]
) -> list[ComparedPlan]:
    """Each chosen department's plan side by side (the approved plan, else the newest): its
    processes with RTO/RPO/MTPD, risks by rating and which sections are filled in. Five queries
    whatever the number of departments."""
    departments = list(
        Department.objects.filter(organization=organization, public_id__in=department_ids).order_by(
            "name"
        )
    )
    plans = (
        Plan.objects.filter(organization=organization, department__in=departments)
        .exclude(status=Plan.Status.ARCHIVED)
        .select_related("current_version", "template")
        .annotate(
            open_version_id=Max(
                "versions__id", filter=Q(versions__status__in=PlanVersion.OPEN_STATUSES)
            )
        )
        .prefetch_related(
            Prefetch(
                "critical_processes", queryset=CriticalProcess.objects.order_by("priority", "name")
            ),
            Prefetch("risks", queryset=Risk.objects.only("id", "plan_id", "likelihood", "impact")),
            Prefetch("template__sections", queryset=SectionDefinition.objects.order_by("order")),
        )
    )
    chosen: dict[int, Plan] = {}
    for plan in plans:
        best = chosen.get(plan.department_id)
        rank = (plan.status == Plan.Status.APPROVED, plan.created_at)
        if best is None or rank > (best.status == Plan.Status.APPROVED, best.created_at):
            chosen[plan.department_id] = plan
    open_versions = {
        v.pk: v
        for v in PlanVersion.objects.filter(
            pk__in=[p.open_version_id for p in chosen.values() if p.open_version_id]
        )
    }
    compared = []
    for department in departments:
        plan = chosen.get(department.pk)
        item = ComparedPlan(department=department, plan=plan)
        if plan is not None:
            item.version = plan.current_version or open_versions.get(plan.open_version_id)
            item.processes = list(plan.critical_processes.all())
            levels = dict.fromkeys(RISK_LEVELS, 0)
            for risk in plan.risks.all():
                levels[risk.level] += 1
            item.risk_levels = levels
            content = item.version.content if item.version is not None else {}
            item.sections = [
                (s.title, bool(content_section_text(content.get(s.key)).strip()))
                for s in plan.template.sections.all()
            ]
        compared.append(item)
    return compared


def is_stale(day: datetime.date | None, months: int = 12) -> bool:
    """True when `day` is more than `months` ago (or missing)."""
    return day is None or day < cycle.add_months(timezone.localdate(), -months)
