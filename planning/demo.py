"""Demo data of the planning app: an active strategic plan with goals, work plans and objectives
for each pilot MOA; with `scale`, a ten-year plan for every organization (bulk inserts).

Idempotent: plans are found by organization and title, so running it again creates nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from organizations.demo import PILOTS
from organizations.models import Organization, User

from .models import AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective

D = Decimal

#: Per pilot: plan title, vision, mission, goals (title, priority, metric, baseline, target,
#: current, [objectives of the current year: (title, indicator, baseline, target, current)]).
PILOT_PLANS: dict[str, dict] = {
    "MOH": {
        "title": "Bangsamoro Health Strategic Plan 2023–2028",
        "vision": "Every Bangsamoro family healthy, protected and served close to home.",
        "mission": "Deliver equitable, quality primary health care through the UHC system.",
        "goals": [
            (
                "Reduce maternal deaths",
                1,
                "Maternal mortality ratio per 100,000 live births",
                "180",
                "120",
                "150",
                [
                    ("Facility-based deliveries", "Deliveries in facilities (%)", "55", "85", "71"),
                    ("Midwives deployed to GIDA", "Midwives deployed", "0", "120", "64"),
                ],
            ),
            (
                "Full immunization of children",
                2,
                "Fully immunized children (%)",
                "62",
                "95",
                "78",
                [("Catch-up vaccination drives", "Drives held", "0", "24", "11")],
            ),
            (
                "Upgrade barangay health stations",
                3,
                "Stations upgraded",
                "0",
                "120",
                "45",
                [("Stations upgraded this year", "Stations", "0", "30", "12")],
            ),
            (
                "Digital health records",
                4,
                "Facilities on electronic medical records (%)",
                "10",
                "80",
                "35",
                [("RHUs connected to the EMR", "RHUs connected", "0", "40", "9")],
            ),
        ],
    },
    "MOLE": {
        "title": "Bangsamoro Labor and Employment Plan 2023–2028",
        "vision": "Decent and productive work for every Bangsamoro worker.",
        "mission": "Connect workers to jobs, skills and safe workplaces.",
        "goals": [
            (
                "Decent jobs for Bangsamoro workers",
                1,
                "Job placements",
                "0",
                "25000",
                "9800",
                [("Job fairs in every province", "Job fairs held", "0", "12", "5")],
            ),
            (
                "Skills certification",
                2,
                "Certified TVET graduates",
                "0",
                "15000",
                "6100",
                [("Assessment centres accredited", "Centres", "4", "16", "9")],
            ),
            (
                "Safe workplaces",
                3,
                "Workplace inspections",
                "0",
                "3000",
                "1200",
                [("Inspections of fishing and farm enterprises", "Inspections", "0", "600", "240")],
            ),
            (
                "Labor market information",
                4,
                "LMI reports published",
                "0",
                "12",
                "5",
                [("Quarterly LMI bulletin", "Bulletins", "0", "4", "1")],
            ),
        ],
    },
    "MAFAR": {
        "title": "Bangsamoro Agriculture and Fisheries Plan 2023–2028",
        "vision": "A food-secure Bangsamoro with thriving farmers and fisherfolk.",
        "mission": "Raise farm and fishery productivity and incomes sustainably.",
        "goals": [
            (
                "Rice self-sufficiency",
                1,
                "Rice sufficiency level (%)",
                "68",
                "90",
                "74",
                [("Certified seeds distributed", "Bags of seed", "0", "80000", "30500")],
            ),
            (
                "Fisherfolk livelihood",
                2,
                "Fisherfolk assisted",
                "0",
                "40000",
                "15000",
                [("Motorized bancas distributed", "Bancas", "0", "1500", "420")],
            ),
            (
                "Farm-to-market roads",
                3,
                "Kilometres completed",
                "0",
                "350",
                "120",
                [("Road segments completed", "Kilometres", "0", "60", "18")],
            ),
            (
                "Agricultural extension",
                4,
                "Farmers trained",
                "0",
                "20000",
                "8000",
                [("Farmer field schools", "Schools run", "0", "80", "26")],
            ),
        ],
    },
}


def _persona(code: str, slug: str) -> User | None:
    return User.objects.filter(email=f"{code.lower()}.{slug}@bmms.demo").first()


def _seed_pilot(organization: Organization, spec: dict, year: int) -> bool:
    if StrategicPlan.objects.filter(organization=organization, title=spec["title"]).exists():
        return False
    code = organization.code
    plan = StrategicPlan.objects.create(
        organization=organization,
        title=spec["title"],
        start_year=2023,
        end_year=2028,
        vision=spec["vision"],
        mission=spec["mission"],
        status=StrategicPlan.Status.ACTIVE,
        created_by=_persona(code, "editor"),
        approved_by=_persona(code, "approver"),
        approved_at=timezone.now(),
    )
    work_plans = {
        y: AnnualWorkPlan.objects.create(plan=plan, year=y, title=f"Work plan {y}")
        for y in (year - 1, year)
    }
    for title, priority, metric, base, target, current, objectives in spec["goals"]:
        goal = StrategicGoal.objects.create(
            plan=plan,
            title=title,
            priority=priority,
            target_metric=metric,
            baseline_value=D(base),
            target_value=D(target),
            current_value=D(current),
        )
        for o_title, indicator, o_base, o_target, o_current in objectives:
            WorkPlanObjective.objects.create(
                work_plan=work_plans[year],
                goal=goal,
                title=o_title,
                indicator=indicator,
                baseline_value=D(o_base),
                target_value=D(o_target),
                current_value=D(o_current),
                target_date=datetime.date(year, 12, 15),
                status=WorkPlanObjective.Status.IN_PROGRESS,
            )
    return True


SCALE_PLAN_TITLE = "Medium-term development plan {start}–{end}"
SCALE_GOALS = [
    ("Service coverage", 1),
    ("Program efficiency", 2),
    ("Governance and transparency", 3),
    ("Staff capacity", 3),
    ("Digital services", 4),
]


def _seed_scale(year: int) -> int:
    """A ten-year plan (goals, one work plan per year) for every organization without one."""
    start, end = year - 9, year
    title = SCALE_PLAN_TITLE.format(start=start, end=end)
    have = set(StrategicPlan.objects.filter(title=title).values_list("organization_id", flat=True))
    organizations = [o for o in Organization.objects.order_by("code") if o.pk not in have]
    plans = StrategicPlan.objects.bulk_create(
        [
            StrategicPlan(
                organization=o,
                title=title,
                start_year=start,
                end_year=end,
                vision=f"{o.display_acronym} serves every Bangsamoro community.",
                mission="Plan, budget and deliver results.",
                status=StrategicPlan.Status.ACTIVE,
                approved_at=timezone.now(),
            )
            for o in organizations
        ]
    )
    StrategicGoal.objects.bulk_create(
        [
            StrategicGoal(
                plan=plan,
                title=goal_title,
                priority=priority,
                target_metric="Index (0–100)",
                baseline_value=D(20),
                target_value=D(90),
                current_value=D(20 + 7 * n),
            )
            for plan in plans
            for n, (goal_title, priority) in enumerate(SCALE_GOALS)
        ]
    )
    AnnualWorkPlan.objects.bulk_create(
        [
            AnnualWorkPlan(plan=plan, year=y, title=f"Work plan {y}")
            for plan in plans
            for y in range(start, end + 1)
        ]
    )
    return len(plans)


@transaction.atomic
def seed(scale: int = 0) -> list[str]:
    """Pilot plans; with `scale`, a ten-year plan for every organization."""
    year = timezone.localdate().year
    lines = []
    organizations = {o.code: o for o in Organization.objects.filter(code__in=PILOTS)}
    created = [
        code
        for code in PILOTS
        if code in organizations and _seed_pilot(organizations[code], PILOT_PLANS[code], year)
    ]
    lines.append(f"planning: strategic plans for {', '.join(created) or 'no new pilot'}")
    if scale:
        lines.append(f"planning: ten-year plans for {_seed_scale(year)} more organizations")
    return lines
