"""Recovery strategies and BIA inputs (issue 18 item 7): the per-process coverage helpers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bcp import services
from bcp.models import CriticalProcess, RecoveryStrategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def payroll(plan, carol):
    return services.process_create(
        actor=carol, plan=plan, name="Payroll", rto_minutes=240, mtpd_minutes=1440
    )


def test_coverage_helpers_start_false(payroll):
    assert payroll.has_recovery_strategy is False
    assert payroll.has_dependencies is False


def test_a_strategy_and_a_dependency_count(payroll, plan, carol):
    RecoveryStrategy.objects.create(process=payroll, kind="manual_procedure", title="Paper")
    ledger = services.process_create(actor=carol, plan=plan, name="Ledger", rto_minutes=60)
    services.process_update(actor=carol, process=payroll, depends_on=[ledger])
    payroll = CriticalProcess.objects.get(pk=payroll.pk)
    assert payroll.has_recovery_strategy is True
    assert payroll.has_dependencies is True
    # The dependency is one-way: the ledger depends on nothing.
    assert CriticalProcess.objects.get(pk=ledger.pk).has_dependencies is False


def test_a_vendor_alone_is_a_mapped_dependency(payroll, org_a, carol):
    vendor = services.vendor_create(
        actor=carol, organization=org_a, name="PLDT", service="Internet"
    )
    services.process_update(actor=carol, process=payroll, vendors=[vendor])
    assert CriticalProcess.objects.get(pk=payroll.pk).has_dependencies is True


def test_with_coverage_answers_without_a_query_per_row(
    payroll, plan, carol, django_assert_num_queries
):
    RecoveryStrategy.objects.create(process=payroll, kind="workaround", title="Phones")
    services.process_create(actor=carol, plan=plan, name="Records", rto_minutes=60)
    with django_assert_num_queries(1):
        flags = {
            p.name: (p.has_recovery_strategy, p.has_dependencies)
            for p in CriticalProcess.objects.filter(plan=plan).with_coverage()
        }
    assert flags == {"Payroll": (True, False), "Records": (False, False)}


def test_a_vendor_strategy_names_its_vendor(payroll):
    strategy = RecoveryStrategy(process=payroll, kind="vendor", title="Backup carrier")
    with pytest.raises(ValidationError, match="names the vendor"):
        strategy.full_clean()
