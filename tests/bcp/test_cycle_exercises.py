"""Exercise programme (issue 18 item 2): planned ahead, edited until conducted, results with
the gap shown correctly, corrective actions tracked to closure, the organization's calendar."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bcp import services
from bcp.models import CorrectiveAction, Exercise
from organizations.models import AuditLog
from tests.bcp.cycle_helpers import held_exercise
from tests.bcp.factories import make_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def plan(org_a, carol, dept_a):
    return make_plan(org_a, carol, department=dept_a)


@pytest.fixture
def process(plan, carol):
    return services.process_create(
        actor=carol, plan=plan, name="Payroll", rto_minutes=60, mtpd_minutes=240
    )


def test_plan_ahead_then_change_until_conducted(plan, process, carol, dave, login):
    day = TODAY() + datetime.timedelta(days=30)
    client = login(carol)
    response = client.post(
        reverse("bcp:exercise-schedule", args=[plan.public_id]),
        {
            "kind": "functional",
            "held_on": day.isoformat(),
            "scenario": "Power cut for a day",
            "facilitator": dave.pk,
            "processes": [process.pk],
            "participants": "Finance team",
        },
    )
    exercise = Exercise.objects.get(plan=plan)
    assert response.status_code == 302
    assert exercise.status == "planned"
    assert exercise.facilitator == dave
    assert list(exercise.processes.all()) == [process]
    later = day + datetime.timedelta(days=7)
    client.post(
        reverse("bcp:exercise-edit", args=[exercise.public_id]),
        {
            "kind": "tabletop",
            "held_on": later.isoformat(),
            "scenario": "Power cut for two days",
            "facilitator": dave.pk,
            "processes": [process.pk],
            "participants": "Finance team",
        },
    )
    exercise.refresh_from_db()
    assert (exercise.kind, exercise.held_on) == ("tabletop", later)
    assert AuditLog.objects.filter(action="bcp.exercise.updated").count() == 1
    page = client.get(reverse("bcp:exercise-calendar")).content.decode()
    assert "Power cut for two days" in page


def test_a_planned_exercise_is_ahead_and_results_wait_for_its_day(plan, process, carol):
    with pytest.raises(ValidationError, match="ahead"):
        services.exercise_schedule(
            actor=carol,
            plan=plan,
            kind="tabletop",
            held_on=TODAY() - datetime.timedelta(days=1),
            scenario="x",
        )
    future = services.exercise_schedule(
        actor=carol,
        plan=plan,
        kind="tabletop",
        held_on=TODAY() + datetime.timedelta(days=3),
        scenario="x",
    )
    with pytest.raises(ValidationError, match="once it has taken place"):
        services.exercise_conduct(actor=carol, exercise=future, results={process: 30})
    assert not future.results.exists()


def test_conducted_exercise_is_a_record(plan, process, carol):
    exercise = held_exercise(plan, carol, results={process: 90})
    assert exercise.status == "conducted" and exercise.conducted_at is not None
    with pytest.raises(ValidationError, match="no longer change"):
        services.exercise_update(actor=carol, exercise=exercise, scenario="rewritten")
    with pytest.raises(ValidationError):
        services.exercise_cancel(actor=carol, exercise=exercise)


def test_missed_by_is_the_gap_not_the_achieved_time(plan, process, carol, login):
    exercise = held_exercise(plan, carol, results={process: 90})
    result = exercise.results.get()
    assert (result.target_rto_minutes, result.achieved_rto_minutes) == (60, 90)
    assert result.gap_minutes == 30
    page = login(carol).get(reverse("bcp:exercise-detail", args=[exercise.public_id]))
    text = page.content.decode()
    assert "Missed by 30 min" in text
    assert "Missed by 90" not in text


def test_achieved_rto_is_typed_as_people_say_it(plan, process, carol, login):
    exercise = services.exercise_schedule(
        actor=carol,
        plan=plan,
        kind="tabletop",
        held_on=TODAY(),
        scenario="Power cut",
        processes=[process],
    )
    client = login(carol)
    url = reverse("bcp:exercise-conduct", args=[exercise.public_id])
    form = client.get(url).content.decode()
    assert "Achieved RTO of “Payroll” (target 1 h)" in form
    assert "Minutes until" not in form

    refused = client.post(url, {f"achieved_{process.pk}": "soon", "findings": ""})
    assert refused.status_code == 200
    assert "is not a duration" in refused.content.decode()
    exercise.refresh_from_db()
    assert exercise.status == "planned"

    response = client.post(url, {f"achieved_{process.pk}": "1 d 2 h", "findings": "Slow."})
    assert response.status_code == 302
    result = exercise.results.get()
    assert (result.target_rto_minutes, result.achieved_rto_minutes) == (60, 26 * 60)
    page = client.get(reverse("bcp:exercise-detail", args=[exercise.public_id]))
    assert "Missed by 1 d 1 h" in page.content.decode()


def test_met_target_has_no_gap(plan, process, carol):
    result = held_exercise(plan, carol, results={process: 45}).results.get()
    assert result.met and result.gap_minutes == 0


def test_corrective_action_tracked_to_closure(plan, process, carol, bob, login):
    exercise = held_exercise(plan, carol, results={process: 90})
    client = login(carol)
    due = TODAY() + datetime.timedelta(days=14)
    client.post(
        reverse("bcp:action-create", args=[exercise.public_id]),
        {
            "description": "Second payroll operator trained",
            "process": process.pk,
            "owner": bob.pk,
            "due_date": due.isoformat(),
        },
    )
    action = CorrectiveAction.objects.get(exercise=exercise)
    assert (action.owner, action.status, action.due_date) == (bob, "open", due)
    # The owner (a viewer) moves their own action on; closing needs evidence.
    owner_client = login(bob)
    url = reverse("bcp:action-edit", args=[action.public_id])
    response = owner_client.post(url, {"status": "done", "evidence": ""})
    assert response.status_code == 200
    assert "Say what shows the action is done" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "open"
    owner_client.post(url, {"status": "done", "evidence": "Training record TR-12"})
    action.refresh_from_db()
    assert action.status == "done"
    assert action.closed_by == bob and action.done_at is not None
    assert action.evidence == "Training record TR-12"
    assert AuditLog.objects.filter(action="bcp.action.closed").count() == 1
    with pytest.raises(ValidationError, match="closed"):
        services.action_progress(actor=carol, action=action, status="in_progress")


def test_only_owner_or_editor_moves_an_action(plan, process, carol, alice, bob, org_a, login):
    from tests.factories import MembershipFactory, UserFactory

    exercise = held_exercise(plan, carol, results={process: 90})
    action = services.action_create(
        actor=carol, exercise=exercise, description="Fix", owner=alice, due_date=TODAY()
    )
    # bob is a viewer and not the owner
    with pytest.raises(PermissionDenied):
        services.action_progress(actor=bob, action=action, status="in_progress")
    assert login(bob).get(reverse("bcp:action-edit", args=[action.public_id])).status_code == 403
    other = UserFactory(email="other@test.bmms")
    MembershipFactory(user=other, organization=org_a, role="viewer")
    assert (
        login(other)
        .post(reverse("bcp:action-edit", args=[action.public_id]), {"status": "in_progress"})
        .status_code
        == 403
    )


def test_actions_come_from_a_conducted_exercise(plan, carol, bob):
    planned = services.exercise_schedule(
        actor=carol, plan=plan, kind="tabletop", held_on=TODAY(), scenario="x"
    )
    with pytest.raises(ValidationError, match="took place"):
        services.action_create(
            actor=carol, exercise=planned, description="x", owner=bob, due_date=TODAY()
        )


def test_overdue_action_flagged_on_exercise_page(plan, process, carol, bob, login):
    exercise = held_exercise(plan, carol, results={process: 90})
    services.action_create(
        actor=carol,
        exercise=exercise,
        description="Update call tree",
        owner=bob,
        due_date=TODAY() - datetime.timedelta(days=1),
    )
    page = login(carol).get(reverse("bcp:exercise-detail", args=[exercise.public_id]))
    assert "Overdue" in page.content.decode()


def test_calendar_lists_plans_due_an_exercise(plan, carol, login):
    page = login(carol).get(reverse("bcp:exercise-calendar")).content.decode()
    assert "Plans due an exercise" in page and plan.title in page
    services.exercise_schedule(
        actor=carol,
        plan=plan,
        kind="tabletop",
        held_on=TODAY() + datetime.timedelta(days=5),
        scenario="Typhoon",
    )
    page = login(carol).get(reverse("bcp:exercise-calendar")).content.decode()
    assert "Plans due an exercise" not in page
    assert "Typhoon" in page


def test_cancel_needs_confirmation(plan, carol, login):
    exercise = services.exercise_schedule(
        actor=carol, plan=plan, kind="tabletop", held_on=TODAY(), scenario="x"
    )
    client = login(carol)
    url = reverse("bcp:exercise-cancel", args=[exercise.public_id])
    assert "Yes, cancel" in client.get(url).content.decode()
    exercise.refresh_from_db()
    assert exercise.status == "planned"
    client.post(url)
    exercise.refresh_from_db()
    assert exercise.status == "cancelled"


def test_foreign_exercise_404_and_ocm_write_403(plan, carol, charlie, olga, login):
    exercise = services.exercise_schedule(
        actor=carol, plan=plan, kind="tabletop", held_on=TODAY(), scenario="x"
    )
    for name in ("bcp:exercise-edit", "bcp:exercise-conduct", "bcp:action-create"):
        url = reverse(name, args=[exercise.public_id])
        assert login(charlie).get(url).status_code == 404
        assert login(olga).post(url, {}).status_code == 403
