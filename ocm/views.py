"""The OCM dashboard: read-only pages over the summary tables (no forms that change data)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from budgeting.models import ExpenseClass, Quarter
from config.db_router import reads_from_replica
from coordination.models import ParticipantState, Partnership
from core import policies
from core.csvfiles import csv_response
from core.formats import file_stamp
from core.policies.ocm import has_ocm_level
from core.web import fragment_key
from organizations.importing import csv_safe
from organizations.models import Organization
from planning.models import StrategicPlan, WorkPlanObjective

from . import briefing, selectors
from .access import require_ocm

STATUS_LABELS = dict(Organization.OnboardingStatus.choices)
PARTNERSHIP_STATUS = dict(Partnership.Status.choices)
PARTNERSHIP_TYPE = dict(Partnership.Type.choices)
PLAN_STATUS = dict(StrategicPlan.Status.choices)
OBJECTIVE_STATUS = dict(WorkPlanObjective.Status.choices)
EXPENSE_CLASS = dict(ExpenseClass.choices)
QUARTER = dict(Quarter.choices)


class Money(Decimal):
    """An amount: `₱1,234.50` on the page (the `cell` filter), plain digits in CSV files."""


class Rate(Decimal):
    """A percentage: `87.5%` on the page, plain digits in CSV files."""


def money(value: str | None) -> Money | None:
    return None if value is None else Money(value)


def rate(value: str | None) -> Rate | str:
    """A rate, or "—" when there was nothing to divide by (the organization has data)."""
    return "—" if value is None else Rate(value)


def _budget(row, key: str):
    """A figure of the organization's current fiscal year; None ("no data") without a budget."""
    current = row.section("budget").get("current")
    if not current:
        return None
    return rate(current[key]) if key.endswith("_rate") else money(current[key])


def _plan(row, key: str):
    plan = row.section("planning").get("plan")
    if not plan:
        return None
    if key == "status":
        return PLAN_STATUS.get(plan["status"], plan["status"])
    return rate(plan["progress"])


#: column key → (heading, value getter for sorting and CSV)
COLUMNS = {
    "code": ("Code", lambda r: r.code),
    "name": ("Organization", lambda r: r.name),
    "category": ("Category", lambda r: r.category),
    "wave": ("Wave", lambda r: r.section("rollout").get("wave") or "—"),
    "status": ("Onboarding", lambda r: STATUS_LABELS.get(r.section("rollout").get("status"), "")),
    "members": ("Members", lambda r: r.section("rollout").get("members")),
    "active_30d": ("Active users (30 days)", lambda r: r.section("rollout").get("active_30d")),
    "led": ("Partnerships led", lambda r: r.section("coordination").get("led")),
    "participating": (
        "Partnerships joined",
        lambda r: r.section("coordination").get("participating"),
    ),
    "bc_ready": ("Approved, current BC plans", lambda r: r.section("bcp").get("approved_current")),
    "bc_overdue": ("Overdue BC reviews", lambda r: r.section("bcp").get("overdue_reviews")),
    "bc_not_exercised": (
        "Processes not exercised in 12 months",
        lambda r: r.section("bcp").get("not_exercised_12m"),
    ),
    "bc_unacknowledged": (
        "Plans not acknowledged by all",
        lambda r: r.section("bcp").get("unacknowledged"),
    ),
    "approved": ("Approved appropriation (this FY)", lambda r: _budget(r, "approved")),
    "allotted": ("Allotted (this FY)", lambda r: _budget(r, "allotted")),
    "obligated": ("Obligated (this FY)", lambda r: _budget(r, "obligated")),
    "disbursed": ("Disbursed (this FY)", lambda r: _budget(r, "disbursed")),
    "utilization": ("Utilization rate", lambda r: _budget(r, "utilization_rate")),
    "disbursement_rate": ("Disbursement rate", lambda r: _budget(r, "disbursement_rate")),
    "plan_status": ("Strategic plan", lambda r: _plan(r, "status")),
    "plan_progress": ("Plan progress", lambda r: _plan(r, "progress")),
    "objectives": ("Objectives", lambda r: r.section("planning").get("objectives")),
    # what the reminders escalate to the organization's admins
    "overdue": ("Overdue items", lambda r: r.section("overdue").get("items")),
}


def _sorted_rows(rows, key: str, descending: bool):
    getter = COLUMNS[key][1]
    present = [r for r in rows if getter(r) is not None]
    missing = [r for r in rows if getter(r) is None]  # "no data" always last
    # Numbers sort among numbers and text among text (a wave is a number or "—").
    present.sort(key=lambda r: (isinstance(getter(r), str), getter(r)), reverse=descending)
    return present + missing


def _tables(data: selectors.Dashboard) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the dashboard as (headings, rows): the page and the CSV share them."""
    totals = data.totals
    coordination = totals.get("coordination", {})
    rollout = totals.get("rollout", {})
    budget = totals.get("budget", {})
    planning = totals.get("planning", {})
    figures = ["approved", "allotted", "obligated", "disbursed"]
    return {
        "budget_by_organization": (
            [
                "Organization",
                "Approved appropriation",
                "Allotted",
                "Obligated",
                "Disbursed",
                "Utilization rate",
                "Disbursement rate",
            ],
            [
                [r.code, *(_budget(r, k) for k in figures)]
                + [_budget(r, "utilization_rate"), _budget(r, "disbursement_rate")]
                for r in data.rows
            ],
        ),
        "budget_by_quarter": (
            ["Quarter", "Allotted", "Obligated", "Disbursed"],
            [
                [QUARTER.get(int(q), q), money(v["allotted"]), money(v["obligated"])]
                + [money(v["disbursed"])]
                for q, v in budget.get("by_quarter", {}).items()
            ]
            if budget.get("current")
            else [],
        ),
        "budget_by_class": (
            ["Allotment class", "Appropriation", "Allotted", "Obligated", "Disbursed"],
            [
                [EXPENSE_CLASS.get(c, c), money(v["budgeted"]), money(v.get("allotted"))]
                + [money(v["obligated"]), money(v["disbursed"])]
                for c, v in budget.get("by_class", {}).items()
            ]
            if budget.get("current")
            else [],
        ),
        "budget_by_year": (
            [
                "Fiscal year",
                "Approved appropriation",
                "Allotted",
                "Obligated",
                "Disbursed",
                "Utilization rate",
                "Disbursement rate",
            ],
            [
                [int(year), *(money(v[k]) for k in figures)]
                + [rate(v["utilization_rate"]), rate(v["disbursement_rate"])]
                for year, v in budget.get("by_year", {}).items()
            ],
        ),
        "plan_status": (
            ["Strategic plan status", "Plans"],
            [[PLAN_STATUS.get(k, k), v] for k, v in planning.get("plans_by_status", {}).items()],
        ),
        "objective_status": (
            ["Objective status", "Objectives"],
            [
                [OBJECTIVE_STATUS.get(k, k), v]
                for k, v in planning.get("objectives_by_status", {}).items()
            ],
        ),
        "work_plans": (
            ["Year", "Annual work plans"],
            [[int(k), v] for k, v in planning.get("work_plans", {}).items()],
        ),
        "onboarding": (
            ["Onboarding status", "Organizations"],
            [[STATUS_LABELS.get(k, k), v] for k, v in rollout.get("by_status", {}).items()],
        ),
        "waves": (
            ["Wave", "Organizations"],
            [[k, v] for k, v in rollout.get("by_wave", {}).items()],
        ),
        "partnership_status": (
            ["Status", "Partnerships"],
            [
                [PARTNERSHIP_STATUS.get(k, k), v]
                for k, v in coordination.get("by_status", {}).items()
            ],
        ),
        "partnership_type": (
            ["Type", "Partnerships"],
            [[PARTNERSHIP_TYPE.get(k, k), v] for k, v in coordination.get("by_type", {}).items()],
        ),
        "network": (
            ["Lead organization", "Partner organization", "Partnerships"],
            coordination.get("network", []),
        ),
        "bc_readiness": (
            ["BC readiness", "Organizations"],
            [
                ["Ready (every department covered)", totals.get("bcp", {}).get("ready", 0)],
                ["Plans, not ready", totals.get("bcp", {}).get("not_ready", 0)],
                ["No data (no BC plan)", totals.get("bcp", {}).get("no_data", 0)],
            ],
        ),
    }


def _live(data: selectors.Dashboard) -> int:
    """Organizations live on the portal."""
    return sum(1 for r in data.rows if r.section("rollout").get("status") == "live")


@require_ocm("viewer")
@require_safe
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard()
    sort = request.GET.get("sort", "code")
    if sort.lstrip("-") not in COLUMNS:
        sort = "code"
    rows = _sorted_rows(data.rows, sort.lstrip("-"), sort.startswith("-"))
    tables = _tables(data)
    charts = {
        "onboarding": {
            "labels": [r[0] for r in tables["onboarding"][1]],
            "values": [r[1] for r in tables["onboarding"][1]],
        },
        "partnerships": {
            "labels": [r[0] for r in tables["partnership_status"][1]],
            "values": [r[1] for r in tables["partnership_status"][1]],
        },
        "bc_readiness": {
            "labels": [r[0] for r in tables["bc_readiness"][1]],
            "values": [r[1] for r in tables["bc_readiness"][1]],
        },
        "active_users": {
            "labels": [r.code for r in data.rows],
            "values": [r.section("rollout").get("active_30d") for r in data.rows],
        },
        # Organizations without a budget this year are left out of the chart (the table
        # beside it lists them as "no data"); an empty rate (nothing allotted) too.
        "utilization": {
            "labels": [r[0] for r in tables["budget_by_organization"][1] if isinstance(r[5], Rate)],
            "values": [
                float(r[5]) for r in tables["budget_by_organization"][1] if isinstance(r[5], Rate)
            ],
        },
        "obligations_quarter": {
            "labels": [r[0] for r in tables["budget_by_quarter"][1]],
            "datasets": [
                {"label": heading, "values": [float(r[i]) for r in tables["budget_by_quarter"][1]]}
                for i, heading in enumerate(tables["budget_by_quarter"][0][1:], start=1)
            ],
        },
    }
    return render(
        request,
        "ocm/dashboard.html",
        {
            "data": data,
            "rows": [(row, [getter(row) for _h, getter in COLUMNS.values()]) for row in rows],
            "columns": [(key, heading) for key, (heading, _g) in COLUMNS.items()],
            "sort": sort,
            "fragment_key": fragment_key(request, "ocm", per_organization=False),
            "tables": tables,
            "charts": charts,
            "live": _live(data),
            "budget": data.totals.get("budget", {}),
            "is_analyst": has_ocm_level(request.ocm_level, "analyst"),
            "is_executive": has_ocm_level(request.ocm_level, "executive"),
        },
    )


def _organization_tables(row: selectors.OrganizationRow) -> dict[str, tuple[list[str], list]]:
    """The drill-down's budget and planning tables, from the organization's summary row."""
    budget = row.section("budget")
    figures = ["approved", "allotted", "obligated", "disbursed"]
    return {
        "by_year": (
            ["Fiscal year", "Approved", "Allotted", "Obligated", "Disbursed"]
            + ["Utilization rate", "Disbursement rate"],
            [
                [int(year), *(money(v[k]) for k in figures)]
                + [rate(v["utilization_rate"]), rate(v["disbursement_rate"])]
                for year, v in budget.get("by_year", {}).items()
            ],
        ),
        "by_quarter": (
            ["Quarter", "Allotted", "Obligated", "Disbursed"],
            [
                [QUARTER.get(int(q), q), money(v["allotted"]), money(v["obligated"])]
                + [money(v["disbursed"])]
                for q, v in budget.get("by_quarter", {}).items()
            ],
        ),
        "by_class": (
            ["Allotment class", "Appropriation", "Allotted", "Obligated", "Disbursed"],
            [
                [EXPENSE_CLASS.get(c, c), money(v["budgeted"]), money(v.get("allotted"))]
                + [money(v["obligated"]), money(v["disbursed"])]
                for c, v in budget.get("by_class", {}).items()
            ],
        ),
        "objectives": (
            ["Objective status", "Objectives"],
            [
                [OBJECTIVE_STATUS.get(k, k), n]
                for k, n in row.section("planning").get("objectives_by_status", {}).items()
            ],
        ),
        "work_plans": (
            ["Year", "Annual work plans"],
            [[int(y), n] for y, n in row.section("planning").get("work_plans", {}).items()],
        ),
    }


@require_ocm("analyst")
@require_safe
@reads_from_replica
def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    row = selectors.organization_row(code)
    if row is None:
        raise Http404("No such organization.")
    code = code.upper()
    partnerships = (
        policies.shared_with_ocm(Partnership.objects.for_user(request.user))
        .filter(
            Q(organization__code=code)
            | Q(
                participant_links__organization__code=code,
                participant_links__state=ParticipantState.ACCEPTED,
            )
        )
        .distinct()
        .select_related("organization")
        .order_by("-start_date", "title")[:50]
    )
    return render(
        request,
        "ocm/organization_detail.html",
        {
            "row": row,
            "data": selectors.dashboard(),
            "partnerships": partnerships,
            "status_label": STATUS_LABELS.get(row.section("rollout").get("status"), ""),
            # Templates cannot call row.section(name): hand them every section, "no data" filled.
            "sections": {
                name: row.section(name)
                for name in ("rollout", "coordination", "bcp", "budget", "planning")
            },
            "org_tables": _organization_tables(row),
            "plan_status": PLAN_STATUS,
        },
    )


@require_ocm("analyst")
@require_safe
@reads_from_replica
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    data = selectors.dashboard()
    if table == "organizations":
        headings = [heading for heading, _g in COLUMNS.values()]
        rows = [
            [getter(r) if getter(r) is not None else "no data" for _h, getter in COLUMNS.values()]
            for r in data.rows
        ]
    else:
        tables = _tables(data)
        if table not in tables:
            raise Http404("No such table.")
        headings, rows = tables[table]
        rows = [["no data" if v is None else v for v in row] for row in rows]
    # Header first; when the figures were computed is in the file name (Philippine time).
    response, writer = csv_response(f"ocm-{table}", as_of=data.computed_at)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return response


@require_ocm("executive")
@require_safe
@reads_from_replica
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    """The executive briefing: key figures and the main tables as a PDF (a second or less)."""
    data = selectors.dashboard()
    response = HttpResponse(
        briefing.render(data, _tables(data), _live(data)), content_type="application/pdf"
    )
    stamp = file_stamp(data.computed_at)
    response["Content-Disposition"] = f'attachment; filename="ocm-briefing-{stamp}.pdf"'
    return response
