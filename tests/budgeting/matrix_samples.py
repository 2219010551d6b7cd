"""Permission-matrix samples of the budgeting app (objects of org A = MOH)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from budgeting.models import DocumentCounter, ObligationAdjustment, ReportSignatory, YearEndClose
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
    "budgeting:proposal-export": Sample(),
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
    "budgeting:obligation-adjust": Sample(kwargs=_id("obligation"), foreign=True, write=True),
    "budgeting:obligation-deliver": Sample(kwargs=_id("obligation"), foreign=True, write=True),
    # Reports of the current organization (no object in the URL): reads only.
    "budgeting:saaodb": Sample(),
    "budgeting:saaodb-xlsx": Sample(),
    "budgeting:saaodb-pdf": Sample(),
    "budgeting:far1a": Sample(),
    "budgeting:far1a-xlsx": Sample(),
    "budgeting:far1a-pdf": Sample(),
    "budgeting:raod": Sample(kwargs={"allotment_class": "MOOE"}),
    "budgeting:raod-xlsx": Sample(kwargs={"allotment_class": "PS"}),
    "budgeting:raod-pdf": Sample(kwargs={"allotment_class": "CO"}),
    # GET shows the preview; POST closes the year (approvers of the current organization).
    "budgeting:year-end": Sample(write=True),
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
    # One row of each read-only admin model, so its admin pages are sampled on a real object.
    ObligationAdjustment.objects.create(
        obligation=world["obligation"],
        amount=Decimal("1.00"),
        adjusted_on=world["obligation"].obligated_on,
        reason="Matrix sample",
    )
    DocumentCounter.objects.create(organization=moh, kind="ors", year=2026, last_serial=0)
    YearEndClose.objects.create(organization=moh, fiscal_year=2020, closed_on=date(2021, 1, 4))
    ReportSignatory.objects.create(organization=moh, role="chief_accountant", name="A. Accountant")
