"""Delivery: tenancy (nobody is told about what they cannot open), a mail server that is down,
and an organization of 1,000 members (the request stays constant, the fan-out is bulk)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from waffle.models import Flag

import notifications
from budgeting import services as budgeting
from budgeting.models import BudgetProposal
from notifications import service
from notifications.models import Notification
from organizations.models import Membership, User
from tests.budgeting.factories import (
    BudgetLineItemFactory,
    BudgetProposalFactory,
    ProgramBudgetFactory,
)
from tests.coordination.factories import PartnershipFactory
from tests.factories import MembershipFactory, UserFactory

from .conftest import told

pytestmark = pytest.mark.django_db


def _ready_proposal(org, preparer, year=2027):
    proposal = BudgetProposalFactory(organization=org, fiscal_year=year, created_by=preparer)
    program = ProgramBudgetFactory(proposal=proposal, requested_amount=Decimal("10000"))
    BudgetLineItemFactory(program=program, unit_cost=Decimal("10000"), quantity=1)
    return proposal


def _can_open(user, target) -> bool:
    return type(target).objects.for_user(user).filter(pk=target.pk).exists()


def test_nobody_is_told_about_what_they_cannot_open(events, personas, org_a, org_b, mailoutbox):
    """A service that names everyone (even by mistake) reaches only those who can open the
    object: not another organization's members, not an inactive account."""
    inactive = UserFactory(email="gone@test.bmms", is_active=False)
    MembershipFactory(user=inactive, organization=org_a, role="approver")
    everyone = [u.pk for u in personas.values()] + [inactive.pk]
    partnership = PartnershipFactory(organization=org_a, title="MOH only")
    proposal = BudgetProposalFactory(organization=org_a, fiscal_year=2031)
    with events():
        notifications.emit(
            "partnership.milestone_updated", partnership, recipients=everyone, text="Updated"
        )
    notes = list(Notification.objects.select_related("recipient"))
    assert notes, "the members of MOH are told"
    for note in notes:
        assert _can_open(note.recipient, partnership), note.recipient
    emails = {n.recipient.email for n in notes}
    assert "charlie@test.bmms" not in emails and inactive.email not in emails
    assert {m.to[0] for m in mailoutbox} == emails
    # Budgeting switched off for MOH: its members cannot open MOH's proposals, so the deciders
    # of a submitted proposal are not told either.
    Flag.objects.get(name="module.budgeting").scope.excluded_organizations.add(org_a)
    with events():
        notifications.emit("budget.proposal_submitted", proposal)
    assert told("budget.proposal_submitted") == []


def test_mail_server_down_loses_nothing(events, alice, carol, dave, org_a, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(service, "send_mail", broken)
    proposal = _ready_proposal(org_a, carol)
    with events():  # the request succeeds
        submitted = budgeting.proposal_submit(actor=carol, proposal=proposal)
    assert submitted.status == BudgetProposal.Status.SUBMITTED
    notes = Notification.objects.filter(verb="budget.proposal_submitted")
    assert sorted(n.recipient.email for n in notes) == [alice.email, dave.email]  # in the bell
    assert all(n.emailed_at is None and n.email_attempts == 1 for n in notes)
    assert mail.outbox == []
    # The server is back: the beat task sends each once.
    monkeypatch.undo()
    assert service.retry_emails() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, dave.email]
    assert service.retry_emails() == 0 and len(mail.outbox) == 2


def _approvers(org, n, start=0):
    users = User.objects.bulk_create(
        [User(email=f"approver{i}@big.test.bmms", password="!") for i in range(start, start + n)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organization=org, role="approver") for u in users]
    )


def _submit_queries(org, preparer, year) -> tuple[int, list]:
    proposal = _ready_proposal(org, preparer, year)
    with CaptureQueriesContext(connection) as queries, pytest.MonkeyPatch.context() as patch:
        queued = []
        patch.setattr("core.outbox.enqueue", lambda *a, **k: queued.append(a))
        budgeting.proposal_submit(actor=preparer, proposal=proposal)
    return len(queries), queued


def test_a_thousand_members_keep_the_request_constant_and_the_fan_out_bulk(
    events, org_a, carol, mailoutbox
):
    _approvers(org_a, 3)
    _submit_queries(org_a, carol, 2026)  # warm: the first request also reads static rows
    small, queued = _submit_queries(org_a, carol, 2027)
    assert len(queued) == 1  # one background task, whatever the audience
    _approvers(org_a, 997, start=3)
    large, _ = _submit_queries(org_a, carol, 2028)
    assert large == small
    # The worker's side: 1,000 notifications in a bounded number of queries (profiles in bulk,
    # `for_user` once per access key, one INSERT per 1,000 rows), then 1,000 e-mails.
    proposal = BudgetProposal.objects.get(fiscal_year=2028)
    payload = {
        "verb": "budget.proposal_submitted",
        "model": "budgeting.budgetproposal",
        "pk": proposal.pk,
        "actor_id": carol.pk,
        "key": "one-event",
    }
    with events(), CaptureQueriesContext(connection) as fan_out:
        assert service.fan_out(payload) == 1000
    assert len(fan_out) < 30
    assert Notification.objects.filter(verb="budget.proposal_submitted").count() == 1000
    assert len(mailoutbox) == 1000
    assert service.fan_out(payload) == 0  # a redelivered task writes nothing twice
