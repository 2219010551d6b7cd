"""The OCM dashboard: read-only pages over the summary tables (no forms that change data)."""

from __future__ import annotations

import csv

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from coordination.models import ParticipantState, Partnership
from organizations.importing import csv_safe
from organizations.models import Organization

from . import selectors
from .access import LEVEL_RANK, require_ocm

STATUS_LABELS = dict(Organization.OnboardingStatus.choices)
PARTNERSHIP_STATUS = dict(Partnership.Status.choices)
PARTNERSHIP_TYPE = dict(Partnership.Type.choices)

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
    return {
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
                ["Approved and current plan", totals.get("bcp", {}).get("ready", 0)],
                ["Plans, none approved and current", totals.get("bcp", {}).get("not_ready", 0)],
                ["No data (no BC plan)", totals.get("bcp", {}).get("no_data", 0)],
            ],
        ),
    }


@require_ocm("viewer")
@require_safe
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
    }
    live = sum(1 for r in data.rows if r.section("rollout").get("status") == "live")
    return render(
        request,
        "ocm/dashboard.html",
        {
            "data": data,
            "rows": [(row, [getter(row) for _h, getter in COLUMNS.values()]) for row in rows],
            "columns": [(key, heading) for key, (heading, _g) in COLUMNS.items()],
            "sort": sort,
            "tables": tables,
            "charts": charts,
            "live": live,
            "is_analyst": LEVEL_RANK[request.ocm_level] >= LEVEL_RANK["analyst"],
        },
    )


@require_ocm("analyst")
@require_safe
def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    row = selectors.organization_row(code)
    if row is None:
        raise Http404("No such organization.")
    code = code.upper()
    partnerships = (
        Partnership.objects.filter(visible_to_ocm=True)
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
        },
    )


@require_ocm("analyst")
@require_safe
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = data.computed_at.strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ocm-{table}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([f"Data as of {data.computed_at:%Y-%m-%d %H:%M %Z}"])
    writer.writerow(headings)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return response
