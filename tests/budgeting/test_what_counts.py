"""What counts, said once: the money querysets' `live()`, the ceiling helper, and the
organization-grouped selectors the OCM dashboard composes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgeting import ceilings, selectors
from budgeting.models import Allotment, Disbursement, Obligation

from .factories import AllotmentFactory, DisbursementFactory, ObligationFactory

pytestmark = pytest.mark.django_db


def test_live_keeps_released_allotments_live_obligations_and_payments_not_void(allotment):
    cancelled = AllotmentFactory(program=allotment.program, status=Allotment.Status.CANCELLED)
    live_obligation = ObligationFactory(allotment=allotment, amount=Decimal("300.00"))
    ObligationFactory(allotment=allotment, status=Obligation.Status.CANCELLED)
    processing = DisbursementFactory(obligation=live_obligation, amount=Decimal("10.00"))
    paid = DisbursementFactory(
        obligation=live_obligation, amount=Decimal("20.00"), status=Disbursement.Status.PAID
    )
    DisbursementFactory(
        obligation=live_obligation, amount=Decimal("40.00"), status=Disbursement.Status.VOID
    )
    program = allotment.program
    assert set(program.allotments.live()) == {allotment}
    assert cancelled not in Allotment.objects.live()
    assert list(allotment.obligations.live()) == [live_obligation]
    assert set(live_obligation.disbursements.live()) == {processing, paid}
    # The same rule from a related path, for annotations and joins.
    on_cancelled = ObligationFactory(allotment=cancelled)
    under_live_allotments = Obligation.objects.filter(Allotment.live_q("allotment__"))
    assert live_obligation in under_live_allotments
    assert on_cancelled not in under_live_allotments
    assert not Allotment.objects.filter(pk=cancelled.pk).filter(Allotment.live_q()).exists()


def test_counted_sums_only_the_live_rows(allotment):
    obligation = ObligationFactory(allotment=allotment, amount=Decimal("300.00"))
    DisbursementFactory(obligation=obligation, amount=Decimal("10.00"))
    DisbursementFactory(
        obligation=obligation, amount=Decimal("40.00"), status=Disbursement.Status.VOID
    )
    assert ceilings.counted(obligation.disbursements) == Decimal("10.00")
    assert ceilings.counted(Disbursement.objects.none()) == Decimal("0.00")


def test_add_under_ceiling_refuses_what_does_not_fit_and_names_the_room():
    left = ceilings.add_under_ceiling(
        Decimal("5.00"), ceiling=Decimal("10.00"), used=Decimal("5.00"), refusal="x"
    )
    assert left == Decimal("5.00")
    with pytest.raises(ceilings.CeilingExceeded) as caught:
        ceilings.add_under_ceiling(
            Decimal("5.01"),
            ceiling=Decimal("10.00"),
            used=Decimal("5.00"),
            refusal="Only {left} of {ceiling} ({used} used) for {what}.",
            what="the test",
        )
    assert caught.value.message_dict == {
        "amount": ["Only ₱5.00 of ₱10.00 (₱5.00 used) for the test."]
    }
    with pytest.raises(ceilings.CeilingExceeded, match=r"Only ₱0\.00 left"):
        # Already over (e.g. the ceiling was lowered): the room shown never goes below zero.
        ceilings.add_under_ceiling(
            Decimal("1"), ceiling=Decimal("10"), used=Decimal("12"), refusal="Only {left} left"
        )


def test_refuse_while_counted_ignores_rows_that_do_not_count(allotment):
    cancelled = ObligationFactory(allotment=allotment, status=Obligation.Status.CANCELLED)
    ceilings.refuse_while_counted(allotment.obligations, "carries money")  # nothing live
    DisbursementFactory(obligation=cancelled, status=Disbursement.Status.VOID)
    ceilings.refuse_while_counted(cancelled.disbursements, "paid")
    ObligationFactory(allotment=allotment)
    with pytest.raises(ValidationError, match="carries money"):
        ceilings.refuse_while_counted(allotment.obligations, "carries money")


def test_grouped_selectors_count_the_live_rows_of_approved_budgets(allotment, org_a):
    AllotmentFactory(program=allotment.program, status=Allotment.Status.CANCELLED)
    obligation = ObligationFactory(
        allotment=allotment, amount=Decimal("300.00"), adjustments_total=Decimal("-50.00")
    )
    ObligationFactory(allotment=allotment, status=Obligation.Status.CANCELLED)
    DisbursementFactory(obligation=obligation, amount=Decimal("100.00"))
    DisbursementFactory(
        obligation=obligation, amount=Decimal("40.00"), status=Disbursement.Status.VOID
    )
    mine = org_a.pk
    assert list(selectors.approved_by_organization().filter(proposal__organization=mine)) == [
        (mine, 2026, Decimal("5000.00"))
    ]
    assert list(
        selectors.execution_by_organization().filter(program__proposal__organization=mine)
    ) == [(mine, 2026, 1, "MOOE", Decimal("1000.00"), Decimal("250.00"), Decimal("100.00"))]
    appropriations = selectors.appropriations_by_organization_class(2026)
    assert appropriations[(mine, "MOOE")] == Decimal("5000.00")
