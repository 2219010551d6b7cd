"""The data migration that gives existing allotments and obligations their allotment class (and
ORS/DV numbers) moves no peso: per organization, every total is the same before and after."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

BEFORE = [("budgeting", "0002_initial")]
AFTER = [("budgeting", "0004_assign_classes_and_numbers")]
D = Decimal


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _totals(apps) -> dict:
    Allotment = apps.get_model("budgeting", "Allotment")
    Obligation = apps.get_model("budgeting", "Obligation")
    Disbursement = apps.get_model("budgeting", "Disbursement")
    org = "program__proposal__organization__code"
    result = {}
    for name, queryset, path in (
        ("allotted", Allotment.objects.filter(status="released"), org),
        ("allotted_all", Allotment.objects.all(), org),
        ("obligated", Obligation.objects.filter(status="obligated"), f"allotment__{org}"),
        ("obligated_all", Obligation.objects.all(), f"allotment__{org}"),
        ("disbursed", Disbursement.objects.exclude(status="void"), f"obligation__allotment__{org}"),
    ):
        for code, total in queryset.values_list(path).annotate(Sum("amount")).order_by():
            result[(name, code)] = total
    return result


@pytest.fixture
def back_to_latest():
    """Whatever happens, leave every app fully migrated: the migrations after AFTER (later
    columns, such as the search documents) are needed by the tests that run next."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_execution_migrates_without_losing_a_peso(back_to_latest):
    apps = _migrate(BEFORE)
    Organization = apps.get_model("organizations", "Organization")
    Proposal = apps.get_model("budgeting", "BudgetProposal")
    Program = apps.get_model("budgeting", "ProgramBudget")
    Line = apps.get_model("budgeting", "BudgetLineItem")
    Allotment = apps.get_model("budgeting", "Allotment")
    Obligation = apps.get_model("budgeting", "Obligation")
    Disbursement = apps.get_model("budgeting", "Disbursement")
    day = datetime.date(2026, 2, 1)
    made = {}
    for code in ("MOH", "MOLE"):
        org = Organization.objects.get(code=code)
        proposal = Proposal.objects.create(
            organization=org,
            fiscal_year=2026,
            title="FY 2026",
            status="approved",
            approved_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        )
        mixed = Program.objects.create(
            proposal=proposal, name="Mixed", requested_amount=10000, approved_amount=10000
        )
        for cls, unit in (("PS", 6000), ("MOOE", 4000)):
            Line.objects.create(
                program=mixed,
                expense_class=cls,
                description=cls,
                unit_cost=unit,
                quantity=1,
                total_cost=unit,
            )
        allotment = Allotment.objects.create(
            program=mixed, quarter=1, amount=D("5000"), release_reference="S1", release_date=day
        )
        Allotment.objects.create(
            program=mixed,
            quarter=2,
            amount=D("100"),
            release_reference="S2",
            release_date=day,
            status="cancelled",
        )
        for cls, amount, status in (
            ("PS", "1000", "obligated"),
            ("MOOE", "2000", "obligated"),
            ("CO", "500.55", "obligated"),  # a class the program never budgeted
            ("MOOE", "300", "cancelled"),
        ):
            o = Obligation.objects.create(
                allotment=allotment,
                payee="P",
                expense_class=cls,
                amount=D(amount),
                obligated_on=day,
                status=status,
            )
            if cls == "MOOE" and status == "obligated":
                Disbursement.objects.create(
                    obligation=o, amount=D("800"), payment_method="ada", disbursed_on=day
                )
        single = Program.objects.create(
            proposal=proposal, name="Single", requested_amount=1000, approved_amount=1000
        )
        Line.objects.create(
            program=single,
            expense_class="MOOE",
            description="m",
            unit_cost=1000,
            quantity=1,
            total_cost=1000,
        )
        other = Allotment.objects.create(
            program=single, quarter=1, amount=D("1000"), release_reference="S3", release_date=day
        )
        Obligation.objects.create(
            allotment=other,
            payee="Q",
            expense_class="PS",
            amount=D("400"),
            obligated_on=day + datetime.timedelta(days=3),
        )
        made[code] = mixed.pk
    before = _totals(apps)

    apps = _migrate(AFTER)
    assert _totals(apps) == before
    Allotment = apps.get_model("budgeting", "Allotment")
    Obligation = apps.get_model("budgeting", "Obligation")
    Disbursement = apps.get_model("budgeting", "Disbursement")
    # the mixed program's ₱5,000 allotment became a PS part and a MOOE part
    parts = dict(
        Allotment.objects.filter(program_id=made["MOH"], status="released").values_list(
            "allotment_class", "amount"
        )
    )
    # PS: its ₱1,000 + the CO obligation's ₱500.55 (PS is the largest class) + 60 % of the
    # ₱1,499.45 left; MOOE: its ₱2,000 + 40 % of what was left.
    assert parts == {"PS": D("2400.22"), "MOOE": D("2599.78")}
    assert sum(parts.values()) == D("5000")
    # every obligation has its allotment's class, and fits in it
    for o in Obligation.objects.select_related("allotment"):
        assert o.expense_class == o.allotment.allotment_class
        assert o.organization_id == o.allotment.program.proposal.organization_id
    for a in Allotment.objects.filter(status="released"):
        live = a.obligations.filter(status="obligated").aggregate(s=Sum("amount"))["s"] or 0
        assert live <= a.amount
    assert Obligation.objects.get(payee="Q", organization__code="MOH").expense_class == "MOOE"
    # ORS/DV numbers: 1..n per organization and year, in date order
    for code in ("MOH", "MOLE"):
        serials = list(
            Obligation.objects.filter(organization__code=code)
            .order_by("obligated_on", "pk")
            .values_list("ors_serial", "ors_number")
        )
        assert [s for s, _n in serials] == [1, 2, 3, 4, 5]
        assert serials[-1][1] == "01-2026-02-00005"
        assert list(
            Disbursement.objects.filter(organization__code=code).values_list("dv_number", flat=True)
        ) == ["01-2026-02-00001"]
    assert Allotment.objects.filter(valid_until__isnull=True).count() == 0
