"""Demo data of the budgeting app.

Pilots (MOH, MOLE, MAFAR): an approved proposal for the current fiscal year, prepared by the
editor and approved by the approver through the services (so the audit log tells the story),
one program per strategic goal, and execution through the current quarter.

`scale` N: for every organization and each of the last ten fiscal years, an approved proposal with
10 programs × 4·N line items (N = 25 gives the benchmark's 44 × 10 × 1,000 line items) and its
execution, inserted with bulk_create. Idempotent: organization-years that have a proposal are
skipped.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import ROUND_DOWN, Decimal

from django.db import connection, transaction
from django.utils import timezone

from organizations.demo import PILOTS
from organizations.models import Organization, User
from planning.models import AnnualWorkPlan, StrategicGoal, StrategicPlan

from . import selectors, services
from .models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    DisbursementLineItem,
    ExpenseClass,
    FundSource,
    Obligation,
    ProgramBudget,
)

D = Decimal
CENT = D("0.01")

#: Per pilot, one program per goal (same order as planning.demo): name, fund source, lines.
PILOT_PROGRAMS: dict[str, list[tuple[str, str, list[tuple[str, str, str, int]]]]] = {
    "MOH": [
        (
            "Safe Motherhood Program",
            FundSource.GAAB,
            [
                ("PS", "Contract midwives for GIDA barangays (12 months)", "25000.00", 720),
                ("MOOE", "Maternal care kits", "1850.00", 4000),
                ("MOOE", "Emergency obstetric care training", "420000.00", 6),
                ("CO", "Birthing facility equipment sets", "950000.00", 8),
            ],
        ),
        (
            "Expanded Program on Immunization",
            FundSource.BLOCK_GRANT,
            [
                ("MOOE", "Cold-chain vaccine transport", "125000.00", 24),
                ("MOOE", "Catch-up vaccination drives", "310000.00", 24),
                ("CO", "Solar vaccine refrigerators", "380000.00", 20),
            ],
        ),
        (
            "Barangay Health Station Upgrading",
            FundSource.SPECIAL_DEVELOPMENT,
            [
                ("CO", "Health station renovation", "2400000.00", 30),
                ("MOOE", "Engineering supervision", "95000.00", 30),
            ],
        ),
        (
            "Bangsamoro eHealth",
            FundSource.GAAB,
            [
                ("PS", "Health informatics officers (12 months)", "38000.00", 120),
                ("MOOE", "EMR licences and connectivity", "65000.00", 40),
                ("CO", "Laptops for rural health units", "58000.00", 80),
            ],
        ),
    ],
    "MOLE": [
        (
            "Bangsamoro Employment Facilitation",
            FundSource.GAAB,
            [
                ("PS", "Public employment service officers (12 months)", "30000.00", 240),
                ("MOOE", "Provincial job fairs", "450000.00", 12),
            ],
        ),
        (
            "TVET Scholarship and Certification",
            FundSource.BLOCK_GRANT,
            [
                ("MOOE", "Training-cum-assessment vouchers", "18500.00", 3000),
                ("CO", "Welding and automotive workshop tools", "1250000.00", 4),
            ],
        ),
        (
            "Occupational Safety and Health",
            FundSource.GAAB,
            [
                ("MOOE", "Workplace inspection missions", "12000.00", 600),
                ("MOOE", "Safety seminars for fisherfolk", "85000.00", 40),
            ],
        ),
        (
            "Labor Market Information System",
            FundSource.TDIF,
            [
                ("MOOE", "Establishment survey", "1800000.00", 1),
                ("CO", "LMI data server", "2200000.00", 1),
            ],
        ),
    ],
    "MAFAR": [
        (
            "Rice Productivity Enhancement",
            FundSource.GAAB,
            [
                ("MOOE", "Certified inbred rice seeds (bags)", "1650.00", 30000),
                ("MOOE", "Fertilizer vouchers", "2500.00", 12000),
                ("CO", "Four-wheel tractors", "1850000.00", 10),
            ],
        ),
        (
            "Fisherfolk Livelihood Assistance",
            FundSource.BLOCK_GRANT,
            [
                ("CO", "Motorized bancas with gear", "145000.00", 400),
                ("MOOE", "Fish processing training", "150000.00", 20),
            ],
        ),
        (
            "Farm-to-Market Roads",
            FundSource.SPECIAL_DEVELOPMENT,
            [("CO", "Concrete road (per kilometre)", "14500000.00", 18)],
        ),
        (
            "Agricultural Extension Services",
            FundSource.GAAB,
            [
                ("PS", "Agricultural extension workers (12 months)", "24000.00", 480),
                ("MOOE", "Farmer field schools", "110000.00", 80),
            ],
        ),
    ],
}

PAYEES = [
    "Cotabato Medical Supply Co.",
    "Marawi Builders Inc.",
    "Mindanao Agri Trading",
    "Lanao Printing Press",
    "Sulu Marine Works",
    "Maguindanao Transport Cooperative",
    "Bangsamoro Tech Solutions",
    "Tawi-Tawi Seaweed Growers Association",
]
COST_CENTRES = ["Central office", "Field operations", "Provincial office", "Training centre"]


def current_quarter(today: datetime.date) -> int:
    return (today.month - 1) // 3 + 1


def _quarter_date(year: int, quarter: int, day: int = 10) -> datetime.date:
    return datetime.date(year, 3 * (quarter - 1) + 1, day)


def _share(amount: Decimal, fraction: str) -> Decimal:
    return (amount * D(fraction)).quantize(CENT, rounding=ROUND_DOWN)


def _quarter_allotments(approved: Decimal, quarters: int) -> list[Decimal]:
    """A quarter of the approved amount per quarter released (the last takes the remainder)."""
    quarter = _share(approved, "0.25")
    amounts = [quarter] * quarters
    if quarters == 4:
        amounts[-1] = approved - quarter * 3
    return amounts


def _persona(code: str, slug: str) -> User | None:
    return User.objects.filter(email=f"{code.lower()}.{slug}@bmms.demo").first()


def _seed_pilot(organization: Organization, year: int, today: datetime.date) -> bool:
    code = organization.code
    if BudgetProposal.objects.filter(organization=organization, fiscal_year=year).exists():
        return False
    editor, approver = _persona(code, "editor"), _persona(code, "approver")
    plan = StrategicPlan.objects.filter(organization=organization).order_by("created_at").first()
    if editor is None or approver is None or plan is None:
        return False
    goals = list(plan.goals.order_by("priority", "id"))
    work_plan = AnnualWorkPlan.objects.filter(plan=plan, year=year).first()
    proposal = services.proposal_create(
        actor=editor,
        organization=organization,
        fiscal_year=year,
        title=f"{organization.display_acronym} budget proposal FY {year}",
        strategic_plan=plan,
        notes="Aligned with the strategic plan's goals; one program per goal.",
    )
    for n, (name, fund, lines) in enumerate(PILOT_PROGRAMS[code], start=1):
        requested = sum((D(unit) * qty for _c, _d, unit, qty in lines), D(0))
        program = services.program_create(
            actor=editor,
            proposal=proposal,
            code=f"{code}-{year}-{n:02d}",
            name=name,
            description=f"Delivers the goal “{goals[n - 1].title}”." if n <= len(goals) else "",
            goal_id=goals[n - 1].pk if n <= len(goals) else None,
            work_plan_id=work_plan.pk if work_plan else None,
            fund_source=fund,
            requested_amount=requested,
        )
        for expense_class, description, unit, qty in lines:
            services.line_item_create(
                actor=editor,
                program=program,
                expense_class=expense_class,
                description=description,
                unit_cost=D(unit),
                quantity=qty,
            )
    services.proposal_submit(actor=editor, proposal=proposal)
    services.proposal_approve(actor=approver, proposal=proposal, approved_amounts={})
    _execute_pilot(proposal, editor, approver, year, today)
    return True


def _execute_pilot(proposal, editor, approver, year: int, today: datetime.date) -> None:
    """Allotments for each quarter up to the current one; obligations and payments that taper
    off towards the current quarter, as in a real year."""
    last_quarter = current_quarter(today) if year == today.year else 4
    payee = 0
    for program in proposal.programs.order_by("code"):
        amounts = _quarter_allotments(program.approved_amount, last_quarter)
        for quarter, amount in enumerate(amounts, start=1):
            is_current = quarter == last_quarter and year == today.year
            allotment = services.allotment_release(
                actor=approver,
                program=program,
                quarter=quarter,
                amount=amount,
                release_reference=f"SARO-{proposal.organization.code}-{year}-{program.pk}-{quarter}",
                release_date=min(_quarter_date(year, quarter, 5), today),
            )
            shares = ("0.35", "0.15") if is_current else ("0.60", "0.30")
            for share in shares:
                obligation = services.obligation_create(
                    actor=editor,
                    allotment=allotment,
                    payee=PAYEES[payee % len(PAYEES)],
                    amount=_share(amount, share),
                    obligated_on=min(_quarter_date(year, quarter, 20), today),
                    expense_class=program.line_items.order_by("id")[0].expense_class,
                    reference=f"ORS-{year}-{allotment.pk:05d}-{payee % 100:02d}",
                )
                payee += 1
                paid = _share(obligation.amount, "0.40" if is_current else "0.85")
                if paid <= 0:
                    continue
                half = _share(paid, "0.5")
                disbursement = services.disbursement_create(
                    actor=editor,
                    obligation=obligation,
                    amount=paid,
                    payment_method="ada",
                    disbursed_on=min(_quarter_date(year, quarter, 28), today),
                    reference=f"ADA-{year}-{obligation.pk:06d}",
                    lines=[
                        (COST_CENTRES[0], half),
                        (COST_CENTRES[1 + payee % 3], paid - half),
                    ],
                )
                if not is_current:
                    services.disbursement_set_status(
                        actor=approver, disbursement=disbursement, action="pay"
                    )


# --- scale ---------------------------------------------------------------------------------------

PROGRAMS_PER_YEAR = 10
LINE_DESCRIPTIONS = [
    ("PS", "Contract of service personnel"),
    ("MOOE", "Travelling expenses"),
    ("MOOE", "Training expenses"),
    ("MOOE", "Office supplies"),
    ("MOOE", "Fuel, oil and lubricants"),
    ("MOOE", "Repairs and maintenance"),
    ("CO", "ICT equipment"),
    ("CO", "Motor vehicles"),
]


def _seed_scale(scale: int, today: datetime.date) -> tuple[int, int]:
    """Bulk inserts: proposals, programs, line items and execution for 10 years × every org."""
    lines_per_program = 4 * scale
    years = range(today.year - 9, today.year + 1)
    organizations = list(Organization.objects.order_by("code"))
    taken = set(BudgetProposal.objects.values_list("organization_id", "fiscal_year"))
    goals: dict[int, list[int]] = {}
    for org_id, goal_id in StrategicGoal.objects.filter(
        plan__title__startswith="Medium-term development plan"
    ).values_list("plan__organization_id", "pk"):
        goals.setdefault(org_id, []).append(goal_id)
    work_plans = {
        (org_id, year): pk
        for org_id, year, pk in AnnualWorkPlan.objects.filter(
            plan__title__startswith="Medium-term development plan"
        ).values_list("plan__organization_id", "year", "pk")
    }
    now = timezone.now()
    proposals = BudgetProposal.objects.bulk_create(
        [
            BudgetProposal(
                organization=o,
                fiscal_year=y,
                title=f"{o.display_acronym} budget FY {y}",
                status=BudgetProposal.Status.APPROVED,
                submitted_at=now,
                approved_at=now,
            )
            for o in organizations
            for y in years
            if (o.pk, y) not in taken
        ],
        batch_size=1000,
    )
    programs: list[ProgramBudget] = []
    line_specs: list[list[tuple[str, str, Decimal, int]]] = []
    for proposal in proposals:
        org_goals = goals.get(proposal.organization_id, [])
        for p in range(PROGRAMS_PER_YEAR):
            specs = []
            for i in range(lines_per_program):
                expense_class, description = LINE_DESCRIPTIONS[(i + p) % len(LINE_DESCRIPTIONS)]
                unit = D(1000 + ((i * 37 + p * 11) % 50) * 500)
                specs.append((expense_class, f"{description} #{i + 1}", unit, 1 + (i + p) % 12))
            requested = sum((unit * qty for _c, _d, unit, qty in specs), D(0))
            programs.append(
                ProgramBudget(
                    proposal=proposal,
                    code=f"P{p + 1:02d}",
                    name=f"Program {p + 1} FY {proposal.fiscal_year}",
                    goal_id=org_goals[p % len(org_goals)] if org_goals else None,
                    work_plan_id=work_plans.get((proposal.organization_id, proposal.fiscal_year)),
                    fund_source=FundSource.GAAB,
                    requested_amount=requested,
                    approved_amount=requested,
                )
            )
            line_specs.append(specs)
    ProgramBudget.objects.bulk_create(programs, batch_size=2000)
    rows = (
        (uuid.uuid4(), program.pk, c, d, unit, qty, unit * qty, now)
        for program, specs in zip(programs, line_specs, strict=True)
        for c, d, unit, qty in specs
    )
    created_lines = _copy_line_items(rows)
    _seed_scale_execution(programs, {p.pk: p for p in proposals}, today)
    return len(proposals), created_lines


def _copy_line_items(rows) -> int:
    """Stream line items with PostgreSQL's COPY: several times faster than bulk_create for
    hundreds of thousands of rows, and memory stays flat. The CHECK constraints still apply."""
    columns = [
        "public_id",
        "program_id",
        "expense_class",
        "description",
        "unit_cost",
        "quantity",
        "total_cost",
        "created_at",
    ]
    sql = f"COPY {BudgetLineItem._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _seed_scale_execution(programs, proposals, today: datetime.date) -> None:
    allotments: list[Allotment] = []
    for program in programs:
        year = proposals[program.proposal_id].fiscal_year
        last_quarter = current_quarter(today) if year == today.year else 4
        for quarter, amount in enumerate(
            _quarter_allotments(program.approved_amount, last_quarter), start=1
        ):
            allotments.append(
                Allotment(
                    program=program,
                    quarter=quarter,
                    amount=amount,
                    release_reference=f"SARO-{year}-{program.pk}-{quarter}",
                    release_date=min(_quarter_date(year, quarter, 5), today),
                )
            )
    Allotment.objects.bulk_create(allotments, batch_size=5000)
    obligations = [
        Obligation(
            allotment=a,
            payee=PAYEES[(a.pk + n) % len(PAYEES)],
            expense_class=ExpenseClass.MOOE if n else ExpenseClass.PS,
            amount=_share(a.amount, share),
            obligated_on=a.release_date,
        )
        for a in allotments
        for n, share in enumerate(("0.60", "0.30"))
    ]
    Obligation.objects.bulk_create(obligations, batch_size=5000)
    disbursements = [
        Disbursement(
            obligation=o,
            amount=_share(o.amount, "0.85"),
            payment_method="ada",
            reference=f"ADA-{o.pk:07d}",
            disbursed_on=o.obligated_on,
            status=Disbursement.Status.PAID,
        )
        for o in obligations
        if _share(o.amount, "0.85") > 0
    ]
    Disbursement.objects.bulk_create(disbursements, batch_size=5000)
    DisbursementLineItem.objects.bulk_create(
        [
            DisbursementLineItem(
                disbursement=d, cost_centre=COST_CENTRES[d.pk % 4], amount=d.amount
            )
            for d in disbursements
        ],
        batch_size=5000,
    )


def seed(scale: int = 0) -> list[str]:
    """Pilot budgets for the current year; with `scale`, ten years for every organization."""
    today = timezone.localdate()
    year = today.year
    lines = []
    with transaction.atomic():
        organizations = {o.code: o for o in Organization.objects.filter(code__in=PILOTS)}
        created = [
            code
            for code in PILOTS
            if code in organizations and _seed_pilot(organizations[code], year, today)
        ]
    lines.append(
        f"budgeting: approved FY {year} budgets executed through Q{current_quarter(today)} "
        f"for {', '.join(created) or 'no new pilot'}"
    )
    if scale:
        with transaction.atomic():
            proposals, items = _seed_scale(scale, today)
            selectors.forget_execution_summaries()  # bulk inserts send no signals
        lines.append(
            f"budgeting: {proposals} more approved proposals with {items:,} line items "
            f"({4 * scale * PROGRAMS_PER_YEAR} per organization and year)"
        )
    return lines
