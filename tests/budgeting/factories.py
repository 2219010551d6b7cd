"""factory_boy factories of the budgeting app."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from budgeting.models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    DisbursementLineItem,
    Obligation,
    ProgramBudget,
)
from tests.factories import OrganizationFactory


class BudgetProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetProposal

    organization = factory.SubFactory(OrganizationFactory)
    # Wraps: a worker that builds hundreds of proposals (the permission matrix, then budgeting)
    # must stay inside the database's sane years (2000–2100).
    fiscal_year = factory.Sequence(lambda n: 2030 + n % 70)
    title = factory.LazyAttribute(lambda o: f"FY {o.fiscal_year} budget")


class ApprovedProposalFactory(BudgetProposalFactory):
    status = BudgetProposal.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)


class ProgramBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramBudget

    proposal = factory.SubFactory(BudgetProposalFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    requested_amount = Decimal("1000000.00")


class BudgetLineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLineItem

    program = factory.SubFactory(ProgramBudgetFactory)
    expense_class = "MOOE"
    description = factory.Sequence(lambda n: f"Supplies batch {n}")
    unit_cost = Decimal("1000.00")
    quantity = 10


class AllotmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allotment

    program = factory.SubFactory(
        ProgramBudgetFactory,
        proposal=factory.SubFactory(ApprovedProposalFactory),
        approved_amount=Decimal("1000000.00"),
    )
    allotment_class = "MOOE"
    quarter = 1
    amount = Decimal("250000.00")
    release_reference = factory.Sequence(lambda n: f"SARO-2026-{n:04d}")
    release_date = datetime.date(2026, 1, 15)


class ObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obligation

    allotment = factory.SubFactory(AllotmentFactory)
    expense_class = factory.SelfAttribute("allotment.allotment_class")
    payee = factory.Sequence(lambda n: f"Supplier {n}")
    amount = Decimal("10000.00")
    obligated_on = datetime.date(2026, 2, 1)


class DisbursementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disbursement

    obligation = factory.SubFactory(ObligationFactory)
    amount = Decimal("5000.00")
    payment_method = "ada"
    reference = factory.Sequence(lambda n: f"ADA-{n:05d}")
    disbursed_on = datetime.date(2026, 2, 15)


class DisbursementLineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisbursementLineItem

    disbursement = factory.SubFactory(DisbursementFactory)
    cost_centre = "Field operations"
    amount = factory.SelfAttribute("disbursement.amount")
