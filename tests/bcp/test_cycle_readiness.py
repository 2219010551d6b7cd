"""Readiness that means something (issue 18 item 3) and the coverage board / comparison
(item 4): each new finding, its clause and link; bulk critical items equal the plan's check;
query counts constant in the number of departments."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bcp import coverage, readiness, services
from bcp.models import Contact, Plan
from tests.bcp.cycle_helpers import held_exercise
from tests.bcp.factories import approve_plan, make_plan
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _codes(plan) -> dict[str, readiness.Finding]:
    from bcp import selectors

    plan = selectors.plan_detail(plan.owner, plan.public_id)
    return {f.code: f for f in readiness.readiness(plan)}


@pytest.fixture
def plan(org_a, carol, dept_a):
    return make_plan(org_a, carol, department=dept_a)


@pytest.fixture
def process(plan, carol):
    return services.process_create(
        actor=carol, plan=plan, name="Payroll", rto_minutes=60, mtpd_minutes=240
    )


def test_missed_recovery_time_in_last_exercise(plan, process, carol):
    exercise = held_exercise(plan, carol, results={process: 100})
    finding = _codes(plan)["missed_rto"]
    assert finding.clause == "8.5" and finding.critical
    assert "by 40 min" in finding.message  # achieved 100 − target 60
    assert finding.link == reverse("bcp:exercise-detail", args=[exercise.public_id])
    # Only the last exercise counts: a later one that met the target clears it.
    held_exercise(plan, carol, days_ago=1, results={process: 50})
    assert "missed_rto" not in _codes(plan)


def test_overdue_corrective_action(plan, process, carol, bob):
    exercise = held_exercise(plan, carol, results={process: 50})
    action = services.action_create(
        actor=carol,
        exercise=exercise,
        description="Buy a generator",
        owner=bob,
        due_date=TODAY() - datetime.timedelta(days=2),
    )
    finding = _codes(plan)["action_overdue"]
    assert finding.clause == "10.1" and finding.critical
    assert finding.link == reverse("bcp:action-edit", args=[action.public_id])
    services.action_progress(actor=carol, action=action, status="done", evidence="PO 17")
    assert "action_overdue" not in _codes(plan)


def test_stale_contact(plan, carol):
    contact = services.contact_create(actor=carol, plan=plan, name="Omar", role="Lead", phone="1")
    Contact.objects.filter(pk=contact.pk).update(
        confirmed_on=TODAY() - datetime.timedelta(days=200)
    )
    finding = _codes(plan)["contact_stale"]
    assert finding.clause == "8.6"
    assert finding.link == reverse("bcp:contact-edit", args=[contact.public_id])
    # Saving the contact confirms it.
    services.contact_update(actor=carol, contact=Contact.objects.get(pk=contact.pk), role="Lead")
    assert "contact_stale" not in _codes(plan)


def test_process_without_strategy_or_dependencies(plan, process, carol, org_a):
    findings = _codes(plan)
    assert findings["no_strategy"].clause == "8.3"
    assert findings["no_dependencies"].clause == "8.2.2"
    assert findings["no_dependencies"].link == reverse("bcp:process-edit", args=[process.public_id])
    vendor = services.vendor_create(actor=carol, organization=org_a, name="Telco", service="Net")
    services.process_update(actor=carol, process=process, vendors=[vendor])
    assert "no_dependencies" not in _codes(plan)


def test_a_recovery_strategy_clears_the_finding(plan, process, carol, alice, dave):
    """Structured strategies per process (issue 18 item 7) decide the finding; plan text naming
    the process no longer does."""
    from bcp.services.strategies import strategy_create

    approve_plan(plan, carol, [alice, dave])
    assert "no_strategy" in _codes(plan)
    strategy_create(actor=carol, process=process, kind="workaround", title="Manual cheques")
    assert "no_strategy" not in _codes(plan)


def test_review_overdue_finding_links_to_revision(plan, carol, alice, dave):
    approve_plan(plan, carol, [alice, dave])
    Plan.objects.filter(pk=plan.pk).update(next_review_date=TODAY() - datetime.timedelta(days=1))
    finding = _codes(plan)["review_overdue"]
    assert finding.clause == "8.6" and finding.critical
    assert finding.link == reverse("bcp:version-list", args=[plan.public_id])


def test_every_finding_names_a_clause(plan, process, carol):
    services.contact_create(actor=carol, plan=plan, name="Omar", role="Lead", phone="1")
    for finding in _codes(plan).values():
        assert finding.clause in readiness.CLAUSES, finding
        assert finding.link, finding


def test_readiness_page_shows_clause_and_fix(plan, process, carol, login):
    held_exercise(plan, carol, results={process: 100})
    page = login(carol).get(reverse("bcp:plan-readiness", args=[plan.public_id])).content.decode()
    assert "ISO 22301 8.5" in page and "Exercise programme" in page
    assert "(critical)" in page
    assert ">Fix</a>" in page


def test_only_those_who_may_change_the_plan_are_offered_fix_links(plan, process, bob, olga, login):
    """A viewer and an OCM analyst read the findings; the "Fix" links lead to edit pages that
    would refuse them, so they are not offered."""
    url = reverse("bcp:plan-readiness", args=[plan.public_id])
    for reader in (bob, olga):
        page = login(reader).get(url).content.decode()
        assert "ISO 22301" in page and ">Fix</a>" not in page


def test_bulk_critical_items_equal_the_plan_check(org_a, carol, alice, dave, bob):
    """Plans with each critical problem: attach_critical agrees with the full check."""
    plans = []
    for n, problem in enumerate(
        ["none", "miss", "overdue_action", "no_contact", "no_exercise", "old_exercise", "draft"]
    ):
        p = make_plan(org_a, carol, title=f"Plan {n}")
        proc = services.process_create(
            actor=carol, plan=p, name="Payroll", rto_minutes=60, mtpd_minutes=240
        )
        if problem != "no_contact":
            services.contact_create(actor=carol, plan=p, name="Omar", role="Lead", phone="1")
        if problem not in ("no_exercise",):
            ex = held_exercise(
                p,
                carol,
                days_ago=400 if problem == "old_exercise" else 5,
                results={proc: 90 if problem == "miss" else 30},
            )
            if problem == "overdue_action":
                services.action_create(
                    actor=carol,
                    exercise=ex,
                    description="x",
                    owner=bob,
                    due_date=TODAY() - datetime.timedelta(days=1),
                )
        if problem != "draft":
            p = approve_plan(p, carol, [alice, dave])
        plans.append(p)
    annotated = {p.pk: p for p in readiness.attach_critical(list(Plan.objects.all()))}
    seen = set()
    for p in plans:
        expected = {code for code, f in _codes(p).items() if f.critical}
        assert readiness.critical_codes(annotated[p.pk]) == expected, p.title
        seen |= expected
    assert {"missed_rto", "action_overdue", "no_contacts", "no_exercise"} <= seen
    assert "no_approved_version" in seen


# --- coverage board and comparison --------------------------------------------------------------


def _departments(org, carol, alice, dave, n: int, start: int = 0):
    for i in range(start, start + n):
        dept = DepartmentFactory(organization=org, name=f"Dept {i:02}")
        plan = make_plan(org, carol, title=f"Plan {i:02}", department=dept)
        proc = services.process_create(
            actor=carol, plan=plan, name="Payroll", rto_minutes=60, mtpd_minutes=240
        )
        services.risk_create(actor=carol, plan=plan, threat="Flood", likelihood=4, impact=5)
        if i % 2 == 0:
            held_exercise(plan, carol, results={proc: 90})
            approve_plan(plan, carol, [alice, dave])


def test_coverage_board_queries_constant(
    org_a, carol, alice, dave, login, django_assert_max_num_queries
):
    client = login(alice)
    _departments(org_a, carol, alice, dave, 2)
    DepartmentFactory(organization=org_a, name="Without plan")
    client.get(reverse("bcp:coverage"))  # warm-up: the session's first queries
    with django_assert_max_num_queries(12) as small:
        response = client.get(reverse("bcp:coverage"))
    assert response.status_code == 200
    _departments(org_a, carol, alice, dave, 6, start=2)
    client.get(reverse("bcp:coverage"))  # the same warm-up after the writes
    with django_assert_max_num_queries(12) as large:
        response = client.get(reverse("bcp:coverage"))
    assert len(large.captured_queries) == len(small.captured_queries)
    text = response.content.decode()
    assert "Without plan" in text and "No plan" in text
    assert "Plan 07" in text and "Missed RTO" in text


def test_coverage_board_counts(org_a, carol, alice, dave):
    _departments(org_a, carol, alice, dave, 3)
    board = coverage.coverage_board(org_a)
    # Finance (the personas' department) has no plan; Dept 00/02 approved but missed an RTO.
    assert board["required"] == 4
    assert board["with_plan"] == 3
    assert board["ready"] == 0
    assert [d.name for d in board["without_plan"]] == ["Finance"]


def test_compare_queries_constant(org_a, carol, alice, dave, login, django_assert_max_num_queries):
    from organizations.models import Department

    client = login(alice)
    _departments(org_a, carol, alice, dave, 6)
    ids = [str(d.public_id) for d in Department.objects.filter(name__startswith="Dept")]
    client.get(reverse("bcp:compare"))  # warm-up: the session's first queries
    with django_assert_max_num_queries(14) as two:
        response = client.get(reverse("bcp:compare"), {"department": ids[:2]})
    assert response.status_code == 200
    client.get(reverse("bcp:compare"), {"department": ids})
    with django_assert_max_num_queries(14) as six:
        response = client.get(reverse("bcp:compare"), {"department": ids})
    assert len(two.captured_queries) == len(six.captured_queries)
    text = response.content.decode()
    assert "Payroll" in text and "Critical 1" in text and "filled" in text
    assert text.count('class="card"') >= 6


def test_compare_needs_two_departments_and_ignores_foreign(org_a, org_b, alice, login):
    foreign = DepartmentFactory(organization=org_b, name="Foreign dept")
    own = DepartmentFactory(organization=org_a, name="Own dept")
    response = login(alice).get(
        reverse("bcp:compare"), {"department": [str(own.public_id), str(foreign.public_id)]}
    )
    text = response.content.decode()
    assert "Choose at least two departments" in text
    assert "Foreign dept" not in text
