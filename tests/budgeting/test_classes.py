"""Allotment classes and UACS object codes, ORS/DV numbers, adjustments, payables, date rules and
the year-end close (budgeting.services, budgeting.rules)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from budgeting import rules, services
from budgeting.models import (
    Allotment,
    DocumentCounter,
    ObjectCode,
    Obligation,
    ProgramBudget,
)
from core.tenancy import tenancy_of
from organizations.models import User
from tests.threads import run_at_once

from .factories import ApprovedProposalFactory, BudgetLineItemFactory, ProgramBudgetFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
D = Decimal


def code(value: str) -> ObjectCode:
    return ObjectCode.objects.get(code=value)


TRAVEL, SALARIES, ICT = "5020101000", "5010101001", "1060503000"


@pytest.fixture
def mixed_program(org_a):
    """FY 2026: PS ₱6,000, MOOE ₱3,000, CO ₱1,000 (approved as requested, ₱10,000)."""
    proposal = ApprovedProposalFactory(organization=org_a, fiscal_year=2026)
    program = ProgramBudgetFactory(
        proposal=proposal, requested_amount=D("10000"), approved_amount=D("10000")
    )
    for cls, unit in (("PS", "6000"), ("MOOE", "3000"), ("CO", "1000")):
        BudgetLineItemFactory(program=program, expense_class=cls, unit_cost=D(unit), quantity=1)
    return program


def release(actor, program, cls, amount, quarter=1, on=DAY):
    return services.allotment_release(
        actor=actor,
        program=program,
        allotment_class=cls,
        quarter=quarter,
        amount=D(amount),
        release_reference=f"SARO-{cls}",
        release_date=on,
    )


def obligate(actor, allotment, amount, object_code=TRAVEL, on=DAY, **extra):
    return services.obligation_create(
        actor=actor,
        allotment=allotment,
        payee="Cotabato Supply",
        amount=D(amount),
        obligated_on=on,
        object_code=code(object_code),
        **extra,
    )


def pay(actor, obligation, amount, on=DAY):
    return services.disbursement_create(
        actor=actor,
        obligation=obligation,
        amount=D(amount),
        payment_method="check",
        disbursed_on=on,
        lines=[("Central office", D(amount))],
    )


# --- chart ---------------------------------------------------------------------------------------


def test_the_uacs_chart_is_loaded_by_the_migration_and_the_command_is_idempotent(capsys):
    assert code(SALARIES).allotment_class == "PS"
    assert code("1060401000").title == "Buildings"
    count = ObjectCode.objects.count()
    ObjectCode.objects.filter(code=TRAVEL).update(title="Changed", allotment_class="CO")
    call_command("load_uacs")
    call_command("load_uacs")
    assert ObjectCode.objects.count() == count
    assert code(TRAVEL).title == "Traveling Expenses – Local"
    assert code(TRAVEL).allotment_class == "MOOE"
    assert "0 added, 0 corrected" in capsys.readouterr().out


def test_a_line_item_code_must_be_of_its_class(carol, org_a):
    from budgeting.models import BudgetProposal

    proposal = BudgetProposal.objects.create(organization=org_a, fiscal_year=2031, title="x")
    program = ProgramBudget.objects.create(proposal=proposal, name="P", requested_amount=100)
    with pytest.raises(ValidationError) as caught:
        services.line_item_create(
            actor=carol,
            program=program,
            expense_class="MOOE",
            object_code_id=code(SALARIES).pk,
            description="Staff",
            unit_cost=D("100"),
            quantity=1,
        )
    assert "is a PS code: choose a MOOE code" in caught.value.message_dict["object_code"][0]


# --- class ceilings ------------------------------------------------------------------------------


def test_appropriation_by_class_comes_from_the_line_items(mixed_program):
    assert services.appropriation_by_class(mixed_program) == {
        "PS": D("6000"),
        "MOOE": D("3000"),
        "FinEx": D("0"),
        "CO": D("1000"),
    }


def test_a_reduced_approval_is_split_over_the_classes_to_the_centavo():
    split = rules.class_appropriations(
        D("1000.00"), D("3000"), {"PS": D("1000"), "MOOE": D("1000"), "CO": D("1000")}
    )
    assert split == {"PS": D("333.34"), "MOOE": D("333.33"), "FinEx": D("0"), "CO": D("333.33")}
    assert sum(split.values()) == D("1000.00")


def test_allotments_stop_at_the_class_appropriation(dave, mixed_program):
    release(dave, mixed_program, "CO", "1000")
    with pytest.raises(services.CeilingExceeded) as caught:
        release(dave, mixed_program, "CO", "0.01", quarter=2)
    assert caught.value.message_dict["amount"] == [
        "Only ₱0.00 of the approved ₱1,000.00 for Capital outlay (CO) is left to allot "
        "(₱1,000.00 is already allotted). Nothing was released."
    ]
    # PS still has its own money: the program's total is not the ceiling any more.
    release(dave, mixed_program, "PS", "6000")
    with pytest.raises(services.CeilingExceeded, match="for Personnel services"):
        release(dave, mixed_program, "PS", "1")
    with pytest.raises(services.CeilingExceeded, match=r"Only ₱0\.00 of the approved ₱0\.00"):
        release(dave, mixed_program, "FinEx", "1")


def test_an_obligation_is_charged_to_a_code_of_its_allotments_class(carol, dave, mixed_program):
    ps = release(dave, mixed_program, "PS", "6000")
    with pytest.raises(ValidationError) as caught:
        obligate(carol, ps, "100", object_code=ICT)
    assert caught.value.message_dict["object_code"] == [
        "1060503000 Information and Communications Technology Equipment is a CO code; this "
        "allotment is for Personnel services (PS): choose one of its codes."
    ]
    with pytest.raises(ValidationError, match="PS money cannot|must be charged to a CO"):
        obligate(carol, ps, "100", object_code=SALARIES, expense_class="CO")
    obligation = obligate(carol, ps, "100", object_code=SALARIES)
    assert obligation.expense_class == "PS"
    assert not Obligation.objects.filter(expense_class="CO").exists()


def test_the_obligation_form_offers_only_codes_of_the_allotments_class(
    carol, dave, mixed_program, client
):
    co = release(dave, mixed_program, "CO", "1000")
    client.force_login(carol)
    url = reverse("budgeting:obligation-create", args=[co.public_id])
    page = client.get(url).content.decode()
    assert ICT in page and SALARIES not in page
    response = client.post(
        url,
        {"payee": "X", "object_code": code(SALARIES).pk, "amount": "10", "obligated_on": DAY},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Obligation.objects.exists()


# --- ORS / DV numbers ----------------------------------------------------------------------------


def test_ors_and_dv_numbers_run_per_organization_and_year(carol, dave, mixed_program):
    allotment = release(dave, mixed_program, "MOOE", "3000")
    first = obligate(carol, allotment, "100")
    second = obligate(carol, allotment, "100", on=datetime.date(2026, 4, 7))
    assert (first.ors_number, second.ors_number) == ("01-2026-03-00001", "01-2026-04-00002")
    services.obligation_record_delivery(actor=carol, obligation=first, delivered_on=DAY)
    payment = pay(carol, first, "40")
    assert payment.dv_number == "01-2026-03-00001"
    assert DocumentCounter.objects.get(kind="ors", year=2026).last_serial == 2


def test_a_refused_obligation_takes_no_number(carol, dave, mixed_program):
    allotment = release(dave, mixed_program, "MOOE", "3000")
    obligate(carol, allotment, "100")
    with pytest.raises(services.CeilingExceeded):
        obligate(carol, allotment, "5000")
    assert obligate(carol, allotment, "100").ors_serial == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_obligations_get_gapless_unique_ors_numbers(carol, dave, mixed_program):
    """12 threads on their own connections obligate at once against two allotments of two
    classes: every success has its own serial, the serials are 1..n without a gap, and each
    class stays within its allotment."""
    mooe = release(dave, mixed_program, "MOOE", "3000")
    ps = release(dave, mixed_program, "PS", "500")
    count = 12
    barrier = threading.Barrier(count)
    results, refused, unexpected = [], [], []
    lock = threading.Lock()
    actors = [User.objects.get(pk=carol.pk) for _ in range(count)]
    for actor in actors:
        tenancy_of(actor)
    targets = [
        Allotment.objects.select_related("program__proposal").get(pk=(mooe, ps)[n % 2].pk)
        for n in range(count)
    ]
    codes = {"MOOE": code(TRAVEL), "PS": code(SALARIES)}

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            target = targets[n]
            obligation = services.obligation_create(
                actor=actors[n],
                allotment=target,
                payee=f"Supplier {n}",
                amount=D("100"),
                obligated_on=DAY,
                object_code=codes[target.allotment_class],
            )
            with lock:
                results.append(obligation.ors_serial)
        except services.CeilingExceeded:
            with lock:
                refused.append(n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                unexpected.append(exc)
        finally:
            connection.close()

    run_at_once(worker, count)
    assert unexpected == []
    # PS ₱500 takes 5 of its 6 requests; MOOE ₱3,000 takes all 6.
    assert len(results) == 11 and len(refused) == 1
    assert sorted(results) == list(range(1, 12))
    ps_total = Obligation.objects.filter(allotment=ps).aggregate(s=Sum("amount"))["s"]
    assert ps_total == D("500.00")
    assert DocumentCounter.objects.get(kind="ors").last_serial == 11


@pytest.mark.django_db(transaction=True)
def test_simultaneous_releases_never_overshoot_the_class_appropriation(dave, mixed_program):
    """10 approvers' requests of ₱250 of CO (₱1,000 approved) at once: 4 pass."""
    count = 10
    barrier = threading.Barrier(count)
    ok, refused, unexpected = [], [], []
    lock = threading.Lock()
    actors = [User.objects.get(pk=dave.pk) for _ in range(count)]
    for actor in actors:
        tenancy_of(actor)
    programs = [
        ProgramBudget.objects.select_related("proposal").get(pk=mixed_program.pk)
        for _ in range(count)
    ]

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            release(actors[n], programs[n], "CO", "250", quarter=1 + n % 4)
            with lock:
                ok.append(n)
        except services.CeilingExceeded:
            with lock:
                refused.append(n)
        except BaseException as exc:  # noqa: BLE001
            with lock:
                unexpected.append(exc)
        finally:
            connection.close()

    run_at_once(worker, count)
    assert unexpected == []
    assert (len(ok), len(refused)) == (4, 6)
    total = Allotment.objects.filter(allotment_class="CO").aggregate(s=Sum("amount"))["s"]
    assert total == D("1000.00")


# --- adjustments and payables --------------------------------------------------------------------


def test_adjustments_keep_the_original_amount_and_respect_the_ceilings(carol, dave, mixed_program):
    allotment = release(dave, mixed_program, "MOOE", "1000")
    obligation = obligate(carol, allotment, "600")
    services.obligation_record_delivery(actor=carol, obligation=obligation, delivered_on=DAY)
    pay(carol, obligation, "500")
    services.obligation_adjust(
        actor=carol, obligation=obligation, amount=D("300"), adjusted_on=DAY, reason="Change order"
    )
    with pytest.raises(services.CeilingExceeded, match=r"Only ₱100\.00 of this ₱1,000\.00"):
        services.obligation_adjust(
            actor=carol, obligation=obligation, amount=D("101"), adjusted_on=DAY, reason="More"
        )
    with pytest.raises(services.CeilingExceeded, match=r"decreased by at most ₱400\.00"):
        services.obligation_adjust(
            actor=carol, obligation=obligation, amount=D("-400.01"), adjusted_on=DAY, reason="x"
        )
    with pytest.raises(ValidationError, match="Say why"):
        services.obligation_adjust(
            actor=carol, obligation=obligation, amount=D("-1"), adjusted_on=DAY, reason=" "
        )
    services.obligation_adjust(
        actor=carol, obligation=obligation, amount=D("-400"), adjusted_on=DAY, reason="Returned"
    )
    obligation.refresh_from_db()
    assert obligation.amount == D("600.00")  # never edited
    assert obligation.net_amount == D("500.00")
    assert [a.amount for a in obligation.adjustments.all()] == [D("300.00"), D("-400.00")]
    # the allotment sees the adjusted amount: ₱500 left
    obligate(carol, allotment, "500")
    with pytest.raises(services.CeilingExceeded):
        obligate(carol, allotment, "0.01")


def test_payment_ceiling_follows_the_adjusted_obligation(carol, dave, mixed_program):
    allotment = release(dave, mixed_program, "MOOE", "1000")
    obligation = obligate(carol, allotment, "100")
    services.obligation_adjust(
        actor=carol, obligation=obligation, amount=D("50"), adjusted_on=DAY, reason="Freight"
    )
    pay(carol, obligation, "150")
    with pytest.raises(services.CeilingExceeded, match=r"Only ₱0\.00 of this ₱150\.00"):
        pay(carol, obligation, "0.01")


def test_delivery_makes_the_obligation_due(carol, dave, mixed_program):
    allotment = release(dave, mixed_program, "MOOE", "1000")
    obligation = obligate(carol, allotment, "100")
    with pytest.raises(ValidationError, match="before the obligation's date"):
        services.obligation_record_delivery(
            actor=carol, obligation=obligation, delivered_on=datetime.date(2026, 3, 1)
        )
    services.obligation_record_delivery(actor=carol, obligation=obligation, delivered_on=DAY)
    with pytest.raises(ValidationError, match="already recorded"):
        services.obligation_record_delivery(actor=carol, obligation=obligation, delivered_on=DAY)
    obligation.refresh_from_db()
    assert obligation.delivered_on == DAY


# --- date rules ----------------------------------------------------------------------------------


def test_release_date_inside_the_allotments_validity(dave, mixed_program):
    with pytest.raises(ValidationError) as caught:
        release(dave, mixed_program, "MOOE", "10", on=datetime.date(2025, 12, 31))
    assert caught.value.message_dict["release_date"] == [
        "An FY 2026 allotment of this class is released between 1 Jan 2026 and 31 Dec 2026; "
        "31 Dec 2025 is outside."
    ]
    # CO is a continuing appropriation: valid through the next year
    co = release(dave, mixed_program, "CO", "10")
    assert co.valid_until == datetime.date(2027, 12, 31)


def test_nothing_is_recorded_after_today(carol, dave, mixed_program):
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    allotment = release(dave, mixed_program, "MOOE", "1000")
    with pytest.raises(ValidationError, match="is after today"):
        obligate(carol, allotment, "10", on=tomorrow)
    obligation = obligate(carol, allotment, "10")
    with pytest.raises(ValidationError, match="is after today"):
        pay(carol, obligation, "1", on=tomorrow)


def test_obligation_after_release_and_payment_after_obligation(carol, dave, mixed_program):
    allotment = release(dave, mixed_program, "MOOE", "1000")
    with pytest.raises(ValidationError) as caught:
        obligate(carol, allotment, "10", on=datetime.date(2026, 3, 1))
    assert caught.value.message_dict["obligated_on"] == [
        "The obligation date (1 Mar 2026) is before the allotment was released (2 Mar 2026)."
    ]
    obligation = obligate(carol, allotment, "10", on=datetime.date(2026, 3, 5))
    with pytest.raises(ValidationError) as caught:
        pay(carol, obligation, "1", on=datetime.date(2026, 3, 4))
    assert caught.value.message_dict["disbursed_on"] == [
        "The payment date (4 Mar 2026) is before the obligation's date (5 Mar 2026)."
    ]


def test_the_date_message_is_shown_on_the_form(carol, dave, mixed_program, client):
    allotment = release(dave, mixed_program, "MOOE", "1000")
    client.force_login(carol)
    response = client.post(
        reverse("budgeting:obligation-create", args=[allotment.public_id]),
        {
            "payee": "X",
            "object_code": code(TRAVEL).pk,
            "amount": "10",
            "obligated_on": "2026-01-02",
        },
    )
    assert "is before the allotment was released (2 Mar 2026)" in response.content.decode()
    assert not Obligation.objects.exists()


# --- year end ------------------------------------------------------------------------------------


def test_year_end_close_reverts_the_expiring_balances_and_keeps_continuing_ones(
    carol, dave, mixed_program, client
):
    mooe = release(dave, mixed_program, "MOOE", "1000")
    co = release(dave, mixed_program, "CO", "1000")
    obligate(carol, mooe, "300")
    preview = services.year_end_preview(mixed_program.proposal.organization, 2026)
    assert [a.pk for a in preview["reverting"]] == [mooe.pk]
    assert preview["reverting_total"] == D("700.00")
    assert [a.pk for a in preview["continuing"]] == [co.pk]
    with pytest.raises(ValidationError, match="closed after its last day"):
        services.year_end_close(
            actor=dave,
            organization=mixed_program.proposal.organization,
            fiscal_year=2026,
            closed_on=datetime.date(2026, 12, 31),
        )
    close = services.year_end_close(
        actor=dave,
        organization=mixed_program.proposal.organization,
        fiscal_year=2026,
        closed_on=datetime.date(2027, 1, 2),
    )
    assert close.reverted_total == D("700.00")
    mooe.refresh_from_db()
    with pytest.raises(ValidationError, match="reverted at the year-end close"):
        obligate(carol, mooe, "1")
    # the continuing CO allotment still takes obligations
    obligate(carol, co, "100", object_code=ICT)
    client.force_login(carol)
    page = client.get(reverse("budgeting:year-end"), {"year": 2026}).content.decode()
    assert "Closed on 2 Jan 2027" in page and "₱700.00" in page
    with pytest.raises(ValidationError, match="already closed"):
        services.year_end_close(
            actor=dave,
            organization=mixed_program.proposal.organization,
            fiscal_year=2026,
            closed_on=datetime.date(2027, 1, 3),
        )


def test_only_approvers_close_a_year(carol, client, mixed_program):
    client.force_login(carol)
    response = client.post(reverse("budgeting:year-end"), {"year": 2025})
    assert response.status_code == 403
