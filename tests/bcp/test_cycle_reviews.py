"""Review cycles (issue 18 item 1): only an approval sets the next review date, by the
organization's policy; review campaigns; overdue plans flagged where they appear."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bcp import cycle, services
from bcp.forms import PlanCreateForm, PlanEditForm
from bcp.models import ContinuityPolicy, Plan, ReviewCampaign
from tests.bcp.factories import approve_plan, make_plan
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_forms_have_no_review_date():
    for form in (PlanCreateForm, PlanEditForm):
        assert "next_review_date" not in form.base_fields
        assert "review_interval_months" not in form.base_fields


def test_editing_cannot_change_the_next_review_date(org_a, carol, alice, dave, login, dept_a):
    plan = approve_plan(make_plan(org_a, carol, department=dept_a), carol, [alice, dave])
    due = plan.next_review_date
    far = (TODAY() + datetime.timedelta(days=3000)).isoformat()
    response = login(carol).post(
        reverse("bcp:plan-edit", args=[plan.public_id]),
        {
            "title": "Renamed plan",
            "department": dept_a.pk,
            "owner": carol.pk,
            "next_review_date": far,
            "review_interval_months": 36,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Renamed plan"
    assert plan.next_review_date == due
    assert plan.review_interval_months == 12


def test_the_service_refuses_a_review_date(org_a, carol, alice, dave):
    plan = approve_plan(make_plan(org_a, carol), carol, [alice, dave])
    due = plan.next_review_date
    with pytest.raises(TypeError):
        services.plan_update(
            actor=carol, plan=plan, next_review_date=TODAY() + datetime.timedelta(days=900)
        )
    plan.refresh_from_db()
    assert plan.next_review_date == due


def test_approval_sets_the_review_date_by_policy(org_a, carol, alice, dave):
    plan = approve_plan(make_plan(org_a, carol), carol, [alice, dave])
    assert plan.next_review_date == cycle.add_months(TODAY(), 12)
    assert plan.review_interval_months == 12


def test_critical_process_shortens_the_interval(org_a, carol, alice, dave):
    ContinuityPolicy.objects.create(
        organization=org_a, review_interval_months=12, critical_review_interval_months=6
    )
    plan = make_plan(org_a, carol)
    services.process_create(
        actor=carol,
        plan=plan,
        name="Payments",
        impact_rating="critical",
        rto_minutes=60,
        mtpd_minutes=120,
    )
    plan = approve_plan(plan, carol, [alice, dave])
    assert plan.next_review_date == cycle.add_months(TODAY(), 6)
    assert plan.review_interval_months == 6


def test_template_interval_applies_when_shorter(org_a, carol, alice, dave):
    plan = make_plan(org_a, carol)
    plan.template.review_interval_months = 9
    plan.template.save()
    plan = approve_plan(plan, carol, [alice, dave])
    assert plan.review_interval_months == 9
    assert cycle.add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)


def test_campaign_lists_each_plans_state(org_a, carol, alice, dave, login):
    finance, hr, _ops = (
        DepartmentFactory(organization=org_a, name=n) for n in ("Fin", "HR", "Ops")
    )
    reviewed = make_plan(org_a, carol, title="Fin plan", department=finance)
    in_review = make_plan(org_a, carol, title="HR plan", department=hr)
    services.version_submit_for_review(
        actor=carol, version=in_review.versions.get(), reviewers=[alice]
    )
    campaign = ReviewCampaign.objects.create(
        organization=org_a,
        title="All plans by 31 March",
        starts_on=TODAY(),
        due_date=TODAY() + datetime.timedelta(days=30),
        created_by=alice,
    )
    approve_plan(reviewed, carol, [dave])
    rows = {r.department.name: r for r in cycle.campaign_rows(campaign) if r.department}
    assert rows["Fin"].state == "reviewed"
    assert rows["HR"].state == "in_review"
    assert rows["Ops"].state == "no_plan"
    assert not any(r.overdue for r in rows.values())
    page = login(alice).get(reverse("bcp:campaign-detail", args=[campaign.public_id]))
    text = page.content.decode()
    assert "No plan" in text and "In review" in text and "Fin plan" in text


def test_campaign_overdue_after_due_date(org_a, carol, alice):
    dept = DepartmentFactory(organization=org_a, name="Legal")
    make_plan(org_a, carol, title="Legal plan", department=dept)
    campaign = ReviewCampaign.objects.create(
        organization=org_a,
        title="Last year's",
        starts_on=TODAY() - datetime.timedelta(days=90),
        due_date=TODAY() - datetime.timedelta(days=1),
        created_by=alice,
    )
    (row,) = [r for r in cycle.campaign_rows(campaign) if r.plan]
    assert row.overdue and row.state != "reviewed"


def test_plan_approved_before_the_campaign_is_not_reviewed(org_a, carol, alice, dave):
    dept = DepartmentFactory(organization=org_a, name="Audit")
    plan = approve_plan(make_plan(org_a, carol, department=dept), carol, [alice, dave])
    campaign = ReviewCampaign.objects.create(
        organization=org_a,
        title="Next round",
        starts_on=TODAY() + datetime.timedelta(days=1),
        due_date=TODAY() + datetime.timedelta(days=60),
        created_by=alice,
    )
    (row,) = [r for r in cycle.campaign_rows(campaign) if r.plan == plan]
    assert row.state == "not_started"


def test_campaign_create_needs_approver(alice, bob, login):
    data = {
        "title": "All departmental plans reviewed by 31 March",
        "starts_on": TODAY().isoformat(),
        "due_date": (TODAY() + datetime.timedelta(days=60)).isoformat(),
    }
    assert login(bob).post(reverse("bcp:campaign-create"), data).status_code == 403
    response = login(alice).post(reverse("bcp:campaign-create"), data)
    assert response.status_code == 302
    campaign = ReviewCampaign.objects.get()
    assert campaign.title.startswith("All departmental")
    bad = dict(data, due_date=(TODAY() - datetime.timedelta(days=1)).isoformat())
    response = login(alice).post(reverse("bcp:campaign-create"), bad)
    assert response.status_code == 200
    assert "cannot be before" in response.content.decode()


def test_foreign_campaign_404(org_a, alice, charlie, olga, login):
    campaign = ReviewCampaign.objects.create(
        organization=org_a, title="x", due_date=TODAY(), created_by=alice
    )
    url = reverse("bcp:campaign-detail", args=[campaign.public_id])
    assert login(charlie).get(url).status_code == 404
    assert login(olga).post(reverse("bcp:campaign-create"), {}).status_code == 403


def test_overdue_flag_on_list_and_detail(org_a, carol, alice, dave, login):
    plan = approve_plan(make_plan(org_a, carol), carol, [alice, dave])
    Plan.objects.filter(pk=plan.pk).update(next_review_date=TODAY() - datetime.timedelta(days=1))
    client = login(carol)
    assert "Overdue" in client.get(reverse("bcp:plan-list")).content.decode()
    assert (
        "Review overdue"
        in client.get(reverse("bcp:plan-detail", args=[plan.public_id])).content.decode()
    )
