"""Execution ceilings: allotments ≤ approved, obligations ≤ allotment, payments ≤ obligation;
cancelled and void rows do not count; the database refuses amounts ≤ 0."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.urls import reverse

from budgeting import services
from budgeting.models import Allotment, BudgetLineItem, Disbursement, ObjectCode, Obligation
from core.tenancy import tenancy_of
from organizations.models import AuditLog, User
from tests.threads import run_at_once

from .factories import ObligationFactory, ProgramBudgetFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


def obligate(actor, allotment, amount, payee="Davao Medical Supply", code=None, on=TODAY):
    return services.obligation_create(
        actor=actor,
        allotment=allotment,
        payee=payee,
        amount=Decimal(amount),
        obligated_on=on,
        object_code=code or ObjectCode.objects.get(code="5020301000"),
    )


def release(actor, program, amount, quarter=2, allotment_class="MOOE", on=TODAY):
    return services.allotment_release(
        actor=actor,
        program=program,
        allotment_class=allotment_class,
        quarter=quarter,
        amount=Decimal(amount),
        release_reference="SARO-X",
        release_date=on,
    )


def test_allotments_stop_at_the_approved_amount(dave, approved_program):
    release(dave, approved_program, "3000")
    release(dave, approved_program, "2000")
    with pytest.raises(services.CeilingExceeded) as caught:
        release(dave, approved_program, "0.01")
    assert (
        "Only ₱0.00 of the approved ₱5,000.00 for Maintenance and other operating expenses "
        "(MOOE) is left to allot" in caught.value.messages[0]
    )
    assert approved_program.allotments.count() == 2


def test_cancelled_allotment_frees_its_money(dave, approved_program):
    first = release(dave, approved_program, "5000")
    services.allotment_cancel(actor=dave, allotment=first)
    release(dave, approved_program, "5000")  # fits again
    live = approved_program.allotments.filter(status=Allotment.Status.RELEASED)
    assert live.aggregate(s=Sum("amount"))["s"] == Decimal("5000.00")


def test_only_approvers_release_allotments(carol, approved_program):
    with pytest.raises(PermissionDenied):
        release(carol, approved_program, "100")


def test_no_allotment_for_a_program_of_an_unapproved_proposal(dave, org_a):
    program = ProgramBudgetFactory(proposal__organization=org_a)
    with pytest.raises(ValidationError, match="approved proposals"):
        release(dave, program, "100")


def test_obligations_stop_at_the_allotment(carol, allotment):
    obligate(carol, allotment, "600")
    with pytest.raises(services.CeilingExceeded) as caught:
        obligate(carol, allotment, "400.01")
    assert caught.value.message_dict["amount"] == [
        "Only ₱400.00 of this ₱1,000.00 allotment is left to obligate (₱600.00 is already "
        "obligated). Nothing was obligated."
    ]
    obligate(carol, allotment, "400")


def test_cancelled_obligation_does_not_count(carol, allotment):
    first = obligate(carol, allotment, "1000")
    services.obligation_cancel(actor=carol, obligation=first)
    obligate(carol, allotment, "1000")


def test_an_allotment_with_obligations_cannot_be_cancelled(carol, dave, allotment):
    obligate(carol, allotment, "10")
    with pytest.raises(ValidationError, match="cancel them first"):
        services.allotment_cancel(actor=dave, allotment=allotment)


def pay(actor, obligation, amount, lines=None):
    amount = Decimal(amount)
    return services.disbursement_create(
        actor=actor,
        obligation=obligation,
        amount=amount,
        payment_method="ada",
        disbursed_on=TODAY,
        lines=lines if lines is not None else [("Field operations", amount)],
    )


def test_payments_stop_at_the_obligation_and_void_ones_do_not_count(carol, dave, allotment):
    obligation = obligate(carol, allotment, "500")
    first = pay(carol, obligation, "300")
    pay(carol, obligation, "200")
    with pytest.raises(services.CeilingExceeded, match="Only ₱0.00 of this ₱500.00 obligation"):
        pay(carol, obligation, "1")
    services.disbursement_set_status(actor=dave, disbursement=first, action="void")
    pay(carol, obligation, "300")
    # A void payment stays void, even outside the services.
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=first.pk).update(status="paid")


def test_cost_centre_lines_must_add_up_to_the_payment(carol, allotment):
    obligation = obligate(carol, allotment, "500")
    with pytest.raises(ValidationError, match="add up to ₱250.00, but the payment is ₱300.00"):
        pay(carol, obligation, "300", lines=[("Clinic A", Decimal("100")), ("B", Decimal("150"))])
    assert not Disbursement.objects.exists()
    payment = pay(carol, obligation, "300", [("Clinic A", Decimal("100")), ("B", Decimal("200"))])
    assert payment.line_items.count() == 2


@pytest.mark.parametrize("model_field", ["allotment", "obligation"])
def test_the_database_refuses_amounts_that_are_not_positive(model_field, allotment):
    with pytest.raises(IntegrityError, match="amount_positive"), transaction.atomic():
        if model_field == "allotment":
            Allotment.objects.filter(pk=allotment.pk).update(amount=0)
        else:
            ObligationFactory(allotment=allotment, amount=Decimal("-5"))


def test_line_item_total_is_computed_once_and_checked_by_the_database(approved_program):
    item = BudgetLineItem.objects.create(
        program=approved_program,
        expense_class="CO",
        description="Ambulance",
        unit_cost=Decimal("2500000.50"),
        quantity=3,
    )
    assert item.total_cost == Decimal("7500001.50")
    with pytest.raises(IntegrityError, match="total_is_unit_times_quantity"), transaction.atomic():
        BudgetLineItem.objects.filter(pk=item.pk).update(total_cost=Decimal("1"))


def test_execution_writes_the_audit_log(carol, dave, approved_program):
    allotment = release(dave, approved_program, "1000")
    obligation = obligate(carol, allotment, "100")
    pay(carol, obligation, "100")
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["allotment.released", "obligation.created", "disbursement.created"]


def test_ceiling_error_is_shown_on_the_obligation_form(carol, allotment, client):
    obligate(carol, allotment, "900")
    client.force_login(carol)
    url = reverse("budgeting:obligation-create", args=[allotment.public_id])
    response = client.post(
        url,
        {
            "payee": "Cotabato Pharma",
            "object_code": ObjectCode.objects.get(code="5020301000").pk,
            "amount": "200",
            "obligated_on": "2026-03-02",
        },
    )
    assert response.status_code == 200
    assert "Only ₱100.00 of this ₱1,000.00 allotment is left to obligate" in (
        response.content.decode()
    )
    assert Obligation.objects.count() == 1


# --- concurrency: real PostgreSQL connections ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_obligations_never_overshoot_the_allotment(carol, allotment):
    """20 threads, each with its own database connection, obligate ₱100 against a ₱1,000
    allotment at the same moment: exactly 10 succeed, 10 get the ceiling message."""
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    successes: list[Obligation] = []
    failures: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    # Each thread gets its own user and allotment objects (nothing shared but the database).
    actors = [User.objects.get(pk=carol.pk) for _ in range(threads_count)]
    for actor in actors:
        tenancy_of(actor)
    allotments = [
        Allotment.objects.select_related("program__proposal").get(pk=allotment.pk)
        for _ in range(threads_count)
    ]

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            obligation = obligate(actors[n], allotments[n], "100", payee=f"Supplier {n}")
            with lock:
                successes.append(obligation)
        except services.CeilingExceeded as exc:
            with lock:
                failures.append(exc.message_dict["amount"][0])
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                unexpected.append(exc)
        finally:
            connection.close()

    run_at_once(worker, threads_count)
    assert unexpected == []
    assert len(successes) == 10
    assert len(failures) == 10
    assert all("Only ₱0.00 of this ₱1,000.00 allotment is left" in m for m in failures)
    total = Obligation.objects.filter(allotment=allotment, status="obligated").aggregate(
        s=Sum("amount")
    )["s"]
    assert total == Decimal("1000.00")
