"""Planning: progress rolls up in SQL, work-plan years are held by the database, approval needs
someone other than the author, goals are edited inline with htmx, stale saves lose nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from planning import selectors, services
from planning.models import AnnualWorkPlan, Priority, StrategicPlan

from .factories import (
    AnnualWorkPlanFactory,
    StrategicGoalFactory,
    StrategicPlanFactory,
    WorkPlanObjectiveFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org_a, carol):
    return StrategicPlanFactory(organization=org_a, created_by=carol, title="Health plan")


def test_progress_rolls_up_from_objectives_to_goals_to_the_plan(plan, carol, bob):
    with_objectives = StrategicGoalFactory(plan=plan, title="A")
    StrategicGoalFactory(  # no objectives: its own metric, 40 → 80 at 60 = 50 %
        plan=plan, title="B", baseline_value=40, target_value=80, current_value=60
    )
    work_plan = AnnualWorkPlanFactory(plan=plan, year=2026)
    WorkPlanObjectiveFactory(work_plan=work_plan, goal=with_objectives, current_value=10)  # 100
    WorkPlanObjectiveFactory(work_plan=work_plan, goal=with_objectives, current_value=5)  # 50
    WorkPlanObjectiveFactory(  # cancelled objectives do not count
        work_plan=work_plan, goal=with_objectives, current_value=0, status="cancelled"
    )
    # A metric that should fall (mortality 180 → 120, now 150) is halfway.
    StrategicGoalFactory(
        plan=plan, title="C", baseline_value=180, target_value=120, current_value=150
    )
    progress = {g.title: round(g.progress) for g in selectors.goals_of(plan)}
    assert progress == {"A": 75, "B": 50, "C": 50}
    assert round(selectors.plan_with_progress(bob, plan.public_id).progress) == round(175 / 3)


def test_goals_are_ordered_by_priority_meaning_not_alphabet(plan):
    for title, priority in [("Alpha", Priority.LOW), ("Beta", Priority.CRITICAL), ("Chi", 2)]:
        StrategicGoalFactory(plan=plan, title=title, priority=priority)
    assert [g.title for g in selectors.goals_of(plan)] == ["Beta", "Chi", "Alpha"]


def test_work_plan_years_are_held_by_the_database(plan):
    AnnualWorkPlan.objects.create(plan=plan, year=2025)
    with (
        pytest.raises(IntegrityError, match="planning_one_work_plan_per_year"),
        transaction.atomic(),
    ):
        AnnualWorkPlan.objects.create(plan=plan, year=2025)
    with pytest.raises(IntegrityError, match="outside its plan"), transaction.atomic():
        AnnualWorkPlan.objects.create(plan=plan, year=2031)


def test_plans_span_at_most_ten_years(org_a, carol):
    with pytest.raises(ValidationError, match="at most 10 years"):
        services.plan_create(
            actor=carol, organization=org_a, title="Long", start_year=2020, end_year=2030
        )


def test_the_author_cannot_approve_their_own_plan(plan, dave, carol, org_a):
    StrategicGoalFactory(plan=plan)
    own = StrategicPlanFactory(organization=org_a, created_by=dave)
    StrategicGoalFactory(plan=own)
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        services.plan_transition(actor=dave, plan=own, action="approve")
    with pytest.raises(PermissionDenied):
        services.plan_transition(actor=carol, plan=plan, action="approve")  # editor
    approved = services.plan_transition(actor=dave, plan=plan, action="approve")
    assert approved.status == StrategicPlan.Status.APPROVED
    assert approved.approved_by == dave


def test_approved_plan_goals_are_fixed_but_progress_is_tracked(plan, dave, carol):
    goal = StrategicGoalFactory(plan=plan)
    services.plan_transition(actor=dave, plan=plan, action="approve")
    with pytest.raises(ValidationError, match="Only draft plans are edited"):
        services.goal_update(actor=carol, goal=goal, title="Renamed")
    services.goal_update(actor=carol, goal=goal, current_value=Decimal("70"))
    goal.refresh_from_db()
    assert goal.current_value == Decimal("70")


def test_a_stale_plan_save_is_refused_and_the_form_keeps_the_text(plan, carol, client):
    client.force_login(carol)
    url = reverse("planning:plan-edit", args=[plan.public_id])
    stale_revision = plan.revision
    services.plan_update(actor=carol, plan=plan, revision=stale_revision, vision="Theirs")
    response = client.post(
        url,
        {
            "title": "Health plan",
            "start_year": 2025,
            "end_year": 2028,
            "vision": "Mine, typed for an hour",
            "mission": "",
            "revision": stale_revision,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this plan while you were editing it" in page
    assert "Mine, typed for an hour" in page  # nothing lost
    plan.refresh_from_db()
    assert plan.vision == "Theirs"


def test_goals_are_added_and_edited_inline_with_htmx(plan, carol, client):
    client.force_login(carol)
    headers = {"HTTP_HX_REQUEST": "true"}
    form = client.get(reverse("planning:goal-create", args=[plan.public_id]), **headers)
    assert '<form id="goal-form"' in form.content.decode()
    assert 'hx-target="#goals-section"' in form.content.decode()
    assert "<html" not in form.content.decode()
    data = {
        "title": "Immunize every child",
        "priority": 1,
        "target_metric": "Fully immunized (%)",
        "baseline_value": "60",
        "target_value": "100",
        "current_value": "80",
    }
    row = client.post(reverse("planning:goal-create", args=[plan.public_id]), data, **headers)
    html = row.content.decode()
    assert 'data-goal="Immunize every child"' in html
    assert "50%" in html  # 60 → 100 at 80
    assert 'id="goals-section"' in html and "No goals yet" not in html  # the whole section
    assert 'id="plan-tiles" hx-swap-oob="true"' in html  # and the tiles, out of band
    assert 'id="plan-progress">50%' in html and 'id="goal-count">1<' in html
    goal = plan.goals.get()
    bad = client.post(
        reverse("planning:goal-edit", args=[goal.public_id]),
        {**data, "target_value": ""},
        **headers,
    )
    assert "This field is required." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    assert bad.headers["HX-Retarget"] == "#goal-form-slot"  # errors go back into the form's slot


def test_plan_list_searches_and_filters(plan, org_a, bob, client):
    StrategicPlanFactory(
        organization=org_a, title="Old plan", status="archived", vision="Jobs for all"
    )
    client.force_login(bob)
    page = client.get(reverse("planning:plan-list"), {"q": "health"}).content.decode()
    assert "Health plan" in page and "Old plan" not in page
    page = client.get(reverse("planning:plan-list"), {"status": "archived"}).content.decode()
    assert "Old plan" in page and "Health plan" not in page
