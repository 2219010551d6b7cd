"""Declaring an incident: activation snapshot, recovery board, call tree, first notifications."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from bcp import services as bcp_services
from incidents.models import Activation, CallTreeEntry, Incident, LogEntry, Notification
from incidents.sms import ConsoleSender
from tests.bcp.factories import make_plan
from tests.incidents.factories import approved_plan_with_people, declare

pytestmark = pytest.mark.django_db


def test_declaring_activates_the_approved_plan_with_a_snapshot(incident, setup, carol):
    activation = Activation.objects.get(incident=incident)
    assert activation.plan == setup.plan
    assert activation.version == setup.plan.current_version
    names = [c["name"] for c in activation.snapshot["contacts"]]
    assert names == ["Aisah Usman", "Omar Sema", "Bai Guiamel"]
    # The plan is edited afterwards: what responders follow does not move.
    bcp_services.contact_update(actor=carol, contact=setup.lead, name="Someone Else")
    activation.refresh_from_db()
    assert activation.snapshot["contacts"][0]["name"] == "Aisah Usman"
    assert incident.call_tree_entries.filter(name="Aisah Usman").exists()


def test_the_board_has_one_row_per_process_with_its_objectives(incident, now):
    items = {i.name: i for i in incident.recovery_items.all()}
    assert set(items) == {"Payroll", "Disbursement vouchers"}
    assert (items["Payroll"].rto_minutes, items["Payroll"].mtpd_minutes) == (60, 240)
    assert items["Payroll"].disrupted_since == incident.started_at
    assert incident.started_at == now - datetime.timedelta(minutes=30)
    assert [v.name for v in incident.vendor_statuses.all()] == ["Mindanao Telecom"]


def test_only_the_named_processes_are_on_the_board(setup, org_a, carol, now):
    incident = declare(carol, org_a, now=now, processes=[setup.vouchers])
    assert [i.name for i in incident.recovery_items.all()] == ["Disbursement vouchers"]


def test_the_call_tree_calls_primaries_and_keeps_alternates_on_standby(incident):
    rows = list(incident.call_tree_entries.order_by("position"))
    # Contacts who are nobody's alternate first; Omar stands by for Aisah (mutual alternates:
    # the first recorded is called).
    assert [(r.name, r.status) for r in rows] == [
        ("Bai Guiamel", "notified"),
        ("Aisah Usman", "notified"),
        ("Omar Sema", "pending"),
    ]
    assert rows[2].alternate_for == rows[1]
    assert rows[0].alternate_for is None and not rows[0].standbys.exists()
    # Aisah: e-mail and SMS; Bai: e-mail only; Omar: nothing yet.
    assert sorted(m.to[0] for m in mail.outbox) == ["aisah@example.gov.ph", "bai@example.gov.ph"]
    assert [to for to, _text in ConsoleSender.sent] == ["+639170000001"]
    assert rows[1].email_state == rows[1].sms_state == CallTreeEntry.Delivery.SENT
    assert rows[2].email_state == rows[2].sms_state == CallTreeEntry.Delivery.NONE
    assert Notification.objects.filter(incident=incident, state="sent").count() == 3


def test_the_message_carries_the_acknowledgment_link_and_the_response_time(incident):
    message = next(m for m in mail.outbox if m.to == ["aisah@example.gov.ph"])
    assert message.subject == "Major incident: Flood at the main office"
    assert "/incidents/ack/" in message.body
    assert "within 1 h" in message.body  # "major" in the plan's matrix: 1 hour
    assert incident.response_minutes == 60


def test_the_response_time_follows_the_plans_escalation_matrix(setup, org_a, carol, now):
    version = setup.plan.current_version
    assert version.content["response_and_escalation_matrix"]["critical"]["response_time"]
    incident = declare(carol, org_a, now=now, severity="critical")
    assert incident.response_minutes == 30
    assert declare(carol, org_a, now=now, severity="minor").response_minutes == 240


def test_plans_not_approved_are_not_activated(org_a, carol, now):
    make_plan(org_a, carol, title="Only a draft")
    incident = declare(carol, org_a, now=now)
    assert incident.activations.count() == 0
    assert incident.call_tree_entries.count() == 0
    assert "none (no approved plan)" in LogEntry.objects.get(incident=incident).text


def test_departments_choose_the_plans(org_a, carol, alice, dave, dept_a, now):
    finance = approved_plan_with_people(
        org_a, carol, [alice, dave], department=dept_a, title="Finance plan"
    )
    approved_plan_with_people(org_a, carol, [alice, dave], title="Whole organization plan")
    incident = declare(carol, org_a, now=now, departments=[dept_a])
    assert [a.plan for a in incident.activations.all()] == [finance.plan]


def test_a_start_in_the_future_is_refused_and_nothing_is_saved(setup, org_a, carol, now):
    with pytest.raises(ValidationError) as exc:
        declare(carol, org_a, now=now, started_minutes_ago=-10)
    assert "cannot be in the future" in str(exc.value)
    assert Incident.objects.count() == 0


def test_viewers_and_other_organizations_cannot_declare(setup, org_a, bob, charlie, now):
    with pytest.raises(PermissionDenied):
        declare(bob, org_a, now=now)
    with pytest.raises(PermissionDenied):
        declare(charlie, org_a, now=now)


def test_the_commander_must_be_a_member(setup, org_a, carol, charlie, now):
    from incidents import services

    with pytest.raises(ValidationError, match="commander"):
        services.incident_declare(
            actor=carol,
            organization=org_a,
            title="Fire",
            kind="fire",
            severity="major",
            started_at=now,
            location="Annex",
            commander=charlie,
            now=now,
        )
