"""Reminders and escalation (beat): each task run twice sends once; overdue items escalate once
to the organization's admins; the OCM dashboard's overdue counts per organization."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bcp.models import Plan
from budgeting import services as budgeting
from budgeting.models import BudgetProposal
from coordination.models import ParticipantState
from notifications import reminders, tasks
from notifications.models import Notification
from tests.bcp.factories import approve_plan, make_plan
from tests.budgeting.factories import (
    BudgetLineItemFactory,
    BudgetProposalFactory,
    ProgramBudgetFactory,
)
from tests.coordination.factories import MilestoneFactory, ParticipantFactory, PartnershipFactory
from tests.factories import MembershipFactory, UserFactory

from .conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def mole_admin(org_b):
    user = UserFactory(email="mole.admin@test.bmms")
    MembershipFactory(user=user, organization=org_b, role="org_admin")
    return user


def _run_twice(events, mailoutbox, now=None):
    def run():
        if now is None:
            tasks.send_reminders.delay().get()  # the beat task itself
        else:
            reminders.run_all(now=now)

    with events():
        run()
    first = (Notification.objects.count(), len(mailoutbox))
    with events():
        run()
    assert (Notification.objects.count(), len(mailoutbox)) == first  # nothing sent twice
    return first


def test_bc_reviews_due_and_overdue_remind_the_owner_and_escalate_once(
    events, org_a, dept_a, alice, bob, carol, dave, charlie, mailoutbox
):
    today = timezone.localdate()
    due = make_plan(org_a, carol, title="Due soon", department=dept_a)
    late = make_plan(org_a, carol, title="Long overdue", department=dept_a)
    far = make_plan(org_a, carol, title="Far away", department=dept_a)
    Plan.objects.filter(pk=due.pk).update(
        owner=carol, next_review_date=today + datetime.timedelta(20)
    )
    Plan.objects.filter(pk=late.pk).update(
        owner=dave, next_review_date=today - datetime.timedelta(9)
    )
    Plan.objects.filter(pk=far.pk).update(
        owner=carol, next_review_date=today + datetime.timedelta(90)
    )
    notes, mails = _run_twice(events, mailoutbox)
    assert told("bcp.review_due") == [carol.email]
    assert told("bcp.review_overdue") == [dave.email]
    assert told("escalation.overdue") == [alice.email]  # 9 days > 7: the admins, once
    assert "Long overdue" in Notification.objects.get(verb="escalation.overdue").text
    assert notes == 3 and mails == 3
    # A new review date that passes again is a new reminder.
    Plan.objects.filter(pk=late.pk).update(next_review_date=today - datetime.timedelta(1))
    with events():
        reminders.run_all()
    assert told("bcp.review_overdue") == [dave.email, dave.email]


def test_pending_acknowledgments_are_reminded_once_after_seven_days(
    events, org_a, dept_a, alice, bob, carol, dave, charlie, mailoutbox
):
    plan = approve_plan(make_plan(org_a, carol, department=dept_a), carol, [dave, alice])
    Plan.objects.filter(pk=plan.pk).update(next_review_date=None)
    version = plan.current_version
    from bcp import services as bcp

    bcp.acknowledgment_record(actor=bob, version=version)
    with events():
        reminders.run_all()
    assert told("bcp.ack_pending") == []  # approved today: not yet
    _run_twice(events, mailoutbox, now=timezone.now() + datetime.timedelta(days=8))
    # The department's members who have not acknowledged (bob did); nobody of MOLE.
    assert told("bcp.ack_pending") == [alice.email, carol.email, dave.email]


def test_proposals_waiting_too_long_remind_the_deciders_then_the_admins(
    events, org_a, alice, bob, carol, dave, mailoutbox, settings
):
    settings.NOTIFY_PROPOSAL_REVIEW_DAYS = 5
    proposal = BudgetProposalFactory(organization=org_a, fiscal_year=2027, created_by=carol)
    program = ProgramBudgetFactory(proposal=proposal, requested_amount=Decimal("10000"))
    BudgetLineItemFactory(program=program, unit_cost=Decimal("10000"), quantity=1)
    budgeting.proposal_submit(actor=carol, proposal=proposal)
    BudgetProposal.objects.filter(pk=proposal.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=6)
    )
    _run_twice(events, mailoutbox)
    assert told("budget.proposal_stale") == [alice.email, dave.email]
    assert told("escalation.overdue") == []
    BudgetProposal.objects.filter(pk=proposal.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=13)
    )
    _run_twice(events, mailoutbox)
    assert told("escalation.overdue") == [alice.email]


def test_overdue_milestones_escalate_once_to_the_responsible_admins(
    events, org_a, org_b, alice, carol, charlie, mole_admin, mailoutbox
):
    partnership = PartnershipFactory(organization=org_a, focal_person=carol, status="active")
    ParticipantFactory(partnership=partnership, organization=org_b, state=ParticipantState.ACCEPTED)
    MilestoneFactory(
        partnership=partnership,
        responsible_organization=org_b,
        due_date=timezone.localdate() - datetime.timedelta(days=10),
    )
    _run_twice(events, mailoutbox)
    assert told("partnership.milestone_overdue") == [carol.email, charlie.email, mole_admin.email]
    assert told("escalation.overdue") == [mole_admin.email]
    assert reminders.overdue_by_organization() == {org_b.pk: 1}


def test_the_ocm_dashboard_shows_overdue_items_per_organization(login, org_a, carol, olga):
    from ocm import services as ocm
    from ocm.selectors import dashboard

    plan = make_plan(org_a, carol, title="Late plan")
    Plan.objects.filter(pk=plan.pk).update(
        next_review_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    ocm.refresh()
    rows = {r.code: r for r in dashboard().rows}
    assert rows["MOH"].section("overdue") == {"items": 1}
    assert rows["MOLE"].section("overdue") == {"items": 0}
    page = login(olga).get("/ocm/").content.decode()
    assert "Overdue items" in page
