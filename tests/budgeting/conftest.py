"""Fixtures of the budgeting tests: an approved MOH budget with one program."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .factories import AllotmentFactory, ApprovedProposalFactory, ProgramBudgetFactory


@pytest.fixture
def approved_program(org_a):
    proposal = ApprovedProposalFactory(organization=org_a, fiscal_year=2026)
    return ProgramBudgetFactory(
        proposal=proposal,
        name="Maternal care",
        requested_amount=Decimal("5000.00"),
        approved_amount=Decimal("5000.00"),
    )


@pytest.fixture
def allotment(approved_program):
    """A released ₱1,000 Q1 allotment."""
    return AllotmentFactory(program=approved_program, amount=Decimal("1000.00"))
