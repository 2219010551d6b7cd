"""Permission-matrix samples of the budgeting app (objects of org A = MOH)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from organizations.models import Organization
from tests.matrix import Sample

from .factories import (
    AllotmentFactory,
    ApprovedProposalFactory,
    BudgetLineItemFactory,
    BudgetProposalFactory,
    DisbursementFactory,
    DisbursementLineItemFactory,
    ObligationFactory,
    ProgramBudgetFactory,
)


def _id(name: str):
    return lambda w: {"public_id": w[name].public_id}


SAMPLES: dict[str, Sample] = {
    "budgeting:proposal-list": Sample(),
    "budgeting:proposal-create": Sample(write=True),
    "budgeting:proposal-detail": Sample(kwargs=_id("proposal"), foreign=True),
    "budgeting:proposal-edit": Sample(kwargs=_id("proposal"), foreign=True, write=True),
    "budgeting:proposal-submit": Sample(
        kwargs=_id("proposal"), foreign=True, write=True, ok=(405,)
    ),
    "budgeting:proposal-review": Sample(
        kwargs=_id("proposal"), foreign=True, write=True, ok=(405,)
    ),
    "budgeting:proposal-approve": Sample(kwargs=_id("proposal"), foreign=True, write=True),
    "budgeting:proposal-return": Sample(kwargs=_id("proposal"), foreign=True, write=True),
    "budgeting:program-create": Sample(kwargs=_id("proposal"), foreign=True, write=True),
    "budgeting:program-items": Sample(kwargs=_id("program"), foreign=True),
    "budgeting:program-edit": Sample(kwargs=_id("program"), foreign=True, write=True),
    "budgeting:program-delete": Sample(kwargs=_id("program"), foreign=True, write=True),
    "budgeting:line-item-create": Sample(kwargs=_id("program"), foreign=True, write=True),
    "budgeting:line-item-edit": Sample(kwargs=_id("line_item"), foreign=True, write=True),
    "budgeting:line-item-delete": Sample(kwargs=_id("line_item"), foreign=True, write=True),
    "budgeting:execution-dashboard": Sample(),
    "budgeting:program-ledger": Sample(kwargs=_id("approved_program"), foreign=True),
    "budgeting:ledger-export": Sample(kwargs=_id("approved_program"), foreign=True),
    "budgeting:allotment-create": Sample(kwargs=_id("approved_program"), foreign=True, write=True),
    "budgeting:allotment-cancel": Sample(kwargs=_id("allotment"), foreign=True, write=True),
    "budgeting:obligation-create": Sample(kwargs=_id("allotment"), foreign=True, write=True),
    "budgeting:obligation-cancel": Sample(kwargs=_id("obligation"), foreign=True, write=True),
    "budgeting:disbursement-create": Sample(kwargs=_id("obligation"), foreign=True, write=True),
    "budgeting:disbursement-status": Sample(
        kwargs=lambda w: {"public_id": w["disbursement"].public_id, "action": "pay"},
        foreign=True,
        write=True,
    ),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    moh = Organization.objects.get(code="MOH")
    proposal = BudgetProposalFactory(
        organization=moh, fiscal_year=2027, created_by=personas["carol"]
    )
    world["proposal"] = proposal
    world["program"] = ProgramBudgetFactory(
        proposal=proposal, goal=world.get("goal"), requested_amount=Decimal("10000.00")
    )
    world["line_item"] = BudgetLineItemFactory(program=world["program"])
    approved = ApprovedProposalFactory(organization=moh, fiscal_year=2026)
    world["approved_program"] = ProgramBudgetFactory(
        proposal=approved, approved_amount=Decimal("1000000.00")
    )
    world["allotment"] = AllotmentFactory(program=world["approved_program"])
    world["obligation"] = ObligationFactory(allotment=world["allotment"])
    world["disbursement"] = DisbursementFactory(obligation=world["obligation"])
    DisbursementLineItemFactory(disbursement=world["disbursement"])
