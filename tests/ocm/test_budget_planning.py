"""Budget and planning panels: figures equal independent SQL over the base tables (void and
cancelled rows, unapproved proposals and archived plans must not count), "no data" instead of
zero, pesos on the page, and a constant number of queries however many rows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from budgeting.models import Allotment, BudgetProposal, Disbursement, Obligation, ProgramBudget
from ocm import selectors
from ocm.aggregation import compute_all
from ocm.services import refresh
from organizations.models import Organization
from tests.budgeting.factories import (
    AllotmentFactory,
    BudgetLineItemFactory,
    BudgetProposalFactory,
    DisbursementFactory,
    ObligationFactory,
    ProgramBudgetFactory,
)

pytestmark = pytest.mark.django_db
PILOTS = ("MOH", "MOLE", "MAFAR")


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def per_code(query: str, params=()) -> dict:
    """{(code, key...): amount} from rows (code, key..., amount)."""
    return {tuple(row[:-1]): row[-1] for row in sql(query, params)}


@pytest.fixture
def budgets(db):
    """The demo's executed pilot budgets, plus rows that must not count anywhere."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    year = timezone.localdate().year
    moh, mole = Organization.objects.get(code="MOH"), Organization.objects.get(code="MOLE")
    program = ProgramBudget.objects.filter(
        proposal__organization=moh, proposal__fiscal_year=year
    ).first()
    live = Allotment.objects.filter(program=program, status="released").first()
    # Cancelled allotment, cancelled obligation, void payment: big numbers that would show.
    AllotmentFactory(program=program, quarter=2, amount=Decimal("7000000.00"), status="cancelled")
    dead = ObligationFactory(allotment=live, amount=Decimal("900000.00"), status="cancelled")
    obligation = Obligation.objects.filter(allotment=live, status="obligated").first()
    DisbursementFactory(obligation=obligation, amount=Decimal("333333.33"), status="void")
    DisbursementFactory(obligation=dead, amount=Decimal("1.00"), status="void")
    # A draft proposal of MOLE for last year, with an "approved" amount and execution rows: the
    # proposal is not approved, so none of it is an appropriation.
    draft = ProgramBudgetFactory(
        proposal=BudgetProposalFactory(organization=mole, fiscal_year=year - 1),
        approved_amount=Decimal("5000000.00"),
    )
    BudgetLineItemFactory(program=draft, expense_class="CO")
    DisbursementFactory(
        obligation=ObligationFactory(allotment=AllotmentFactory(program=draft, quarter=1))
    )
    # A paid disbursement of MAFAR's year in processing counts (only void is excluded).
    return year


APPROVED_JOIN = """
    JOIN budgeting_budgetproposal p ON p.id = pb.proposal_id AND p.status = 'approved'
    JOIN organizations_organization o ON o.id = p.organization_id"""


def test_budget_figures_equal_independent_sql(client, olga, budgets):
    year = budgets
    refresh()
    data = selectors.dashboard()
    rows = {r.code: r for r in data.rows}
    approved = per_code(
        f"SELECT o.code, p.fiscal_year, sum(pb.approved_amount) FROM budgeting_programbudget pb"
        f" {APPROVED_JOIN} GROUP BY 1, 2"
    )
    allotted = per_code(
        f"""SELECT o.code, p.fiscal_year, sum(a.amount) FROM budgeting_allotment a
            JOIN budgeting_programbudget pb ON pb.id = a.program_id {APPROVED_JOIN}
            WHERE a.status = 'released' GROUP BY 1, 2"""
    )
    obligated = per_code(
        f"""SELECT o.code, p.fiscal_year, sum(ob.amount) FROM budgeting_obligation ob
            JOIN budgeting_allotment a ON a.id = ob.allotment_id
            JOIN budgeting_programbudget pb ON pb.id = a.program_id {APPROVED_JOIN}
            WHERE ob.status = 'obligated' GROUP BY 1, 2"""
    )
    disbursed = per_code(
        f"""SELECT o.code, p.fiscal_year, sum(d.amount) FROM budgeting_disbursement d
            JOIN budgeting_obligation ob ON ob.id = d.obligation_id
            JOIN budgeting_allotment a ON a.id = ob.allotment_id
            JOIN budgeting_programbudget pb ON pb.id = a.program_id {APPROVED_JOIN}
            WHERE d.status <> 'void' GROUP BY 1, 2"""
    )
    quarter_obligated = per_code(
        f"""SELECT o.code, a.quarter, sum(ob.amount) FROM budgeting_obligation ob
            JOIN budgeting_allotment a ON a.id = ob.allotment_id
            JOIN budgeting_programbudget pb ON pb.id = a.program_id {APPROVED_JOIN}
            WHERE ob.status = 'obligated' AND p.fiscal_year = %s GROUP BY 1, 2""",
        [year],
    )
    class_budgeted = per_code(
        f"""SELECT o.code, li.expense_class, sum(li.total_cost) FROM budgeting_budgetlineitem li
            JOIN budgeting_programbudget pb ON pb.id = li.program_id {APPROVED_JOIN}
            WHERE p.fiscal_year = %s GROUP BY 1, 2""",
        [year],
    )
    assert {code for code, _y in approved} == set(PILOTS)  # the draft is not there
    zero = Decimal("0")
    for code in PILOTS:
        budget = rows[code].section("budget")
        current = budget["current"]
        expected = {
            "approved": approved[(code, year)],
            "allotted": allotted[(code, year)],
            "obligated": obligated[(code, year)],
            "disbursed": disbursed[(code, year)],
        }
        assert {k: Decimal(current[k]) for k in expected} == expected, code
        assert Decimal(current["utilization_rate"]) == round(
            expected["obligated"] * 100 / expected["allotted"], 2
        )
        assert Decimal(current["disbursement_rate"]) == round(
            expected["disbursed"] * 100 / expected["obligated"], 2
        )
        for quarter in "1234":
            assert Decimal(budget["by_quarter"][quarter]["obligated"]) == quarter_obligated.get(
                (code, int(quarter)), zero
            ), (code, quarter)
        for expense_class in ("PS", "MOOE", "CO"):
            assert Decimal(budget["by_class"][expense_class]["budgeted"]) == class_budgeted.get(
                (code, expense_class), zero
            ), (code, expense_class)
    # MOLE's draft of last year is not an appropriation: no "by year" entry for it.
    assert str(year - 1) not in rows["MOLE"].section("budget")["by_year"]
    assert rows["MSSD"].section("budget") == {"has_data": False}
    # Government totals: the same sums over every organization.
    totals = data.totals["budget"]["current"]
    assert Decimal(totals["approved"]) == sum(v for (_c, y), v in approved.items() if y == year)
    assert Decimal(totals["obligated"]) == sum(v for (_c, y), v in obligated.items() if y == year)
    assert Decimal(totals["disbursed"]) == sum(v for (_c, y), v in disbursed.items() if y == year)
    assert data.totals["budget"]["no_data"] == 44 - 3

    # What the analyst sees: pesos in the tiles and the table, "no data" for the others, and the
    # CSV carries plain numbers.
    client.force_login(olga)
    page = client.get(reverse("ocm:dashboard"), {"sort": "-obligated"}).content.decode()
    total_approved = sum(v for (_c, y), v in approved.items() if y == year)
    assert f"₱{total_approved:,.2f}" in page
    table = page.split("All organizations", 1)[1]
    best = max(PILOTS, key=lambda c: obligated[(c, year)])
    assert table.index(f">{best}<") < table.index(">MSSD<")  # sorted by amount, no data last
    moh_obligated = f"₱{obligated[('MOH', year)]:,.2f}"
    assert moh_obligated in table
    response = client.get(reverse("ocm:export", args=["budget_by_organization"]))
    # Header row first, after a UTF-8 BOM (issue 21: Excel reads "—" right).
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    moh = dict(zip(lines[0], next(r for r in lines if r[0] == "MOH"), strict=True))
    assert Decimal(moh["Obligated"]) == obligated[("MOH", year)]
    mssd = next(r for r in lines if r[0] == "MSSD")
    assert mssd[1:] == ["no data"] * 6
    detail = client.get(reverse("ocm:organization-detail", args=["MOH"])).content.decode()
    assert moh_obligated in detail and "By fiscal year" in detail
    detail = client.get(reverse("ocm:organization-detail", args=["MSSD"])).content.decode()
    assert "No data: no approved budget yet." in detail


def test_planning_figures_equal_independent_sql(budgets):
    from planning.models import StrategicPlan
    from planning.selectors import plan_progress

    mafar = Organization.objects.get(code="MAFAR")
    StrategicPlan.objects.create(
        organization=mafar, title="Old plan", start_year=2010, end_year=2015, status="archived"
    )
    refresh()
    rows = {r.code: r for r in selectors.dashboard().rows}
    for code in PILOTS:
        planning = rows[code].section("planning")
        by_status = dict(
            sql(
                """SELECT p.status, count(*) FROM planning_strategicplan p
                   JOIN organizations_organization o ON o.id = p.organization_id
                   WHERE o.code = %s GROUP BY 1""",
                [code],
            )
        )
        assert planning["plans_by_status"] == by_status, code
        objectives = dict(
            sql(
                """SELECT ob.status, count(*) FROM planning_workplanobjective ob
                   JOIN planning_annualworkplan w ON w.id = ob.work_plan_id
                   JOIN planning_strategicplan p ON p.id = w.plan_id
                   JOIN organizations_organization o ON o.id = p.organization_id
                   WHERE o.code = %s AND p.status <> 'archived' GROUP BY 1""",
                [code],
            )
        )
        assert planning["objectives_by_status"] == objectives, code
        work_plans = {
            str(year): n
            for year, n in sql(
                """SELECT w.year, count(*) FROM planning_annualworkplan w
                   JOIN planning_strategicplan p ON p.id = w.plan_id
                   JOIN organizations_organization o ON o.id = p.organization_id
                   WHERE o.code = %s AND p.status <> 'archived' GROUP BY 1""",
                [code],
            )
        }
        assert planning["work_plans"] == work_plans, code
        # The headline plan's progress is the planning app's own figure.
        plan = (
            StrategicPlan.objects.filter(organization__code=code, title=planning["plan"]["title"])
            .annotate(progress=plan_progress())
            .get()
        )
        assert Decimal(planning["plan"]["progress"]) == round(plan.progress, 2)
        assert planning["plan"]["status"] == "active"
    assert rows["MAFAR"].section("planning")["plans_by_status"]["archived"] == 1
    assert rows["MSSD"].section("planning") == {"has_data": False}


def _grow(organizations: int, lines: int) -> None:
    """Approved budgets with execution, void and cancelled rows for `organizations` orgs."""
    year = timezone.localdate().year
    for org in Organization.objects.order_by("code")[:organizations]:
        program = ProgramBudgetFactory(
            proposal=BudgetProposalFactory(
                organization=org,
                fiscal_year=year,
                status=BudgetProposal.Status.APPROVED,
                approved_at=timezone.now(),
            ),
            approved_amount=Decimal("1000000.00"),
        )
        BudgetLineItemFactory.create_batch(lines, program=program)
        for quarter in (1, 2):
            allotment = AllotmentFactory(program=program, quarter=quarter)
            AllotmentFactory(program=program, quarter=quarter, status="cancelled")
            obligation = ObligationFactory(allotment=allotment)
            ObligationFactory(allotment=allotment, status="cancelled")
            DisbursementFactory(obligation=obligation)
            DisbursementFactory(obligation=obligation, status=Disbursement.Status.VOID)


@pytest.mark.parametrize("organizations,lines", [(2, 1), (44, 25)])
def test_aggregation_query_count_is_constant(organizations, lines, django_assert_num_queries):
    """The same number of queries with 2 organizations × 1 line item and 44 × 25 (1,100)."""
    _grow(organizations, lines)
    # 16 for the figures (budget execution in one query over the allotments and their running
    # totals), 3 for the overdue items, 1 for the departments that must have a plan (the BC
    # readiness): constant in the number of organizations and rows.
    with django_assert_num_queries(20):
        per_org, totals = compute_all()
    with_budget = [v for v in per_org.values() if v["budget"]["has_data"]]
    assert len(with_budget) == organizations
    assert totals["budget"]["current"]["allotted"] == f"{Decimal(500000) * organizations:.2f}"
