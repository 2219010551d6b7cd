"""An allotment's running totals (AllotmentExecution), kept by PostgreSQL triggers, always equal
what its live obligations and payments add up to, whatever wrote them: the services, bulk loads,
queryset updates and deletes, concurrent payments, and the migration that fills them for the
rows written before the triggers existed."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from budgeting import services
from budgeting.models import AllotmentExecution, Disbursement, Obligation
from core.tenancy import tenancy_of
from organizations.models import User
from tests.threads import errors_at_once

from .factories import AllotmentFactory, DisbursementFactory, ObligationFactory
from .test_execution import obligate, pay

D = Decimal


def independent_totals() -> dict[int, tuple[Decimal, Decimal]]:
    """allotment id → (obligated, disbursed), summed from the base tables for every allotment
    that has anything live, counted through the models' `live()`: the triggers repeat that rule
    in SQL, and these tests pin the two together."""
    obligated = dict(
        Obligation.objects.live().values_list("allotment_id").annotate(Sum("amount")).order_by()
    )
    for allotment_id, adjustments in (
        Obligation.objects.live()
        .values_list("allotment_id")
        .annotate(Sum("adjustments_total"))
        .order_by()
    ):
        obligated[allotment_id] += adjustments
    disbursed = dict(
        Disbursement.objects.live()
        .values_list("obligation__allotment_id")
        .annotate(Sum("amount"))
        .order_by()
    )
    zero = D("0.00")
    return {
        pk: (obligated.get(pk, zero), disbursed.get(pk, zero))
        for pk in set(obligated) | set(disbursed)
    }


def kept_totals() -> dict[int, tuple[Decimal, Decimal]]:
    """The triggers' totals, leaving out rows that came back to zero."""
    return {
        row.allotment_id: (row.obligated, row.disbursed)
        for row in AllotmentExecution.objects.all()
        if row.obligated or row.disbursed
    }


@pytest.mark.django_db
def test_the_services_keep_the_totals(carol, dave, allotment, approved_program):
    assert kept_totals() == {}
    first = obligate(carol, allotment, "400")
    second = obligate(carol, allotment, "300")
    assert kept_totals() == {allotment.pk: (D("700.00"), D("0.00"))}
    services.obligation_adjust(
        actor=carol, obligation=first, amount=D("-50"), adjusted_on=first.obligated_on, reason="x"
    )
    services.obligation_adjust(
        actor=carol, obligation=second, amount=D("25"), adjusted_on=first.obligated_on, reason="y"
    )
    paid = pay(carol, first, "200")
    pay(carol, second, "100")
    assert kept_totals() == {allotment.pk: (D("675.00"), D("300.00"))}
    services.disbursement_set_status(actor=dave, disbursement=paid, action="void")
    assert kept_totals() == {allotment.pk: (D("675.00"), D("100.00"))}
    services.obligation_cancel(actor=carol, obligation=first)
    assert kept_totals() == {allotment.pk: (D("325.00"), D("100.00"))}
    assert kept_totals() == independent_totals()


@pytest.mark.django_db
def test_bulk_loads_queryset_updates_and_deletes_keep_the_totals(allotment, approved_program):
    other = AllotmentFactory(program=approved_program, amount=D("2000.00"), quarter=2)
    obligations = Obligation.objects.bulk_create(
        [
            ObligationFactory.build(allotment=allotment, amount=D("100.00")),
            ObligationFactory.build(allotment=allotment, amount=D("150.00")),
            ObligationFactory.build(allotment=other, amount=D("900.00")),
            ObligationFactory.build(allotment=other, amount=D("5.00"), status="cancelled"),
        ]
    )
    DisbursementFactory(obligation=obligations[0], amount=D("60.00"))
    DisbursementFactory(obligation=obligations[2], amount=D("300.00"))
    DisbursementFactory(obligation=obligations[2], amount=D("1.00"), status="void")
    assert (
        kept_totals()
        == independent_totals()
        == {
            allotment.pk: (D("250.00"), D("60.00")),
            other.pk: (D("900.00"), D("300.00")),
        }
    )
    # One statement changing rows of two allotments, both ways.
    Obligation.objects.filter(pk__in=[obligations[1].pk, obligations[3].pk]).update(
        status="obligated", adjustments_total=D("10.00")
    )
    Disbursement.objects.filter(obligation=obligations[2]).exclude(status="void").update(
        amount=D("350.00")
    )
    assert kept_totals() == independent_totals()
    Disbursement.objects.filter(obligation__allotment=allotment).delete()
    Obligation.objects.filter(pk=obligations[1].pk).delete()
    assert (
        kept_totals()
        == independent_totals()
        == {
            allotment.pk: (D("100.00"), D("0.00")),
            other.pk: (D("915.00"), D("350.00")),
        }
    )


@pytest.mark.django_db
def test_an_obligation_stays_charged_to_its_allotment(allotment, approved_program):
    """Moving an obligation would carry its payments to another allotment's totals; the
    database refuses it (no service does it: an ORS is charged to one allotment)."""
    other = AllotmentFactory(program=approved_program, amount=D("2000.00"), quarter=2)
    obligation = ObligationFactory(allotment=allotment, amount=D("100.00"))
    with (
        pytest.raises(DatabaseError, match="stays charged to its allotment"),
        transaction.atomic(),
    ):
        Obligation.objects.filter(pk=obligation.pk).update(allotment=other)
    assert kept_totals() == {allotment.pk: (D("100.00"), D("0.00"))}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_payments_on_one_allotment_all_count(carol, allotment):
    """Eight payments through the service on eight obligations of one allotment at the same
    moment, each on its own connection: all counted (the service queues them on the DV number
    counter, so they reach the totals one after another; the next test makes them meet there)."""
    count = 8
    obligations = [obligate(carol, allotment, "100", payee=f"Supplier {n}") for n in range(count)]
    actors = [User.objects.get(pk=carol.pk) for _ in range(count)]
    for actor in actors:
        tenancy_of(actor)
    mine = [
        Obligation.objects.select_related("allotment__program__proposal").get(pk=o.pk)
        for o in obligations
    ]
    assert errors_at_once(lambda n: pay(actors[n], mine[n], "40"), count) == []
    assert kept_totals() == independent_totals() == {allotment.pk: (D("800.00"), D("320.00"))}


@pytest.mark.django_db(transaction=True)
def test_overlapping_transactions_add_up_on_the_totals_row(allotment):
    """Eight transactions insert a payment on one allotment at the same moment and stay open a
    moment longer, so they meet on the allotment's totals row: each waits for the one holding
    it, then adds its own change to what that one committed. A trigger that wrote a total it
    had summed before waiting would lose payments here."""
    count = 8
    obligation = ObligationFactory(allotment=allotment, amount=D("1000.00"))

    def pay_and_hold(_n: int) -> None:
        with transaction.atomic():
            DisbursementFactory(obligation=obligation, amount=D("40.00"))
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(0.2)")  # hold the totals row a moment

    assert errors_at_once(pay_and_hold, count) == []
    assert kept_totals() == independent_totals() == {allotment.pk: (D("1000.00"), D("320.00"))}


@pytest.mark.django_db
def test_the_rebuild_command_finds_and_mends_stale_totals(allotment, approved_program):
    obligation = ObligationFactory(allotment=allotment, amount=D("300.00"))
    DisbursementFactory(obligation=obligation, amount=D("120.00"))
    untouched = AllotmentFactory(program=approved_program, amount=D("500.00"), quarter=3)
    ObligationFactory(allotment=untouched, amount=D("50.00"))
    call_command("rebuild_execution_totals", "--check", stdout=StringIO())  # all match
    # As after a repair with the triggers off: one total wrong, one missing.
    AllotmentExecution.objects.filter(allotment=allotment).update(disbursed=D("999.00"))
    AllotmentExecution.objects.filter(allotment=untouched).delete()
    out = StringIO()
    with pytest.raises(CommandError, match="2 allotment"):
        call_command("rebuild_execution_totals", "--check", stdout=out)
    assert f"allotment {allotment.pk}: obligated 300.00 → 300.00, disbursed 999.00 → 120.00" in (
        out.getvalue()
    )
    assert kept_totals()[allotment.pk] == (D("300.00"), D("999.00"))  # --check writes nothing
    out = StringIO()
    call_command("rebuild_execution_totals", stdout=out)
    assert "Recounted 2 allotments; 2 had totals that differed." in out.getvalue()
    assert (
        kept_totals()
        == independent_totals()
        == {
            allotment.pk: (D("300.00"), D("120.00")),
            untouched.pk: (D("50.00"), D("0.00")),
        }
    )
    # The triggers go on from the recounted totals.
    ObligationFactory(allotment=untouched, amount=D("25.00"))
    assert kept_totals() == independent_totals()


@pytest.fixture
def back_to_latest():
    """Whatever happens, leave every app fully migrated for the tests that run next."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_totals_of_existing_rows(allotment, back_to_latest):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("budgeting", "0005_search_indexes")])  # no totals, no triggers
    # Written while no trigger exists: only the migration's fill can count them.
    obligation = ObligationFactory(allotment=allotment, amount=D("300.00"))
    ObligationFactory(allotment=allotment, amount=D("50.00"), adjustments_total=D("-10.00"))
    ObligationFactory(allotment=allotment, amount=D("70.00"), status="cancelled")
    DisbursementFactory(obligation=obligation, amount=D("120.00"))
    DisbursementFactory(obligation=obligation, amount=D("5.00"), status="void")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("budgeting", "0006_allotment_execution")])
    assert kept_totals() == independent_totals() == {allotment.pk: (D("340.00"), D("120.00"))}
