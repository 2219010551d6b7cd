"""Recovery strategies and BIA inputs (issue 18 item 7): the per-process coverage helpers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bcp import services
from bcp.models import CriticalProcess, RecoveryStrategy
from bcp.services import strategies

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


# --- RTO conflicts and the dependency map --------------------------------------------------------


def test_rto_conflict_is_a_dependency_back_later_than_the_dependent():
    from bcp.dependency_map import rto_conflict

    assert rto_conflict(60, 120) is True
    assert rto_conflict(120, 120) is False  # back at the same time: fits
    assert rto_conflict(120, 60) is False
    assert rto_conflict(None, 60) is False and rto_conflict(60, None) is False


def test_the_map_marks_process_and_vendor_conflicts(plan, org_a, carol, alice):
    from bcp.dependency_map import dependency_map, register_for

    network = services.process_create(actor=carol, plan=plan, name="Network", rto_minutes=480)
    power = services.vendor_create(
        actor=carol, organization=org_a, name="Power Co", service="Power", rto_offered_minutes=30
    )
    slow = services.vendor_create(
        actor=carol, organization=org_a, name="Slow Co", service="Mail", rto_offered_minutes=600
    )
    mail = services.process_create(
        actor=carol, plan=plan, name="Mail", rto_minutes=240, depends_on=[network], vendors=[power]
    )
    services.process_create(
        actor=carol, plan=plan, name="Archive", rto_minutes=1440, depends_on=[mail], vendors=[slow]
    )
    graph = dependency_map(list(register_for(alice, org_a)))
    conflicts = {(e.source.label, e.target.label) for e in graph.conflicts}
    assert conflicts == {("Mail", "Network")}
    # Layers: what is depended on sits left of what needs it.
    layer = {n.label: n.layer for n in graph.nodes}
    assert layer["Network"] < layer["Mail"] < layer["Archive"]
    assert layer["Power Co"] < layer["Mail"]
    assert "must be back within 4 h" not in graph.conflicts[0].message  # duration is injected
    assert "Network" in graph.conflicts[0].message


def test_a_dependency_cycle_is_drawn_not_looped(plan, carol, alice, org_a):
    from bcp.dependency_map import dependency_map, register_for

    a = services.process_create(actor=carol, plan=plan, name="A", rto_minutes=60)
    b = services.process_create(actor=carol, plan=plan, name="B", rto_minutes=60, depends_on=[a])
    services.process_update(actor=carol, process=a, depends_on=[b])
    graph = dependency_map(list(register_for(alice, org_a)))
    assert len(graph.edges) == 2 and graph.width > 0


def test_the_map_page_shows_the_conflict(plan, org_a, carol, alice, client):
    network = services.process_create(actor=carol, plan=plan, name="Network", rto_minutes=480)
    services.process_create(
        actor=carol, plan=plan, name="Mail", rto_minutes=240, depends_on=[network]
    )
    client.force_login(alice)
    page = client.get(reverse("bcp:dependency-map"))
    assert page.status_code == 200
    assert "RTO conflicts (1)" in page.text
    assert "“Mail” must be back within 4 h, but the process “Network”" in page.text
    assert page.text.count('class="edge edge-conflict"') == 1


# --- the register --------------------------------------------------------------------------------


def _processes(plan, carol, count, offset=0):
    for n in range(count):
        process = services.process_create(
            actor=carol, plan=plan, name=f"Process {offset + n}", rto_minutes=60 + n
        )
        RecoveryStrategy.objects.create(process=process, kind="workaround", title="Phones")


def test_the_register_lists_every_plans_processes_in_constant_queries(
    org_a, carol, alice, client, django_assert_max_num_queries
):
    from tests.bcp.factories import make_plan

    first = make_plan(org_a, carol, title="First")
    second = make_plan(org_a, carol, title="Second")
    _processes(first, carol, 2)
    client.force_login(alice)
    client.get(reverse("bcp:process-register"))  # warm the session and profile caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("bcp:process-register"))
    assert page.text.count("Process ") >= 2
    _processes(second, carol, 12, offset=2)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("bcp:process-register"))
    assert "Process 13" in page.text and "Second" in page.text
    assert len(many) == len(few)


def test_the_register_leaves_out_other_organizations(plan, org_b, charlie, carol, alice, client):
    from tests.bcp.factories import make_plan

    services.process_create(actor=carol, plan=plan, name="Payroll of A", rto_minutes=60)
    foreign = make_plan(org_b, charlie, title="B plan")
    services.process_create(actor=charlie, plan=foreign, name="Payroll of B", rto_minutes=60)
    client.force_login(alice)
    page = client.get(reverse("bcp:process-register"))
    assert "Payroll of A" in page.text and "Payroll of B" not in page.text


# --- strategies through the pages ----------------------------------------------------------------


def test_an_editor_adds_a_strategy_with_a_duration_as_people_say_it(payroll, carol, client):
    from organizations.models import AuditLog

    client.force_login(carol)
    url = reverse("bcp:strategy-create", args=[payroll.public_id])
    response = client.post(
        url,
        {
            "kind": "alternate_site",
            "title": "Work from the provincial office",
            "activation_minutes": "1 d 12 h",
            "people": "4 payroll clerks",
            "ict": "Laptops with the offline payroll",
        },
    )
    assert response.status_code == 302
    strategy = RecoveryStrategy.objects.get()
    assert strategy.activation_minutes == 2160
    assert strategy.too_slow is True  # 1 d 12 h > the RTO of 4 h
    assert AuditLog.objects.filter(action="bcp.strategy.created", actor=carol).exists()
    page = client.get(reverse("bcp:process-detail", args=[payroll.public_id]))
    assert "Slower than the RTO" in page.text and "4 payroll clerks" in page.text
    bad = client.post(url, {"kind": "workaround", "title": "X", "activation_minutes": "soon"})
    assert "Write a duration such as" in bad.text


def test_a_viewer_cannot_add_a_strategy(payroll, bob, client):
    client.force_login(bob)
    url = reverse("bcp:strategy-create", args=[payroll.public_id])
    assert client.post(url, {"kind": "workaround", "title": "X"}).status_code == 403
    assert not RecoveryStrategy.objects.exists()


def test_a_vendor_strategy_needs_a_vendor_of_the_organization(payroll, org_b, charlie, carol):
    foreign = services.vendor_create(actor=charlie, organization=org_b, name="B Co", service="x")
    with pytest.raises(ValidationError, match="registry"):
        strategies.strategy_create(
            actor=carol, process=payroll, kind="vendor", title="B", vendor=foreign
        )
