"""OCM business continuity figures (issue 18 items 3 and 5) against independent SQL, over
tricky data: inactive users, a department without members, outside acknowledgers, a missed
recovery time, an overdue corrective action, a department without a plan, an exempt one."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bcp import cycle, services
from bcp.models import Acknowledgment, ContinuityPolicy, Plan
from ocm.aggregation import bcp_section
from organizations.models import Role
from tests.bcp.cycle_helpers import held_exercise
from tests.bcp.factories import approve_plan, make_plan
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate

UNACKNOWLEDGED_SQL = """
SELECT p.organization_id, COUNT(*)
FROM bcp_plan p
WHERE p.status <> 'archived' AND p.current_version_id IS NOT NULL AND EXISTS (
  SELECT 1 FROM organizations_membership m JOIN organizations_user u ON u.id = m.user_id
  WHERE m.organization_id = p.organization_id AND u.is_active
    AND (p.department_id IS NULL OR m.department_id = p.department_id)
    AND NOT EXISTS (SELECT 1 FROM bcp_acknowledgment a
                    WHERE a.version_id = p.current_version_id AND a.user_id = m.user_id))
GROUP BY p.organization_id
"""

# A plan passes when approved, in date, with processes all having RTO <= MTPD, a contact, a
# conducted exercise in the last 365 days, no missed RTO in its last conducted exercise and no
# overdue open corrective action. An organization is ready when every department not exempt
# has a passing plan (or, without departments, when it has a passing plan).
READY_SQL = """
WITH passing AS (
  SELECT p.id, p.organization_id, p.department_id FROM bcp_plan p
  WHERE p.status = 'approved' AND p.current_version_id IS NOT NULL
    AND p.next_review_date >= %(today)s
    AND EXISTS (SELECT 1 FROM bcp_criticalprocess c WHERE c.plan_id = p.id)
    AND NOT EXISTS (SELECT 1 FROM bcp_criticalprocess c WHERE c.plan_id = p.id
                    AND (c.rto_minutes IS NULL OR c.mtpd_minutes IS NULL
                         OR c.rto_minutes > c.mtpd_minutes))
    AND EXISTS (SELECT 1 FROM bcp_contact k WHERE k.plan_id = p.id)
    AND EXISTS (SELECT 1 FROM bcp_exercise e WHERE e.plan_id = p.id
                AND e.status = 'conducted' AND e.held_on >= %(year_ago)s)
    AND NOT EXISTS (
      SELECT 1 FROM bcp_exerciseresult r WHERE r.exercise_id = (
        SELECT e.id FROM bcp_exercise e WHERE e.plan_id = p.id AND e.status = 'conducted'
        ORDER BY e.held_on DESC, e.id DESC LIMIT 1)
      AND r.achieved_rto_minutes > r.target_rto_minutes)
    AND NOT EXISTS (SELECT 1 FROM bcp_correctiveaction a JOIN bcp_exercise e
                    ON e.id = a.exercise_id WHERE e.plan_id = p.id
                    AND a.status <> 'done' AND a.due_date < %(today)s)
), required AS (
  SELECT d.id, d.organization_id FROM organizations_department d
  WHERE NOT EXISTS (SELECT 1 FROM bcp_continuitypolicy_exempt_departments x
                    JOIN bcp_continuitypolicy cp ON cp.id = x.continuitypolicy_id
                    WHERE x.department_id = d.id AND cp.organization_id = d.organization_id)
)
SELECT o.id FROM organizations_organization o
WHERE EXISTS (SELECT 1 FROM bcp_plan p WHERE p.organization_id = o.id AND p.status <> 'archived')
  AND CASE WHEN EXISTS (SELECT 1 FROM required r WHERE r.organization_id = o.id)
      THEN NOT EXISTS (SELECT 1 FROM required r WHERE r.organization_id = o.id
                       AND NOT EXISTS (SELECT 1 FROM passing s WHERE s.department_id = r.id))
      ELSE EXISTS (SELECT 1 FROM passing s WHERE s.organization_id = o.id) END
"""


def _sql(query: str) -> list[tuple]:
    today = TODAY()
    with connection.cursor() as cursor:
        cursor.execute(query, {"today": today, "year_ago": today - datetime.timedelta(days=365)})
        return cursor.fetchall()


def _ready_plan(org, editor, reviewers, department, title, *, miss=False):
    plan = make_plan(org, editor, title=title, department=department)
    process = services.process_create(
        actor=editor, plan=plan, name="Payroll", rto_minutes=60, mtpd_minutes=240
    )
    services.contact_create(actor=editor, plan=plan, name="Omar", role="Lead", phone="1")
    held_exercise(plan, editor, results={process: 90 if miss else 50})
    return approve_plan(plan, editor, reviewers)


@pytest.fixture
def tricky(org_a, org_b, alice, bob, carol, dave, charlie, olga, dept_a):
    """Org A: Finance (ready plan; an inactive member; an OCM user and a member of another
    department acknowledged), Empty (no members; plan ready), Legal (missed RTO), Ops (no plan,
    exempt by policy). Org B: Finance ready, HR without a plan."""
    finance = _ready_plan(org_a, carol, [alice, dave], dept_a, "Finance plan")
    empty_dept = DepartmentFactory(organization=org_a, name="Empty")
    empty = _ready_plan(org_a, carol, [alice, dave], empty_dept, "Empty dept plan")
    legal_dept = DepartmentFactory(organization=org_a, name="Legal")
    legal = _ready_plan(org_a, carol, [alice, dave], legal_dept, "Legal plan", miss=True)
    ops = DepartmentFactory(organization=org_a, name="Ops")
    policy = ContinuityPolicy.objects.create(organization=org_a)
    policy.exempt_departments.add(ops)
    inactive = UserFactory(email="gone@test.bmms", is_active=False)
    MembershipFactory(user=inactive, organization=org_a, role=Role.VIEWER, department=dept_a)
    outsider = UserFactory(email="legal.member@test.bmms")
    MembershipFactory(user=outsider, organization=org_a, role=Role.VIEWER, department=legal_dept)
    # Outside acknowledgers of the Finance plan: an OCM analyst and a Legal member.
    for user in (olga, outsider, alice, bob, carol):
        Acknowledgment.objects.create(version=finance.current_version, user=user)
    # Org B.
    approver_b = UserFactory(email="approver.b@test.bmms")
    dept_b = charlie.memberships.get().department
    MembershipFactory(user=approver_b, organization=org_b, role=Role.APPROVER, department=dept_b)
    _ready_plan(org_b, charlie, [approver_b], dept_b, "MOLE Finance plan")
    DepartmentFactory(organization=org_b, name="HR")
    return {"finance": finance, "empty": empty, "legal": legal}


def test_audience_excludes_inactive_outsiders_and_never_falls_back(tricky, dave, alice):
    finance, empty = tricky["finance"], tricky["empty"]
    # Finance: alice, bob, carol, dave active (the inactive member is not asked); dave missing.
    assert [u.email for u in cycle.unacknowledged(finance)] == [dave.email]
    assert cycle.plan_audience(finance).count() == 4
    # A department without members asks nobody (never the whole organization).
    assert cycle.plan_audience(empty).count() == 0
    annotated = {p.pk: p for p in cycle.attach_audience(list(Plan.objects.all()))}
    for plan in Plan.objects.all():
        row = annotated[plan.pk]
        assert row.audience_size == cycle.plan_audience(plan).count(), plan
        if plan.current_version_id:
            missing = cycle.unacknowledged(plan).count()
            assert row.audience_size - row.audience_acknowledged == missing, plan


def test_ocm_figure_equals_plan_page_list(tricky, org_a, carol, dave, login):
    finance = tricky["finance"]
    page = login(carol).get(reverse("bcp:plan-detail", args=[finance.public_id]))
    listed = page.content.decode().split('id="unacknowledged"')[1].split("</ul>")[0]
    assert str(dave) in listed and listed.count("<li>") == 1
    per_org, _ = bcp_section([org_a])
    # Finance (dave missing) and Legal (nobody acknowledged) count; Empty has no audience.
    assert per_org[org_a.pk]["unacknowledged"] == 2
    Acknowledgment.objects.create(version=finance.current_version, user=dave)
    per_org, _ = bcp_section([org_a])
    assert per_org[org_a.pk]["unacknowledged"] == 1


def test_ocm_figures_equal_independent_sql(tricky, org_a, org_b):
    organizations = [org_a, org_b]
    per_org, totals = bcp_section(organizations)
    unacknowledged = dict(_sql(UNACKNOWLEDGED_SQL))
    for org in organizations:
        assert per_org[org.pk]["unacknowledged"] == unacknowledged.get(org.pk, 0), org
    ready = {row[0] for row in _sql(READY_SQL)} & {o.pk for o in organizations}
    assert {o.pk for o in organizations if per_org[o.pk]["ready"]} == ready
    # Legal missed an RTO: org A not ready; org B: HR has no plan.
    assert ready == set()
    assert per_org[org_a.pk]["departments_required"] == 3  # Finance, Empty, Legal (Ops exempt)
    assert per_org[org_a.pk]["departments_ready"] == 2


def test_org_becomes_ready_when_every_department_passes(tricky, org_a, org_b, carol):
    legal = tricky["legal"]
    process = legal.critical_processes.get()
    # A new exercise meeting the target becomes the last one: the miss no longer counts.
    held_exercise(legal, carol, days_ago=1, results={process: 45})
    per_org, totals = bcp_section([org_a, org_b])
    ready = {row[0] for row in _sql(READY_SQL)} & {org_a.pk, org_b.pk}
    assert per_org[org_a.pk]["ready"] is True
    assert ready == {org_a.pk}
    assert totals["ready"] == 1
    # An overdue corrective action makes it not ready again, in both computations.
    exercise = legal.exercises.filter(status="conducted").order_by("-held_on").first()
    services.action_create(
        actor=carol,
        exercise=exercise,
        description="Document the workaround",
        owner=carol,
        due_date=TODAY() - datetime.timedelta(days=1),
    )
    per_org, _ = bcp_section([org_a, org_b])
    assert per_org[org_a.pk]["ready"] is False
    assert org_a.pk not in {row[0] for row in _sql(READY_SQL)}


def test_dashboard_writes_the_definition(olga, login, tricky):
    from ocm import services as ocm_services

    ocm_services.refresh()
    page = login(olga).get(reverse("ocm:dashboard"))
    assert page.status_code == 200
    assert "every department that must have a plan" in page.content.decode()
