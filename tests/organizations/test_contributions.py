"""Contributions: recorded by the services, backfilled for data that existed before them, and
read by the one segregation-of-duties helper (`core.policies`)."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from bcp import services as bcp
from budgeting import services as budgeting
from core import policies
from organizations.models import Contribution
from planning import services as planning
from tests.bcp.factories import make_plan

pytestmark = pytest.mark.django_db


def _kinds(subject) -> set[tuple[int, str]]:
    return set(
        Contribution.objects.filter(
            subject_type=subject._meta.label_lower, subject_id=subject.pk
        ).values_list("user_id", "kind")
    )


def test_saves_record_contributors_once_and_a_failed_save_records_nothing(org_a, carol, dave):
    plan = make_plan(org_a, carol)
    version = plan.versions.get()
    assert _kinds(version) == {(carol.pk, "content")}
    bcp.risk_create(actor=dave, plan=plan, threat="Flood", likelihood=2, impact=2)
    bcp.risk_create(actor=dave, plan=plan, threat="Fire", likelihood=2, impact=2)
    assert _kinds(plan) == {(carol.pk, "content"), (dave.pk, "content")}
    assert Contribution.objects.filter(subject_id=plan.pk, user=dave).count() == 1
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the point is what is left
        bcp.process_create(
            actor=dave, plan=make_plan(org_a, carol, title="Other"), name="X", rto_minutes=-1
        )
    assert not Contribution.objects.filter(user=dave).exclude(subject_id=plan.pk).exists()


def test_recording_an_exercise_is_not_a_contribution(org_a, carol, dave):
    plan = make_plan(org_a, carol)
    bcp.exercise_record(
        actor=dave, plan=plan, kind="tabletop", held_on=datetime.date(2025, 1, 10), scenario="Flood"
    )
    assert dave.pk not in policies.contributor_ids(plan.versions.get())


def test_the_backfill_records_authors_creators_and_submitters(org_a, carol, dave, alice):
    plan = make_plan(org_a, carol)
    version = plan.versions.get()
    bcp.version_submit_for_review(actor=dave, version=version, reviewers=[alice])
    strategic = planning.plan_create(
        actor=carol, organization=org_a, title="Health", start_year=2025, end_year=2028
    )
    proposal = budgeting.proposal_create(
        actor=carol, organization=org_a, fiscal_year=2027, title="FY 2027"
    )
    program = budgeting.program_create(
        actor=carol, proposal=proposal, name="Immunization", requested_amount=Decimal("5")
    )
    budgeting.line_item_create(
        actor=carol,
        program=program,
        expense_class="MOOE",
        description="Doses",
        unit_cost=Decimal("5"),
        quantity=1,
    )
    budgeting.proposal_submit(actor=dave, proposal=proposal)
    Contribution.objects.all().delete()  # as before the migration

    migration = importlib.import_module("organizations.migrations.0006_contribution")
    migration.backfill(apps, None)

    assert _kinds(version) == {(carol.pk, "content"), (dave.pk, "submitted")}
    assert _kinds(strategic) == {(carol.pk, "content")}
    assert _kinds(proposal) == {(carol.pk, "content"), (dave.pk, "submitted")}


def test_saving_a_goal_unchanged_is_no_contribution_but_changing_it_is(org_a, carol, dave):
    plan = planning.plan_create(
        actor=carol, organization=org_a, title="Health", start_year=2025, end_year=2028
    )
    goal = planning.goal_create(
        actor=carol, plan=plan, title="Coverage", target_metric="%", target_value=Decimal("80")
    )
    planning.goal_update(actor=dave, goal=goal, title="Coverage")
    assert dave.pk not in policies.contributor_ids(plan)
    planning.goal_update(actor=dave, goal=goal, title="Coverage of births")
    assert dave.pk in policies.contributor_ids(plan)
