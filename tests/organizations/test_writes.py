"""The write recipe (core/writes.py): lock, revision check, validate, save, audit with
the organization found from the object, and nothing saved when a step refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core import locking, writes
from organizations.models import AuditLog
from planning.models import StrategicGoal, StrategicPlan
from tests.planning.factories import (
    AnnualWorkPlanFactory,
    StrategicGoalFactory,
    StrategicPlanFactory,
    WorkPlanObjectiveFactory,
)

pytestmark = pytest.mark.django_db

GOAL_FIELDS = ["title", "current_value"]


@pytest.fixture
def plan(org_a, carol):
    return StrategicPlanFactory(organization=org_a, created_by=carol)


def test_organization_of_follows_the_tenant_path(plan, org_a):
    objective = WorkPlanObjectiveFactory(work_plan=AnnualWorkPlanFactory(plan=plan))
    assert writes.organization_of(plan).pk == org_a.pk
    assert writes.organization_of(objective).pk == org_a.pk  # work_plan__plan__organization
    assert writes.organization_of(org_a) is org_a


def test_create_validates_saves_and_audits_under_the_objects_organization(plan, carol, org_a):
    goal = StrategicGoal(
        plan=plan,
        title="Reach every barangay",
        target_metric="Reach (%)",
        baseline_value=Decimal("0"),
        target_value=Decimal("100"),
    )
    writes.create(goal, actor=carol, action="strategic_goal.created", fields=GOAL_FIELDS)
    entry = AuditLog.objects.get(action="strategic_goal.created")
    assert goal.pk is not None
    assert entry.organization_id == org_a.pk
    assert entry.subject_id == str(goal.public_id)
    assert entry.after == {"title": "Reach every barangay", "current_value": "0"}


def test_create_refuses_an_invalid_object_and_writes_nothing(plan, carol):
    goal = StrategicGoal(plan=plan, title="")
    with pytest.raises(ValidationError):
        writes.create(goal, actor=carol, action="strategic_goal.created", fields=GOAL_FIELDS)
    assert goal.pk is None
    assert not AuditLog.objects.filter(action="strategic_goal.created").exists()


def test_update_audits_only_a_change(plan, carol, org_a):
    goal = StrategicGoalFactory(plan=plan, title="Old", current_value=Decimal("1"))
    with transaction.atomic():
        locked = writes.lock(goal)
        changed = writes.update(
            locked, {"title": "New"}, actor=carol, action="goal.updated", fields=GOAL_FIELDS
        )
    assert changed is True
    entry = AuditLog.objects.get(action="goal.updated")
    assert entry.before["title"] == "Old" and entry.after["title"] == "New"
    assert entry.organization_id == org_a.pk
    goal.refresh_from_db()
    assert goal.title == "New"
    unchanged = writes.update(
        goal, {"title": "New"}, actor=carol, action="goal.updated", fields=GOAL_FIELDS
    )
    assert unchanged is False
    assert AuditLog.objects.filter(action="goal.updated").count() == 1


def test_update_bumps_the_revision_and_skips_an_unchanged_save(plan, carol):
    revision = plan.revision
    with transaction.atomic():
        locked = writes.lock(plan, revision=revision)
        writes.update(
            locked,
            {"title": plan.title},
            actor=carol,
            action="plan.updated",
            fields=["title"],
            save_unchanged=False,
            bump_revision=True,
        )
    plan.refresh_from_db()
    assert plan.revision == revision  # nothing changed: no save, no new revision
    with transaction.atomic():
        locked = writes.lock(plan, revision=revision)
        writes.update(
            locked,
            {"title": "Renamed"},
            actor=carol,
            action="plan.updated",
            fields=["title"],
            save_unchanged=False,
            bump_revision=True,
        )
    plan.refresh_from_db()
    assert (plan.title, plan.revision) == ("Renamed", revision + 1)


def test_lock_refuses_a_stale_or_missing_revision(plan):
    with pytest.raises(writes.StaleEdit, match="edited it twice"):
        writes.lock(plan, revision=plan.revision + 1, stale_message="edited it twice")
    with pytest.raises(locking.MissingRevision):
        writes.lock(plan, revision=None)
    assert writes.StaleEdit is locking.StaleEdit
    assert writes.lock(plan, revision=plan.revision).pk == plan.pk


def test_a_refusing_check_saves_nothing(plan, carol):
    def refuse(obj):
        raise ValidationError("no")

    with pytest.raises(ValidationError), transaction.atomic():
        writes.update(
            plan, {"title": "Never"}, actor=carol, action="plan.updated", fields=["title"],
            check=refuse,
        )  # fmt: skip
    assert StrategicPlan.objects.get(pk=plan.pk).title != "Never"
    assert not AuditLog.objects.filter(action="plan.updated").exists()


def test_delete_audits_the_last_state_then_deletes(plan, carol, org_a):
    goal = StrategicGoalFactory(plan=plan, title="Gone soon")
    writes.delete(goal, actor=carol, action="goal.deleted", fields=GOAL_FIELDS)
    entry = AuditLog.objects.get(action="goal.deleted")
    assert entry.before["title"] == "Gone soon"
    assert entry.organization_id == org_a.pk
    assert not StrategicGoal.objects.filter(title="Gone soon").exists()


def test_a_state_move_saves_only_its_columns_unvalidated(plan, carol):
    StrategicPlan.objects.filter(pk=plan.pk).update(title="Changed elsewhere")
    plan.title = ""  # invalid, and not one of the columns saved
    writes.update(
        plan,
        {"status": StrategicPlan.Status.ARCHIVED},
        actor=carol,
        action="plan.archived",
        fields=["status"],
        validate=False,
        save_fields=["status"],
    )
    stored = StrategicPlan.objects.get(pk=plan.pk)
    assert (stored.status, stored.title) == (StrategicPlan.Status.ARCHIVED, "Changed elsewhere")
    assert AuditLog.objects.get(action="plan.archived").after == {"status": "archived"}


def test_audit_unchanged_records_every_save(plan, carol):
    goal = StrategicGoalFactory(plan=plan, title="Same")
    writes.update(
        goal,
        {"title": "Same"},
        actor=carol,
        action="goal.saved",
        fields=GOAL_FIELDS,
        audit_unchanged=True,
    )
    entry = AuditLog.objects.get(action="goal.saved")
    assert entry.before == entry.after


def test_a_row_the_database_refuses_becomes_the_conflict_message(plan, carol):
    AnnualWorkPlanFactory(plan=plan, year=2026)
    work_plan = plan.work_plans.model(plan=plan, year=2026, title="Twice")
    with transaction.atomic():
        with pytest.raises(ValidationError, match="Someone else was faster"):
            writes.update(  # skips validation, so only the database can refuse the duplicate
                work_plan,
                {},
                actor=carol,
                action="work_plan.saved",
                fields=["year"],
                validate=False,
                audit_unchanged=True,
                conflict_message="Someone else was faster.",
            )
        # The savepoint kept the transaction usable.
        assert StrategicPlan.objects.filter(pk=plan.pk).exists()
    assert not AuditLog.objects.filter(action="work_plan.saved").exists()
