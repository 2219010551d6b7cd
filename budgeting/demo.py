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

from . import rules, selectors, services, uacs
from .models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    DisbursementLineItem,
    DocumentCounter,
    FundSource,
    ObjectCode,
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


#: UACS object code of a demo line by words of its description (first match), else by class.
CODE_WORDS: list[tuple[str, str, str]] = [
    ("PS", "", "5010102000"),
    ("MOOE", "kit", "5020308000"),
    ("MOOE", "training", "5020201000"),
    ("MOOE", "seminar", "5020201000"),
    ("MOOE", "school", "5020201000"),
    ("MOOE", "voucher", "5020201000"),
    ("MOOE", "transport", "5029904000"),
    ("MOOE", "travel", "5020101000"),
    ("MOOE", "drive", "5020101000"),
    ("MOOE", "mission", "5020101000"),
    ("MOOE", "seed", "5020310000"),
    ("MOOE", "fertilizer", "5020310000"),
    ("MOOE", "licence", "5020503000"),
    ("MOOE", "supplies", "5020301000"),
    ("MOOE", "fuel", "5020309000"),
    ("MOOE", "repair", "5021305000"),
    ("MOOE", "survey", "5021199000"),
    ("MOOE", "supervision", "5021199000"),
    ("MOOE", "", "5029999099"),
    ("CO", "equipment set", "1060511000"),
    ("CO", "refrigerator", "1060511000"),
    ("CO", "renovation", "1060403000"),
    ("CO", "laptop", "1060503000"),
    ("CO", "server", "1060503000"),
    ("CO", "ict", "1060503000"),
    ("CO", "tractor", "1060504000"),
    ("CO", "banca", "1060604000"),
    ("CO", "road", "1060301000"),
    ("CO", "vehicle", "1060601000"),
    ("CO", "", "1060599000"),
]


def _object_codes() -> dict[str, ObjectCode]:
    uacs.load(ObjectCode)
    return {o.code: o for o in ObjectCode.objects.all()}


def code_for(expense_class: str, description: str) -> str:
    text = description.lower()
    return next(c for k, w, c in CODE_WORDS if k == expense_class and w in text)


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
    codes = _object_codes()
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
                object_code_id=codes[code_for(expense_class, description)].pk,
                description=description,
                unit_cost=D(unit),
                quantity=qty,
            )
    services.proposal_submit(actor=editor, proposal=proposal)
    services.proposal_approve(actor=approver, proposal=proposal, approved_amounts={})
    _execute_pilot(proposal, editor, approver, year, today)
    return True


def _execute_pilot(proposal, editor, approver, year: int, today: datetime.date) -> None:
    """Per program and allotment class, allotments for each quarter up to the current one;
    obligations (charged to the class's first object code) and payments that taper off towards
    the current quarter, as in a real year. Deliveries are recorded before payment; the current
    quarter's second obligations are still awaiting delivery (not yet due)."""
    last_quarter = current_quarter(today) if year == today.year else 4
    payee = 0
    for program in proposal.programs.order_by("code"):
        appropriation = services.appropriation_by_class(program)
        first_code = {}
        for item in program.line_items.select_related("object_code").order_by("id"):
            first_code.setdefault(item.expense_class, item.object_code)
        for allotment_class in rules.CLASS_ORDER:
            if not appropriation[allotment_class]:
                continue
            amounts = _quarter_allotments(appropriation[allotment_class], last_quarter)
            for quarter, amount in enumerate(amounts, start=1):
                payee = _execute_quarter(
                    program,
                    allotment_class,
                    first_code[allotment_class],
                    quarter,
                    amount,
                    last_quarter,
                    editor,
                    approver,
                    year,
                    today,
                    payee,
                )


def _execute_quarter(
    program,
    allotment_class,
    object_code,
    quarter,
    amount,
    last_quarter,
    editor,
    approver,
    year,
    today,
    payee,
) -> int:
    is_current = quarter == last_quarter and year == today.year
    allotment = services.allotment_release(
        actor=approver,
        program=program,
        allotment_class=allotment_class,
        quarter=quarter,
        amount=amount,
        release_reference=f"SARO-BARMM-{year}-{program.pk:04d}{quarter}",
        release_date=min(_quarter_date(year, quarter, 5), today),
    )
    shares = ("0.35", "0.15") if is_current else ("0.60", "0.30")
    for n, share in enumerate(shares):
        if _share(amount, share) <= 0:
            continue
        obligation = services.obligation_create(
            actor=editor,
            allotment=allotment,
            payee=PAYEES[payee % len(PAYEES)],
            amount=_share(amount, share),
            obligated_on=min(_quarter_date(year, quarter, 20), today),
            object_code=object_code,
            reference=f"PO-{year}-{allotment.pk:05d}-{n + 1}",
        )
        payee += 1
        if is_current and n:
            continue  # awaiting delivery: not yet due
        services.obligation_record_delivery(
            actor=editor,
            obligation=obligation,
            delivered_on=min(_quarter_date(year, quarter, 25), today),
            delivery_reference=f"IAR-{year}-{obligation.pk:05d}",
        )
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
    return payee


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
#: The object code each scale line (and the obligations of its class) is charged to.
SCALE_CLASS_CODE = {"PS": "5010102000", "MOOE": "5020101000", "CO": "1060503000"}


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
    codes = _object_codes()
    line_code = {d: codes[code_for(c, d)].pk for c, d in LINE_DESCRIPTIONS}
    rows = (
        (uuid.uuid4(), program.pk, c, line_code[d.split(" #")[0]], d, unit, qty, unit * qty, now)
        for program, specs in zip(programs, line_specs, strict=True)
        for c, d, unit, qty in specs
    )
    created_lines = _copy_line_items(rows)
    class_totals: dict[int, dict[str, Decimal]] = {}
    for program, specs in zip(programs, line_specs, strict=True):
        totals = class_totals.setdefault(program.pk, {})
        for c, _d, unit, qty in specs:
            totals[c] = totals.get(c, D(0)) + unit * qty
    _seed_scale_execution(programs, {p.pk: p for p in proposals}, class_totals, codes, today)
    return len(proposals), created_lines


def _copy_line_items(rows) -> int:
    """Stream line items with PostgreSQL's COPY: several times faster than bulk_create for
    hundreds of thousands of rows, and memory stays flat. The CHECK constraints still apply."""
    columns = [
        "public_id",
        "program_id",
        "expense_class",
        "object_code_id",
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


def _seed_scale_execution(programs, proposals, class_totals, codes, today: datetime.date) -> None:
    """Per program, class and quarter an allotment; two obligations each (the first delivered,
    the second awaiting delivery), 85 % of each paid; ORS and DV numbers in date order."""
    allotments: list[Allotment] = []
    for program in programs:
        proposal = proposals[program.proposal_id]
        year = proposal.fiscal_year
        last_quarter = current_quarter(today) if year == today.year else 4
        appropriation = rules.class_appropriations(
            program.approved_amount, program.requested_amount, class_totals[program.pk]
        )
        for allotment_class in rules.CLASS_ORDER:
            if not appropriation[allotment_class]:
                continue
            for quarter, amount in enumerate(
                _quarter_allotments(appropriation[allotment_class], last_quarter), start=1
            ):
                allotments.append(
                    Allotment(
                        program=program,
                        allotment_class=allotment_class,
                        quarter=quarter,
                        amount=amount,
                        release_reference=f"SARO-{year}-{program.pk}-{allotment_class}-{quarter}",
                        release_date=min(_quarter_date(year, quarter, 5), today),
                        valid_until=rules.valid_until(year, allotment_class),
                    )
                )
    Allotment.objects.bulk_create(allotments, batch_size=5000)
    org_of = {p.pk: proposals[p.proposal_id].organization_id for p in programs}
    cluster_of = {p.pk: rules.fund_cluster(p.fund_source) for p in programs}
    obligations = [
        Obligation(
            allotment=a,
            organization_id=org_of[a.program_id],
            payee=PAYEES[(a.pk + n) % len(PAYEES)],
            expense_class=a.allotment_class,
            object_code_id=codes[SCALE_CLASS_CODE[a.allotment_class]].pk,
            amount=_share(a.amount, share),
            obligated_on=a.release_date,
            delivered_on=a.release_date if n == 0 else None,
        )
        for a in allotments
        for n, share in enumerate(("0.60", "0.30"))
    ]
    _number(obligations, "ors", "obligated_on", lambda o: o.allotment.program_id, cluster_of)
    Obligation.objects.bulk_create(obligations, batch_size=5000)
    disbursements = [
        Disbursement(
            obligation=o,
            organization_id=o.organization_id,
            amount=_share(o.amount, "0.85"),
            payment_method="ada",
            reference=f"ADA-{o.pk:07d}",
            disbursed_on=o.obligated_on,
            status=Disbursement.Status.PAID,
        )
        for o in obligations
        if _share(o.amount, "0.85") > 0 and o.delivered_on
    ]
    _number(
        disbursements,
        "dv",
        "disbursed_on",
        lambda d: d.obligation.allotment.program_id,
        cluster_of,
    )
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


def _number(rows, kind: str, date_field: str, program_of, cluster_of) -> None:
    """Gapless ORS/DV serials per organization and year in date order, continuing each
    organization's counter (which is then moved on, as the services would)."""
    counters = {
        (c.organization_id, c.year): c
        for c in DocumentCounter.objects.select_for_update().filter(kind=kind)
    }
    for row in sorted(rows, key=lambda r: (getattr(r, date_field), r.organization_id)):
        day = getattr(row, date_field)
        key = (row.organization_id, day.year)
        counter = counters.get(key)
        if counter is None:
            counter = counters[key] = DocumentCounter(
                organization_id=key[0], kind=kind, year=key[1], last_serial=0
            )
        counter.last_serial += 1
        setattr(row, f"{kind}_year", day.year)
        setattr(row, f"{kind}_serial", counter.last_serial)
        number = rules.document_number(cluster_of[program_of(row)], day, counter.last_serial)
        setattr(row, f"{kind}_number", number)
    DocumentCounter.objects.bulk_create(
        [c for c in counters.values() if c.pk is None], batch_size=2000
    )
    DocumentCounter.objects.bulk_update(
        [c for c in counters.values() if c.pk is not None], ["last_serial"], batch_size=2000
    )


def seed(scale: int = 0) -> list[str]:
    """Pilot budgets for the current year; with `scale`, ten years for every organization."""
    today = timezone.localdate()
    year = today.year
    lines = []
    uacs.load(ObjectCode)
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
