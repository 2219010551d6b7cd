"""Stand-down, after-action review, plan draft, exercises run as simulated incidents, report."""

from __future__ import annotations

import datetime
import hashlib
import io

import docx
import pdfplumber
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bcp.models import Exercise, ExerciseResult, PlanVersion
from incidents import report, selectors, services
from incidents.models import Incident, Notification
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def _recover_all(incident, actor, at):
    for item in incident.recovery_items.all():
        services.item_update(actor=actor, item=item, status="recovered", recovered_at=at, now=at)


def test_standing_down_needs_a_summary(incident, carol, now):
    with pytest.raises(ValidationError, match="summary"):
        services.incident_close(actor=carol, incident=incident, summary=" ", now=now)
    incident.refresh_from_db()
    assert incident.is_open


def test_processes_still_disrupted_need_a_reason(incident, carol, now):
    with pytest.raises(ValidationError, match="Still not recovered: Payroll, Disbursement"):
        services.incident_close(actor=carol, incident=incident, summary="Done.", now=now)
    services.incident_close(
        actor=carol,
        incident=incident,
        summary="Done.",
        open_processes_reason="Manual vouchers are the new normal this week.",
        now=now,
    )
    incident.refresh_from_db()
    assert (incident.status, incident.closed_at, incident.closed_by) == ("closed", now, carol)


def test_a_stood_down_incident_takes_no_more_updates(incident, carol, now):
    _recover_all(incident, carol, now)
    services.incident_close(actor=carol, incident=incident, summary="Over.", now=now)
    with pytest.raises(ValidationError, match="stood down"):
        services.log_add(actor=carol, incident=incident, kind="message", text="Late")
    with pytest.raises(ValidationError, match="stood down"):
        services.call_update(
            actor=carol, entry=incident.call_tree_entries.first(), status="acknowledged"
        )
    assert services.escalate_due(now=now + 600 * MIN) == 0
    assert services.breaches_check(now=now + 6000 * MIN) == 0


def test_pending_messages_are_not_sent_after_the_stand_down(setup, org_a, carol, now):
    incident = declare(carol, org_a, now=now)  # messages not yet delivered (no commit)
    _recover_all(incident, carol, now)
    services.incident_close(actor=carol, incident=incident, summary="False alarm.", now=now)
    pending = Notification.objects.filter(incident=incident)
    assert set(pending.values_list("state", flat=True)) == {"gave_up"}
    services.notification_deliver(pending.first().pk, now=now)
    assert mail.outbox == []


def test_review_actions_and_a_plan_draft_that_cites_the_incident(incident, carol, alice, now):
    with pytest.raises(ValidationError, match="Stand the incident down"):
        services.review_save(actor=carol, incident=incident, what_worked="a", what_failed="b")
    _recover_all(incident, carol, now)
    services.incident_close(actor=carol, incident=incident, summary="Over.", now=now)
    review = services.review_save(
        actor=carol,
        incident=incident,
        what_worked="The call tree reached everyone in 20 minutes.",
        what_failed="The generator had no fuel.",
    )
    action = services.action_add(
        actor=carol,
        review=review,
        description="Renew the fuel contract",
        owner=alice,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    assert not action.is_overdue
    action = services.action_update(actor=carol, action=action, status="done", now=now)
    assert action.done_at == now
    action = services.action_update(actor=carol, action=action, status="in_progress", now=now)
    assert action.done_at is None
    plan = incident.activations.get().plan
    version = services.plan_draft_from_review(actor=carol, incident=incident, plan=plan)
    assert version.status == PlanVersion.Status.DRAFT
    assert str(incident.public_id) in version.change_note
    assert "The generator had no fuel." in version.change_note
    assert "Renew the fuel contract" in version.change_note
    assert list(review.plan_drafts.all()) == [version]
    with pytest.raises(ValidationError, match="still draft"):
        services.plan_draft_from_review(actor=carol, incident=incident, plan=plan)


def test_viewers_cannot_review(incident, carol, bob, now):
    _recover_all(incident, carol, now)
    services.incident_close(actor=carol, incident=incident, summary="Over.", now=now)
    with pytest.raises(PermissionDenied):
        services.review_save(actor=bob, incident=incident, what_worked="a", what_failed="b")


def test_an_exercise_is_flagged_and_feeds_the_exercise_record(
    setup, org_a, carol, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        exercise = declare(carol, org_a, now=now, is_exercise=True, title="Typhoon drill")
    assert exercise.is_exercise and str(exercise) == "[Exercise] Typhoon drill"
    assert all(m.subject.startswith("[EXERCISE] ") for m in mail.outbox)
    assert all(b.startswith("[EXERCISE] ") for b in (m.body for m in mail.outbox))
    # Never counted as a real incident on the OCM board.
    board = selectors.ocm_board(now)
    assert board["real"] == [] and [r.incident for r in board["exercises"]] == [exercise]
    payroll = exercise.recovery_items.get(name="Payroll")
    services.item_update(
        actor=carol,
        item=payroll,
        status="recovered",
        recovered_at=now + 40 * MIN,
        now=now + 45 * MIN,
    )
    services.incident_close(
        actor=carol,
        incident=exercise,
        summary="Call tree worked; vouchers not drilled.",
        open_processes_reason="Vouchers were out of scope of the drill.",
        now=now + 50 * MIN,
    )
    record = Exercise.objects.get(plan=setup.plan, scenario__contains="Typhoon drill")
    assert record.kind == "functional"
    assert record.findings == "Call tree worked; vouchers not drilled."
    result = ExerciseResult.objects.get(exercise=record)
    assert (result.process, result.target_rto_minutes, result.achieved_rto_minutes) == (
        setup.payroll,
        60,
        70,
    )
    assert exercise.activations.get().exercise == record


def test_real_incidents_feed_no_exercise_record(incident, carol, setup, now):
    _recover_all(incident, carol, now)
    before = Exercise.objects.filter(plan=setup.plan).count()
    services.incident_close(actor=carol, incident=incident, summary="Over.", now=now)
    assert Exercise.objects.filter(plan=setup.plan).count() == before


def _closed_with_review(incident, carol, alice, now):
    _recover_all(incident, carol, now)
    services.incident_close(actor=carol, incident=incident, summary="Water receded.", now=now)
    review = services.review_save(
        actor=carol, incident=incident, what_worked="Call tree.", what_failed="Generator fuel."
    )
    services.action_add(
        actor=carol,
        review=review,
        description="Renew the fuel contract",
        owner=alice,
        due_date=datetime.date(2030, 1, 31),
    )
    return Incident.objects.get(pk=incident.pk)


def test_the_report_pdf_is_deterministic_and_reads_back(incident, carol, alice, now):
    incident = _closed_with_review(incident, carol, alice, now)
    first, second = report.render(incident, "pdf"), report.render(incident, "pdf")
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    with pdfplumber.open(io.BytesIO(first)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    for expected in (
        "Incident report",
        "Flood at the main office",
        "Payroll",
        "RTO met",
        "Aisah Usman",
        "Generator fuel.",
        "Renew the fuel contract",
        "Water receded.",
    ):
        assert expected in text


def test_the_report_docx_reopens_and_flags_exercises(setup, org_a, carol, alice, now):
    exercise = declare(carol, org_a, now=now, is_exercise=True, title="Typhoon drill")
    exercise = _closed_with_review(exercise, carol, alice, now)
    data = report.render(exercise, "docx")
    assert data == report.render(exercise, "docx")
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0].startswith("EXERCISE — simulated incident")
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Payroll" in cells and "Renew the fuel contract" in cells
    assert report.filename(exercise, "docx").startswith("exercise-")
