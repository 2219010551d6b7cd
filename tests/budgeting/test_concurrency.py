"""Two approvers deciding on one budget proposal at the same moment, over real PostgreSQL
connections (issue 16, class 6): one decision is recorded, the other approver is told plainly
that the proposal has moved on; never a 500 or a deadlock."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from budgeting import services
from budgeting.models import BudgetProposal


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(2))
def test_simultaneous_approve_and_return_one_wins_the_other_is_told(
    org_a, carol, dave, alice, attempt
):
    proposal = services.proposal_create(
        actor=carol, organization=org_a, fiscal_year=2027 + attempt, title="FY"
    )
    program = services.program_create(
        actor=carol, proposal=proposal, name="Immunization", requested_amount=Decimal("500")
    )
    services.line_item_create(
        actor=carol,
        program=program,
        expense_class="MOOE",
        description="Doses",
        unit_cost=Decimal("500"),
        quantity=1,
    )
    services.proposal_submit(actor=carol, proposal=proposal)
    requests = [
        (dave, "budgeting:proposal-approve", {f"program_{program.pk}": "500"}),
        (alice, "budgeting:proposal-return", {"reason": "Split the program."}),
    ]
    clients = []
    for user, _name, _data in requests:
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def worker(n: int) -> None:
        _user, name, data = requests[n]
        try:
            url = reverse(name, args=[proposal.public_id])
            barrier.wait(timeout=30)
            results[n] = clients[n].post(url, data)
        except BaseException as exc:  # noqa: BLE001 - a 500 raises in the test client
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.status_code for r in results) == [200, 302]
    (told,) = [r for r in results if r.status_code == 200]
    proposal.refresh_from_db()
    assert proposal.status in (BudgetProposal.Status.APPROVED, BudgetProposal.Status.RETURNED)
    assert f"A proposal that is {proposal.get_status_display().lower()} cannot be" in (
        told.content.decode()
    )
