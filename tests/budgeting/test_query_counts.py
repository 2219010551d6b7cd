"""Query counts of the list pages and the execution dashboard do not grow with the rows
(10 → 1,000). Pinned: a change is a decision."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budgeting.models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    ObjectCode,
    Obligation,
    ProgramBudget,
)
from budgeting.selectors import forget_execution_summaries
from core import versioned_cache
from planning.models import StrategicGoal, StrategicPlan
from tests.factories import main_of

pytestmark = pytest.mark.django_db

ROWS = [10, 1000]
#: Warm requests (session, tenancy profile and module flags cached): the user, then the page's
#: own reads when its cached list fragment is stale (after a write), or none when it is current.
PLAN_LIST_QUERIES = 3
PROPOSAL_LIST_QUERIES = 3
LIST_CACHED_QUERIES = 1  # the user
DASHBOARD_QUERIES = 9  # was 11: quarters and classes now come from the same grouped queries
DASHBOARD_WARM_QUERIES = 1  # the user: the summary and the programs fragment from the cache
LEDGER_QUERIES = 6
PROPOSAL_DETAIL_QUERIES = 5
PROGRAM_ITEMS_QUERIES = 4


@pytest.mark.parametrize("rows", ROWS)
def test_plan_list(rows, org_a, bob, client, django_assert_num_queries):
    plans = StrategicPlan.objects.bulk_create(
        [
            StrategicPlan(organization=org_a, title=f"Plan {n}", start_year=2020, end_year=2029)
            for n in range(rows)
        ]
    )
    StrategicGoal.objects.bulk_create(
        [StrategicGoal(plan=p, title="G", target_metric="m", target_value=10) for p in plans]
    )
    client.force_login(bob)
    url = reverse("planning:plan-list")
    client.get(url)  # warm: session and tenancy profile cached
    versioned_cache.bump(versioned_cache.organization_namespace("planning", org_a.pk))
    with django_assert_num_queries(PLAN_LIST_QUERIES):  # fragment stale: user, count, page
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"]) == min(rows, 25)
    with django_assert_num_queries(LIST_CACHED_QUERIES):
        assert main_of(client.get(url)) == main_of(response)


@pytest.mark.parametrize("rows", ROWS)
def test_proposal_list(rows, org_a, bob, client, django_assert_num_queries):
    proposals = BudgetProposal.objects.bulk_create(
        [
            BudgetProposal(organization=org_a, fiscal_year=2000 + n % 100, title=f"P{n}")
            for n in range(min(rows, 100))
        ]
    )
    ProgramBudget.objects.bulk_create(
        [
            ProgramBudget(
                proposal=proposals[n % len(proposals)],
                name=f"Prog {n}",
                requested_amount=Decimal("100"),
            )
            for n in range(rows)
        ]
    )
    client.force_login(bob)
    url = reverse("budgeting:proposal-list")
    client.get(url)  # warm: session and tenancy profile cached
    forget_execution_summaries()
    with django_assert_num_queries(PROPOSAL_LIST_QUERIES):  # fragment stale: user, count, page
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(LIST_CACHED_QUERIES):
        assert main_of(client.get(url)) == main_of(response)


def _executed_year(org, rows: int) -> ProgramBudget:
    """An approved FY 2026 with `rows` programs, each allotted, obligated and paid."""
    proposal = BudgetProposal.objects.create(
        organization=org,
        fiscal_year=2026,
        title="FY 2026",
        status="approved",
        approved_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )
    programs = ProgramBudget.objects.bulk_create(
        [
            ProgramBudget(
                proposal=proposal,
                name=f"Program {n:04d}",
                requested_amount=Decimal("1000"),
                approved_amount=Decimal("1000"),
            )
            for n in range(rows)
        ]
    )
    BudgetLineItem.objects.bulk_create(
        [
            BudgetLineItem(
                program=p,
                expense_class="MOOE",
                description="x",
                unit_cost=100,
                quantity=10,
                total_cost=1000,
            )
            for p in programs
        ]
    )
    day = datetime.date(2026, 2, 1)
    allotments = Allotment.objects.bulk_create(
        [
            Allotment(
                program=p, quarter=1, amount=Decimal("400"), release_reference="S", release_date=day
            )
            for p in programs
        ]
    )
    obligations = Obligation.objects.bulk_create(
        [
            Obligation(allotment=a, payee="X", amount=Decimal("300"), obligated_on=day)
            for a in allotments
        ]
    )
    Disbursement.objects.bulk_create(
        [
            Disbursement(
                obligation=o, amount=Decimal("150"), payment_method="ada", disbursed_on=day
            )
            for o in obligations
        ]
    )
    return programs[0]


@pytest.mark.parametrize("rows", ROWS)
def test_execution_dashboard(rows, org_a, bob, carol, client, django_assert_num_queries):
    from budgeting import services

    program = _executed_year(org_a, rows)
    url = reverse("budgeting:execution-dashboard")
    client.force_login(bob)
    client.get(url, {"year": 2026})  # warm: session and tenancy profile cached
    forget_execution_summaries()
    with django_assert_num_queries(DASHBOARD_QUERIES):  # the year's summary computed
        response = client.get(url, {"year": 2026})
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["allotted"] == Decimal(400 * rows)
    assert totals["obligation_rate"] == Decimal("75.00")
    assert totals["disbursement_rate"] == Decimal("50.00")
    assert "75.0%" in response.content.decode()
    with django_assert_num_queries(DASHBOARD_WARM_QUERIES):  # the summary from the cache
        assert client.get(url, {"year": 2026}).context["totals"] == totals
    # a write through the services is on the dashboard at the next request
    allotment = program.allotments.get()
    services.obligation_create(
        actor=carol,
        allotment=allotment,
        payee="Supplier",
        amount=Decimal("100"),
        obligated_on=datetime.date(2026, 3, 1),
        object_code=ObjectCode.objects.get(code="5020301000"),
    )
    response = client.get(url, {"year": 2026})
    assert response.context["totals"]["obligated"] == Decimal(300 * rows + 100)
    assert "Program 0000" in response.content.decode()  # the programs fragment recomputed


@pytest.mark.parametrize("rows", ROWS)
def test_program_ledger(rows, org_a, bob, client, django_assert_num_queries):
    program = _executed_year(org_a, 1)
    allotment = program.allotments.get()
    obligations = Obligation.objects.bulk_create(
        [
            Obligation(
                allotment=allotment,
                payee=f"P{n}",
                amount=Decimal("0.10"),
                obligated_on=datetime.date(2026, 2, 2),
            )
            for n in range(rows)
        ]
    )
    Disbursement.objects.bulk_create(
        [
            Disbursement(
                obligation=o,
                amount=Decimal("0.05"),
                payment_method="check",
                disbursed_on=datetime.date(2026, 2, 3),
            )
            for o in obligations[: rows // 2]
        ]
    )
    client.force_login(bob)
    client.get(
        reverse("budgeting:program-ledger", args=[program.public_id])
    )  # warm: session and tenancy profile cached
    with django_assert_num_queries(LEDGER_QUERIES):
        response = client.get(reverse("budgeting:program-ledger", args=[program.public_id]))
    assert response.status_code == 200


def _program_with_lines(org, lines: int) -> ProgramBudget:
    proposal = BudgetProposal.objects.create(organization=org, fiscal_year=2031, title="FY 2031")
    program = ProgramBudget.objects.create(
        proposal=proposal, name="Big program", requested_amount=Decimal(1000 * lines)
    )
    BudgetLineItem.objects.bulk_create(
        [
            BudgetLineItem(
                program=program,
                expense_class=("PS", "MOOE", "CO")[n % 3],
                description=f"Line {n:04d}",
                unit_cost=100,
                quantity=10,
                total_cost=1000,
            )
            for n in range(lines)
        ]
    )
    return program


@pytest.mark.parametrize("rows", ROWS)
def test_proposal_detail_shows_the_first_lines_and_class_totals(
    rows, org_a, carol, client, django_assert_num_queries
):
    """A thousand line items do not make a thousand-row page: the first few of each program,
    its PS/MOOE/CO totals, and a link to all of them."""
    from budgeting.selectors import ITEMS_SHOWN

    program = _program_with_lines(org_a, rows)
    url = reverse("budgeting:proposal-detail", args=[program.proposal.public_id])
    client.force_login(carol)
    client.get(url)  # warm: session and tenancy profile cached
    with django_assert_num_queries(PROPOSAL_DETAIL_QUERIES):
        response = client.get(url)
    page = response.content.decode()
    assert page.count("Line 0") == ITEMS_SHOWN
    ps = (rows + 2) // 3 * 1000
    assert f"PS ₱{ps:,}.00" in page, page
    all_link = reverse("budgeting:program-items", args=[program.public_id])
    assert (f'href="{all_link}"' in page) is (rows > ITEMS_SHOWN)


@pytest.mark.parametrize("rows", ROWS)
def test_program_line_items_are_paginated(rows, org_a, carol, client, django_assert_num_queries):
    program = _program_with_lines(org_a, rows)
    url = reverse("budgeting:program-items", args=[program.public_id])
    client.force_login(carol)
    client.get(url)
    with django_assert_num_queries(PROGRAM_ITEMS_QUERIES):
        response = client.get(url, {"page": 2})
    assert response.status_code == 200
    page = response.content.decode()
    # page 2 of a thousand: 25 lines; a single page of ten: shown instead of an empty page 2
    assert page.count("Line 0") == len(response.context["page"]) == min(rows, 25)
    assert f"{rows} line items" in page


#: Reports (issue 20): the user, the organization's approved years (cached after the first
#: request), then the report's grouped queries; the same for 10 or 1,000 programs.
SAAODB_QUERIES = 9
FAR1A_QUERIES = 8
RAOD_QUERIES = 8


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize(
    ("name", "args", "queries"),
    [
        ("budgeting:saaodb", [], SAAODB_QUERIES),
        ("budgeting:far1a", [], FAR1A_QUERIES),
        ("budgeting:raod", ["MOOE"], RAOD_QUERIES),
    ],
)
def test_report_pages(rows, name, args, queries, org_a, bob, client, django_assert_num_queries):
    _executed_year(org_a, rows)
    url = reverse(name, args=args)
    client.force_login(bob)
    client.get(url, {"year": 2026, "quarter": 4})  # warm: session, tenancy profile, years
    with django_assert_num_queries(queries):
        response = client.get(url, {"year": 2026, "quarter": 4})
    assert response.status_code == 200
    if name == "budgeting:saaodb":
        total = response.context["report"].total.figures
        assert total["allotments"] == Decimal(400 * rows)
        assert total["obligations"] == Decimal(300 * rows)
