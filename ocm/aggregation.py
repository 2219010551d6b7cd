"""The OCM aggregation service: every figure of the dashboard, computed from the base tables.

Reads only. Each section computes all organizations at once with grouped SQL (a handful of
queries whatever the number of rows) and returns `(per_organization, totals)`; an organization
without data in a section gets `{"has_data": False}` so the page says "no data", never 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from organizations.models import Membership, Organization

Section = Callable[[list[Organization]], tuple[dict[int, dict], dict[str, Any]]]


def rollout_section(organizations: list[Organization]) -> tuple[dict[int, dict], dict]:
    """Waves, onboarding status, members and users active in the last 30 days."""
    cutoff = timezone.now() - timedelta(days=30)
    counts = {
        row["organization_id"]: row
        for row in Membership.objects.values("organization_id").annotate(
            members=Count("user_id", distinct=True),
            active_30d=Count(
                "user_id",
                distinct=True,
                filter=Q(user__last_login__gte=cutoff, user__is_active=True),
            ),
        )
    }
    per_org = {}
    for org in organizations:
        row = counts.get(org.pk, {})
        per_org[org.pk] = {
            "has_data": True,
            "wave": org.rollout_wave,
            "status": org.onboarding_status,
            "members": row.get("members", 0),
            "active_30d": row.get("active_30d", 0),
        }
    by_status = Counter(org.onboarding_status for org in organizations)
    by_wave = Counter(str(org.rollout_wave or "unassigned") for org in organizations)
    totals = {
        "by_status": dict(by_status),
        "by_wave": dict(sorted(by_wave.items())),
        "members": sum(v["members"] for v in per_org.values()),
        "active_30d": sum(v["active_30d"] for v in per_org.values()),
    }
    return per_org, totals


def coordination_section(organizations: list[Organization]) -> tuple[dict[int, dict], dict]:
    """Partnerships marked visible to the OCM: by status and type, and who partners with whom."""
    from coordination.models import ParticipantState, Partnership, PartnershipParticipant
    from core.policies import shared_with_ocm

    # Every organization's, for the summary tables that only OCM readers see: what the OCM may
    # see of partnerships is the policy layer's rule.
    visible = shared_with_ocm(Partnership.objects.all())
    led = defaultdict(Counter)
    for row in visible.values("organization_id", "status").annotate(n=Count("id")):
        led[row["organization_id"]][row["status"]] += row["n"]
    joined = Counter()
    edges = Counter()
    accepted = PartnershipParticipant.objects.filter(
        partnership__in=visible, state=ParticipantState.ACCEPTED
    )
    for row in accepted.values("organization_id", "partnership__organization_id").annotate(
        n=Count("id")
    ):
        joined[row["organization_id"]] += row["n"]
        edges[(row["partnership__organization_id"], row["organization_id"])] += row["n"]
    per_org = {}
    for org in organizations:
        led_total = sum(led[org.pk].values())
        if not led_total and not joined[org.pk]:
            per_org[org.pk] = {"has_data": False}
            continue
        per_org[org.pk] = {
            "has_data": True,
            "led": led_total,
            "led_active": led[org.pk].get(Partnership.Status.ACTIVE, 0),
            "participating": joined[org.pk],
        }
    codes = {org.pk: org.code for org in organizations}
    totals = {
        "by_status": dict(
            Counter({r["status"]: r["n"] for r in visible.values("status").annotate(n=Count("id"))})
        ),
        "by_type": {
            r["partnership_type"]: r["n"]
            for r in visible.values("partnership_type").annotate(n=Count("id"))
        },
        "total": visible.count(),
        "network": sorted(
            [codes[lead], codes[member], n]
            for (lead, member), n in edges.items()
            if lead in codes and member in codes
        ),
    }
    return per_org, totals


def bcp_section(organizations: list[Organization]) -> tuple[dict[int, dict], dict]:
    """BC readiness: approved and current plans, overdue reviews, processes without a recent
    exercise or with RTO above MTPD, active versions not acknowledged by their whole audience.

    An organization is *ready* when every department that must have a plan (all but those its
    continuity policy exempts) has an approved plan, in date, that passes the readiness check's
    critical items (bcp.readiness.CRITICAL); an organization without departments needs one such
    plan. Who must acknowledge is bcp.cycle's one definition (`attach_audience`), the same as
    the plan page's list. Four queries whatever the number of plans.
    """
    from django.db.models import Exists, F, OuterRef

    from bcp import cycle, readiness
    from bcp.models import ContinuityPolicy, CriticalProcess, ExerciseResult, Plan
    from organizations.models import Department

    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    plans = list(
        Plan.objects.exclude(status=Plan.Status.ARCHIVED)
        .filter(organization__in=organizations)
        .order_by()
        .only(
            "id",
            "organization_id",
            "status",
            "current_version_id",
            "next_review_date",
            "department_id",
        )
    )
    cycle.attach_audience(readiness.attach_critical(plans))
    per_plan = defaultdict(list)
    for plan in plans:
        per_plan[plan.organization_id].append(plan)
    exempt = ContinuityPolicy.exempt_departments.through.objects.filter(
        continuitypolicy__organization_id=OuterRef("organization_id"),
        department_id=OuterRef("pk"),
    )
    required = defaultdict(set)
    for org_id, dept_id in (
        Department.objects.filter(organization__in=organizations)
        .filter(~Exists(exempt))
        .values_list("organization_id", "pk")
    ):
        required[org_id].add(dept_id)
    recent = ExerciseResult.objects.filter(
        process_id=OuterRef("pk"),
        exercise__held_on__gte=year_ago,
        exercise__status="conducted",
    )
    processes = defaultdict(Counter)
    for row in (
        CriticalProcess.objects.exclude(plan__status=Plan.Status.ARCHIVED)
        .annotate(exercised=Exists(recent))
        .values("plan__organization_id")
        .annotate(
            total=Count("id"),
            rto_above_mtpd=Count("id", filter=Q(rto_minutes__gt=F("mtpd_minutes"))),
            missing_objectives=Count(
                "id", filter=Q(rto_minutes__isnull=True) | Q(mtpd_minutes__isnull=True)
            ),
            not_exercised=Count("id", filter=Q(exercised=False)),
        )
    ):
        processes[row["plan__organization_id"]].update(
            {k: row[k] for k in ("total", "rto_above_mtpd", "missing_objectives", "not_exercised")}
        )
    per_org = {}
    for org in organizations:
        rows = per_plan.get(org.pk)
        if not rows:
            per_org[org.pk] = {"has_data": False}
            continue
        current = [
            p
            for p in rows
            if p.status == Plan.Status.APPROVED
            and p.current_version_id
            and (p.next_review_date is None or p.next_review_date >= today)
        ]
        passing = [p for p in rows if readiness.passes_critical(p)]
        needed = required.get(org.pk, set())
        ready_departments = {p.department_id for p in passing if p.department_id in needed}
        proc = processes.get(org.pk, Counter())
        per_org[org.pk] = {
            "has_data": True,
            "plans": len(rows),
            "approved_current": len(current),
            "passing": len(passing),
            "departments_required": len(needed),
            "departments_ready": len(ready_departments),
            "overdue_reviews": sum(
                1 for p in rows if p.next_review_date and p.next_review_date < today
            ),
            "unacknowledged": sum(
                1
                for p in rows
                if p.current_version_id and p.audience_acknowledged < p.audience_size
            ),
            "processes": proc.get("total", 0),
            "rto_above_mtpd": proc.get("rto_above_mtpd", 0),
            "missing_objectives": proc.get("missing_objectives", 0),
            "not_exercised_12m": proc.get("not_exercised", 0),
            "ready": (len(ready_departments) == len(needed)) if needed else bool(passing),
        }
    with_data = [v for v in per_org.values() if v["has_data"]]
    totals = {
        "ready": sum(1 for v in with_data if v["ready"]),
        "not_ready": sum(1 for v in with_data if not v["ready"]),
        "no_data": len(per_org) - len(with_data),
        "overdue_reviews": sum(v["overdue_reviews"] for v in with_data),
        "unacknowledged": sum(v["unacknowledged"] for v in with_data),
        "not_exercised_12m": sum(v["not_exercised_12m"] for v in with_data),
        "rto_above_mtpd": sum(v["rto_above_mtpd"] for v in with_data),
    }
    return per_org, totals


# --- budget --------------------------------------------------------------------------------------

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY_KEYS = ("approved", "allotted", "obligated", "disbursed")
#: Per allotment class: the appropriation ("budgeted"), then its execution.
CLASS_KEYS = ("budgeted", "allotted", "obligated", "disbursed")


def _money(value: Decimal | None) -> str:
    """Money in JSON: a string with centavos, so no float ever rounds a peso."""
    return str((value or ZERO).quantize(CENT))


def _rate(numerator: Decimal, denominator: Decimal) -> str | None:
    """numerator / denominator in percent with two decimals (as budgeting.selectors.rate), or
    None when there is nothing to divide by."""
    if not denominator:
        return None
    return str((numerator * 100 / denominator).quantize(CENT, rounding=ROUND_HALF_UP))


def _figures(sums: dict[str, Decimal]) -> dict[str, Any]:
    """Approved, allotted, obligated, disbursed as strings, and the two rates of the budgeting
    app: utilization = obligated ÷ allotted, disbursement rate = disbursed ÷ obligated."""
    figures: dict[str, Any] = {k: _money(sums.get(k)) for k in MONEY_KEYS}
    figures["utilization_rate"] = _rate(sums.get("obligated", ZERO), sums.get("allotted", ZERO))
    figures["disbursement_rate"] = _rate(sums.get("disbursed", ZERO), sums.get("obligated", ZERO))
    return figures


def budget_section(organizations: list[Organization]) -> tuple[dict[int, dict], dict]:
    """Approved appropriation and its execution, per organization and fiscal year, with the
    current fiscal year by quarter and allotment class. Three grouped queries, whatever the rows:
    the budgeting app's organization-grouped selectors (budgeting.selectors), composed here.

    The rules are the budgeting app's (budgeting.selectors, budgeting.rules): only approved
    proposals carry an appropriation; cancelled allotments, cancelled obligations and void
    disbursements never count; an obligation counts at its amount plus its adjustments.
    Quarters are those of the allotment; allotment classes those of the allotment, and the
    budgeted amount per class is the appropriation per class (budgeting.rules.class_appropriations).
    """
    from budgeting import selectors as budgeting
    from budgeting.models import ExpenseClass, Quarter

    current_year = timezone.localdate().year
    # (org, year) → figure → amount; (org, quarter|class) → figure → amount for the current year.
    years: dict[tuple[int, int], Counter] = defaultdict(Counter)
    quarters: dict[tuple[int, int], Counter] = defaultdict(Counter)
    classes: dict[tuple[int, str], Counter] = defaultdict(Counter)

    for org_id, year, total in budgeting.approved_by_organization():
        years[(org_id, year)]["approved"] += total or ZERO
    # Allotted, obligated, disbursed per (org, year), (org, quarter) and (org, class): added up
    # in plain lists over the ~5,000 rows, put in the Counters once per key afterwards.
    execution: tuple[dict, dict, dict] = tuple(
        defaultdict(lambda: [ZERO, ZERO, ZERO]) for _ in range(3)
    )
    by_year, by_quarter, by_class = execution
    for org_id, year, quarter, allotment_class, *amounts in budgeting.execution_by_organization():
        targets = [by_year[(org_id, year)]]
        if year == current_year:
            targets += [by_quarter[(org_id, quarter)], by_class[(org_id, allotment_class)]]
        for sums in targets:
            sums[0] += amounts[0]
            sums[1] += amounts[1]
            sums[2] += amounts[2]
    for counters, table in zip((years, quarters, classes), execution, strict=True):
        for key, (allotted, obligated, disbursed) in table.items():
            counters[key].update(allotted=allotted, obligated=obligated, disbursed=disbursed)
    # Budgeted per allotment class: the appropriation per class of the current year's approved
    # programs (their line items per class, scaled to the approved amount).
    for (org_id, allotment_class), amount in budgeting.appropriations_by_organization_class(
        current_year
    ).items():
        classes[(org_id, allotment_class)]["budgeted"] += amount

    by_org_years: dict[int, dict[int, Counter]] = defaultdict(dict)
    for (org_id, year), sums in years.items():
        by_org_years[org_id][year] = sums
    total_years: dict[int, Counter] = defaultdict(Counter)
    total_quarters: dict[int, Counter] = defaultdict(Counter)
    total_classes: dict[str, Counter] = defaultdict(Counter)
    per_org = {}
    for org in organizations:
        org_years = by_org_years.get(org.pk)
        if not org_years:
            per_org[org.pk] = {"has_data": False}
            continue
        for year, sums in org_years.items():
            total_years[year].update(sums)
        current = org_years.get(current_year)
        data: dict[str, Any] = {
            "has_data": True,
            "fiscal_year": current_year,
            # None (not zeros) when the organization has no approved budget this year.
            "current": _figures(current) if current else None,
            "by_year": {str(y): _figures(org_years[y]) for y in sorted(org_years)},
        }
        if current:
            data["by_quarter"] = {}
            for value, _label in Quarter.choices:
                sums = quarters.get((org.pk, value), Counter())
                total_quarters[value].update(sums)
                data["by_quarter"][str(value)] = {
                    k: _money(sums.get(k)) for k in ("allotted", "obligated", "disbursed")
                }
            data["by_class"] = {}
            for value, _label in ExpenseClass.choices:
                sums = classes.get((org.pk, value), Counter())
                total_classes[value].update(sums)
                data["by_class"][value] = {k: _money(sums.get(k)) for k in CLASS_KEYS}
        per_org[org.pk] = data
    with_current = [v for v in per_org.values() if v.get("current")]
    totals = {
        "fiscal_year": current_year,
        "organizations_with_budget": len(with_current),
        "no_data": len(per_org) - len(with_current),
        "current": _figures(total_years.get(current_year, Counter())) if with_current else None,
        "by_year": {str(y): _figures(total_years[y]) for y in sorted(total_years)},
        "by_quarter": {
            str(value): {
                k: _money(total_quarters[value].get(k))
                for k in ("allotted", "obligated", "disbursed")
            }
            for value, _label in Quarter.choices
        },
        "by_class": {
            value: {k: _money(total_classes[value].get(k)) for k in CLASS_KEYS}
            for value, _label in ExpenseClass.choices
        },
    }
    return per_org, totals


# --- planning ------------------------------------------------------------------------------------


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def planning_section(organizations: list[Organization]) -> tuple[dict[int, dict], dict]:
    """Strategic plans by status with the current plan's progress, goals and objectives
    progress, and work plans per year (four grouped queries: the planning app's
    organization-grouped selectors, composed here). Progress is the planning app's
    (planning.selectors): objectives that are cancelled do not count; archived plans neither."""
    from planning import selectors as planning
    from planning.models import StrategicPlan, WorkPlanObjective

    year = timezone.localdate().year
    archived = StrategicPlan.Status.ARCHIVED
    # Preference for "the current plan": active, then approved, then draft; newest first.
    rank = {StrategicPlan.Status.ACTIVE: 0, StrategicPlan.Status.APPROVED: 1}
    plans = defaultdict(list)
    for row in planning.plans_by_organization():
        plans[row["organization_id"]].append(row)
    goals = {row["plan__organization_id"]: row for row in planning.goals_by_organization()}
    objectives: dict[int, dict] = defaultdict(lambda: {"by_status": Counter(), "progress": None})
    for row in planning.objectives_by_organization():
        entry = objectives[row["work_plan__plan__organization_id"]]
        entry["by_status"][row["status"]] += row["n"]
        if row["status"] != WorkPlanObjective.Status.CANCELLED:
            entry.setdefault("weighted", []).append((row["progress"], row["n"]))
    work_plans: dict[int, dict[str, int]] = defaultdict(dict)
    for org_id, wp_year, n in planning.work_plans_by_organization():
        work_plans[org_id][str(wp_year)] = n

    per_org = {}
    totals_status: Counter = Counter()
    totals_objectives: Counter = Counter()
    totals_work_plans: Counter = Counter()
    for org in organizations:
        rows = plans.get(org.pk)
        if not rows:
            per_org[org.pk] = {"has_data": False}
            continue
        by_status = Counter(r["status"] for r in rows)
        totals_status.update(by_status)
        live = [r for r in rows if r["status"] != archived]
        covering = [r for r in live if r["start_year"] <= year <= r["end_year"]] or live
        current = min(covering, key=lambda r: rank.get(r["status"], 2), default=None)
        objective = objectives.get(org.pk, {"by_status": Counter()})
        weighted = objective.get("weighted", [])
        counted = sum(n for _p, n in weighted)
        objective_progress = (
            sum(p * n for p, n in weighted) / counted if counted else None  # average of all
        )
        totals_objectives.update(objective["by_status"])
        totals_work_plans.update(work_plans.get(org.pk, {}))
        goal_row = goals.get(org.pk, {})
        per_org[org.pk] = {
            "has_data": True,
            "plans_by_status": dict(by_status),
            "plan": {
                "title": current["title"],
                "status": current["status"],
                "years": f"{current['start_year']}–{current['end_year']}",
                "progress": _percent(current["progress"]),
                "goals": current["goal_count"],
            }
            if current
            else None,
            "goals": goal_row.get("n", 0),
            "goals_progress": _percent(goal_row.get("progress")),
            "objectives": sum(objective["by_status"].values()),
            "objectives_by_status": dict(objective["by_status"]),
            "objectives_progress": _percent(objective_progress),
            "work_plans": work_plans.get(org.pk, {}),
        }
    with_data = [v for v in per_org.values() if v["has_data"]]
    totals = {
        "organizations_with_plan": len(with_data),
        "active_plan": sum(
            1 for v in with_data if v["plan"] and v["plan"]["status"] == StrategicPlan.Status.ACTIVE
        ),
        "no_data": len(per_org) - len(with_data),
        "plans_by_status": dict(totals_status),
        "objectives_by_status": dict(totals_objectives),
        "work_plans": dict(sorted(totals_work_plans.items())),
    }
    return per_org, totals


def overdue_section(organizations: list[Organization]) -> tuple[dict[int, dict], dict]:
    """Overdue items per organization (BC reviews past due, milestones past due, proposals
    waiting for a decision too long): what the reminders escalate (notifications/reminders.py)."""
    from notifications.reminders import overdue_by_organization

    counts = overdue_by_organization()
    per_org = {org.pk: {"items": counts.get(org.pk, 0)} for org in organizations}
    return per_org, {"items": sum(d["items"] for d in per_org.values())}


#: name → section function. Each section is computed for every organization at once.
SECTIONS: dict[str, Section] = {
    "rollout": rollout_section,
    "coordination": coordination_section,
    "bcp": bcp_section,
    "budget": budget_section,
    "planning": planning_section,
    "overdue": overdue_section,
}


def compute_all() -> tuple[dict[int, dict], dict[str, Any]]:
    """Every section for every active organization: ({org_id: {section: data}}, totals)."""
    organizations = list(Organization.objects.filter(is_active=True).order_by("code"))
    per_org: dict[int, dict] = {org.pk: {} for org in organizations}
    totals: dict[str, Any] = {"organizations": len(organizations)}
    for name, section in SECTIONS.items():
        section_per_org, section_totals = section(organizations)
        for org_id, data in section_per_org.items():
            per_org[org_id][name] = data
        totals[name] = section_totals
    return per_org, totals
