"""The OCM aggregation service: every figure of the dashboard, computed from the base tables.

Reads only. Each section computes all organizations at once with grouped SQL (a handful of
queries whatever the number of rows) and returns `(per_organization, totals)`; an organization
without data in a section gets `{"has_data": False}` so the page says "no data", never 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta
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

    visible = Partnership.objects.filter(visible_to_ocm=True)
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
    exercise or with RTO above MTPD, and active versions not acknowledged by every member."""
    from django.db.models import Exists, F, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from bcp.models import Acknowledgment, CriticalProcess, ExerciseResult, Plan

    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    plans = Plan.objects.exclude(status=Plan.Status.ARCHIVED)
    # Who must acknowledge: the plan's department, or the whole organization without one.
    org_members = (
        Membership.objects.filter(organization_id=OuterRef("organization_id"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    dept_members = (
        Membership.objects.filter(department_id=OuterRef("department_id"))
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    acks = (
        Acknowledgment.objects.filter(version_id=OuterRef("current_version_id"))
        .order_by()
        .values("version_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    plan_rows = plans.annotate(
        scope=Coalesce(
            Subquery(dept_members, output_field=IntegerField()),
            Subquery(org_members, output_field=IntegerField()),
            0,
        ),
        acknowledged=Coalesce(Subquery(acks, output_field=IntegerField()), 0),
    ).values(
        "organization_id",
        "status",
        "current_version_id",
        "next_review_date",
        "department_id",
        "scope",
        "acknowledged",
    )
    per_plan = defaultdict(list)
    for row in plan_rows:
        per_plan[row["organization_id"]].append(row)
    recent = ExerciseResult.objects.filter(
        process_id=OuterRef("pk"), exercise__held_on__gte=year_ago
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
            r
            for r in rows
            if r["status"] == Plan.Status.APPROVED
            and r["current_version_id"]
            and (r["next_review_date"] is None or r["next_review_date"] >= today)
        ]
        proc = processes.get(org.pk, Counter())
        per_org[org.pk] = {
            "has_data": True,
            "plans": len(rows),
            "approved_current": len(current),
            "overdue_reviews": sum(
                1 for r in rows if r["next_review_date"] and r["next_review_date"] < today
            ),
            "unacknowledged": sum(
                1 for r in rows if r["current_version_id"] and r["acknowledged"] < r["scope"]
            ),
            "processes": proc.get("total", 0),
            "rto_above_mtpd": proc.get("rto_above_mtpd", 0),
            "missing_objectives": proc.get("missing_objectives", 0),
            "not_exercised_12m": proc.get("not_exercised", 0),
            "ready": bool(current),
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


#: name → section function. Later sections (budget, planning, BC readiness) register here.
SECTIONS: dict[str, Section] = {
    "rollout": rollout_section,
    "coordination": coordination_section,
    "bcp": bcp_section,
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
