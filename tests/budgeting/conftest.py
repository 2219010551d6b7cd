"""Fixtures of the budgeting tests: an approved MOH budget with one program."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgeting.models import ObjectCode

from .factories import (
    AllotmentFactory,
    ApprovedProposalFactory,
    BudgetLineItemFactory,
    ProgramBudgetFactory,
)


@pytest.fixture
def approved_program(org_a):
    """FY 2026, ₱5,000 approved: all MOOE (one ₱5,000 line)."""
    proposal = ApprovedProposalFactory(organization=org_a, fiscal_year=2026)
    program = ProgramBudgetFactory(
        proposal=proposal,
        name="Maternal care",
        requested_amount=Decimal("5000.00"),
        approved_amount=Decimal("5000.00"),
    )
    BudgetLineItemFactory(program=program, unit_cost=Decimal("500.00"), quantity=10)
    return program


@pytest.fixture
def code():
    """A MOOE object code (the chart is loaded by the data migration)."""
    return ObjectCode.objects.get(code="5020301000")


@pytest.fixture
def allotment(approved_program):
    """A released ₱1,000 Q1 allotment."""
    return AllotmentFactory(program=approved_program, amount=Decimal("1000.00"))
