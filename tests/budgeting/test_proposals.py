"""Budget preparation: every failing submission rule on the page, approval by someone else,
approved proposals read-only, every transition audited, stale saves refused, pesos formatted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgeting import services
from budgeting.models import BudgetProposal
from budgeting.templatetags.money import peso
from organizations.models import AuditLog

from .factories import BudgetLineItemFactory, BudgetProposalFactory, ProgramBudgetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(org_a, carol):
    return BudgetProposalFactory(organization=org_a, fiscal_year=2027, created_by=carol)


def test_peso_formatting():
    assert peso(Decimal("1234567.5")) == "₱1,234,567.50"
    assert peso(0) == "₱0.00"
    assert peso(None) == "—"


def test_every_failing_rule_is_listed_on_the_page(proposal, carol, client):
    client.force_login(carol)
    url = reverse("budgeting:proposal-submit", args=[proposal.public_id])
    page = client.post(url, follow=True).content.decode()
    assert "Add at least one program: the proposal has none." in page
    empty = ProgramBudgetFactory(proposal=proposal, name="Empty", requested_amount=500)
    short = ProgramBudgetFactory(proposal=proposal, name="Short", requested_amount=20000)
    BudgetLineItemFactory(program=short, unit_cost=Decimal("1000"), quantity=10)
    page = client.post(url, follow=True).content.decode()
    assert "The proposal was not submitted" in page
    assert "Program “Empty” has no line items." in page
    assert "Program “Short”: its line items add up to ₱10,000.00, but it requests ₱20,000.00." in (
        page
    )
    proposal.refresh_from_db()
    assert proposal.status == BudgetProposal.Status.DRAFT
    BudgetLineItemFactory(program=short, unit_cost=Decimal("1000"), quantity=10)
    BudgetLineItemFactory(program=empty, unit_cost=Decimal("250"), quantity=2)
    page = client.post(url, follow=True).content.decode()
    assert "Proposal submitted for approval." in page
    proposal.refresh_from_db()
    assert proposal.status == BudgetProposal.Status.SUBMITTED


def _ready(proposal, amount="10000"):
    program = ProgramBudgetFactory(proposal=proposal, requested_amount=Decimal(amount))
    BudgetLineItemFactory(program=program, unit_cost=Decimal(amount), quantity=1)
    return program


def test_approval_by_another_approver_sets_amounts_and_freezes_the_proposal(
    proposal, carol, dave, org_a
):
    program = _ready(proposal)
    services.proposal_submit(actor=carol, proposal=proposal)
    services.proposal_start_review(actor=dave, proposal=proposal)
    with pytest.raises(ValidationError, match="more than the request"):
        services.proposal_approve(
            actor=dave, proposal=proposal, approved_amounts={program.pk: Decimal("10000.01")}
        )
    services.proposal_approve(
        actor=dave, proposal=proposal, approved_amounts={program.pk: Decimal("8000")}
    )
    program.refresh_from_db()
    assert program.approved_amount == Decimal("8000.00")
    with pytest.raises(ValidationError, match="read-only"):
        services.program_update(actor=carol, program=program, name="Changed")
    with pytest.raises(ValidationError, match="read-only"):
        services.line_item_create(
            actor=carol,
            program=program,
            expense_class="PS",
            description="x",
            unit_cost=Decimal(1),
            quantity=1,
        )
    actions = list(
        AuditLog.objects.filter(subject_type="budgeting.budgetproposal")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "budget_proposal.submitted",
        "budget_proposal.under_review",
        "budget_proposal.approved",
    ]


def test_the_preparer_cannot_approve(org_a, dave):
    own = BudgetProposalFactory(organization=org_a, created_by=dave)
    _ready(own)
    services.proposal_submit(actor=dave, proposal=own)
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        services.proposal_approve(actor=dave, proposal=own, approved_amounts={})


def test_returned_proposal_can_be_fixed_and_resubmitted(proposal, carol, dave, client):
    _ready(proposal)
    services.proposal_submit(actor=carol, proposal=proposal)
    client.force_login(dave)
    client.post(
        reverse("budgeting:proposal-return", args=[proposal.public_id]),
        {"reason": "Cut travel by 10%."},
    )
    client.force_login(carol)
    page = client.get(reverse("budgeting:proposal-detail", args=[proposal.public_id]))
    assert "Returned for changes:</strong> Cut travel by 10%." in page.content.decode()
    services.proposal_submit(actor=carol, proposal=proposal)


def test_a_stale_proposal_save_is_refused_and_loses_nothing(proposal, carol, client):
    client.force_login(carol)
    stale = proposal.revision
    services.proposal_update(actor=carol, proposal=proposal, revision=stale, notes="Theirs")
    response = client.post(
        reverse("budgeting:proposal-edit", args=[proposal.public_id]),
        {"fiscal_year": 2027, "title": "My title", "notes": "Mine", "revision": stale},
    )
    page = response.content.decode()
    assert "Someone else saved this proposal while you were editing it" in page
    assert "Mine" in page and "My title" in page
    proposal.refresh_from_db()
    assert proposal.notes == "Theirs"


def test_one_proposal_per_organization_and_year(proposal, carol, org_a, client):
    client.force_login(carol)
    response = client.post(
        reverse("budgeting:proposal-create"), {"fiscal_year": 2027, "title": "Again"}
    )
    assert "MOH already has a proposal for 2027" in response.content.decode()


def test_ledger_csv_neutralises_formulas(carol, allotment, code, client):
    services.obligation_create(
        actor=carol,
        allotment=allotment,
        payee='=HYPERLINK("http://evil")',
        amount=Decimal("10"),
        obligated_on=allotment.release_date,
        object_code=code,
    )
    client.force_login(carol)
    response = client.get(reverse("budgeting:ledger-export", args=[allotment.program.public_id]))
    body = response.content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body
