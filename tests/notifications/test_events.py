"""Every event tells exactly the people who must act or be informed, and nobody else: not the
actor, not a member of another organization, not a viewer who has nothing to do."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from budgeting import services as budgeting
from notifications.models import Category, Delivery, Notification, Preference
from organizations import invitations
from organizations.models import JoinInvitation
from planning import services as planning
from tests.budgeting.factories import (
    BudgetLineItemFactory,
    BudgetProposalFactory,
    ProgramBudgetFactory,
)
from tests.planning.factories import StrategicGoalFactory, StrategicPlanFactory

from .conftest import told

pytestmark = pytest.mark.django_db


def _ready_proposal(org, preparer):
    proposal = BudgetProposalFactory(organization=org, fiscal_year=2027, created_by=preparer)
    program = ProgramBudgetFactory(proposal=proposal, requested_amount=Decimal("10000"))
    BudgetLineItemFactory(program=program, unit_cost=Decimal("10000"), quantity=1)
    return proposal


def test_submitted_proposal_tells_the_approvers_who_may_decide(
    events, alice, bob, carol, dave, charlie, mailoutbox
):
    proposal = _ready_proposal(alice.memberships.get().organization, carol)
    with events():
        budgeting.proposal_submit(actor=carol, proposal=proposal)
    # The org's approvers (dave) and admin (alice); not the preparer, the viewer, nor MOLE.
    assert told("budget.proposal_submitted") == [alice.email, dave.email]
    assert sorted(m.to[0] for m in mailoutbox) == [alice.email, dave.email]
    mail = mailoutbox[0]
    assert mail.subject == "[BMMS] Budget proposal to decide"
    assert f"/budgeting/{proposal.public_id}/" in mail.body
    assert "₱" not in mail.body  # a title and a link, no amounts


def test_decisions_on_a_proposal_tell_its_preparer(events, alice, bob, carol, dave, charlie):
    proposal = _ready_proposal(alice.memberships.get().organization, carol)
    budgeting.proposal_submit(actor=carol, proposal=proposal)
    with events():
        budgeting.proposal_start_review(actor=dave, proposal=proposal)
        budgeting.proposal_return(actor=dave, proposal=proposal, reason="Add the quotations.")
    assert told("budget.proposal_under_review") == [carol.email]
    assert told("budget.proposal_returned") == [carol.email]
    returned = Notification.objects.get(verb="budget.proposal_returned")
    assert "Add the quotations" not in returned.text  # the reason stays in the portal
    budgeting.proposal_submit(actor=carol, proposal=proposal)
    with events():
        budgeting.proposal_approve(actor=dave, proposal=proposal, approved_amounts={})
    assert told("budget.proposal_approved") == [carol.email]


def test_allotment_release_and_ninety_percent_tell_the_editors(
    events, alice, bob, carol, dave, charlie, org_a
):
    from budgeting.models import ObjectCode
    from tests.budgeting.factories import ApprovedProposalFactory

    proposal = ApprovedProposalFactory(organization=org_a, fiscal_year=2026)
    program = ProgramBudgetFactory(
        proposal=proposal,
        requested_amount=Decimal("5000.00"),
        approved_amount=Decimal("5000.00"),
    )
    BudgetLineItemFactory(program=program, unit_cost=Decimal("500.00"), quantity=10)
    with events():
        allotment = budgeting.allotment_release(
            actor=dave,
            program=program,
            quarter=1,
            amount=Decimal("1000.00"),
            release_reference="SARO-1",
            release_date=datetime.date(2026, 1, 15),
            allotment_class="MOOE",
        )
    # Editors and up of MOH, not the releasing approver, not the viewer, not MOLE.
    assert told("budget.allotment_released") == [alice.email, carol.email]
    code = ObjectCode.objects.get(code="5020301000")

    def obligate(amount):
        with events():
            budgeting.obligation_create(
                actor=carol,
                allotment=allotment,
                payee="Supplier",
                amount=Decimal(amount),
                obligated_on=datetime.date(2026, 1, 20),
                object_code=code,
            )

    obligate("800.00")
    assert told("budget.allotment_90") == []
    obligate("150.00")  # 950 of 1,000: the line is crossed
    assert told("budget.allotment_90") == [alice.email, dave.email]
    obligate("10.00")  # still above: nobody is told twice
    assert Notification.objects.filter(verb="budget.allotment_90").count() == 2


def test_strategic_plan_approval_and_reopening_tell_the_preparer(
    events, alice, bob, carol, dave, charlie, org_a
):
    plan = StrategicPlanFactory(organization=org_a, created_by=carol)
    StrategicGoalFactory(plan=plan)
    with events():
        planning.plan_transition(actor=dave, plan=plan, action="approve")
    assert told("planning.plan_approved") == [carol.email]
    with events():
        planning.plan_transition(actor=dave, plan=plan, action="reopen")
    assert told("planning.plan_reopened") == [carol.email]


def test_accepted_invitation_tells_the_admins(events, alice, bob, org_a, charlie):
    invitation = JoinInvitation.objects.create(
        organization=org_a,
        user=charlie,
        email=charlie.email,
        role="viewer",
        invited_by=alice,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    with events():
        invitations.invitation_accept(actor=charlie, invitation=invitation)
    assert told("onboarding.invitation_accepted") == [alice.email]


def test_preferences_decide_the_email_not_the_notification(events, alice, carol, dave, mailoutbox):
    Preference.objects.create(user=dave, category=Category.DECISIONS, delivery=Delivery.DIGEST)
    Preference.objects.create(user=alice, category=Category.DECISIONS, delivery=Delivery.IN_APP)
    proposal = _ready_proposal(alice.memberships.get().organization, carol)
    with events():
        budgeting.proposal_submit(actor=carol, proposal=proposal)
    assert told("budget.proposal_submitted") == [alice.email, dave.email]
    assert mailoutbox == []
    from notifications import service

    assert service.send_digests() == 1
    assert [m.to for m in mailoutbox] == [[dave.email]]
    assert "Your daily digest: 1 notification" in mailoutbox[0].subject
    assert service.send_digests() == 0  # idempotent
    assert len(mailoutbox) == 1
