"""Escalation to alternates and breach alerts, with a controlled clock; idempotent beat tasks."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail

from incidents import services, tasks
from incidents.models import CallTreeEntry, LogEntry, Notification

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def _rows(incident):
    return {r.name: r for r in incident.call_tree_entries.all()}


def test_nobody_is_escalated_before_the_response_time(incident, now):
    assert services.escalate_due(now=now + 59 * MIN) == 0
    assert _rows(incident)["Aisah Usman"].status == "notified"


def test_no_acknowledgment_within_the_response_time_calls_the_alternate(
    incident, now, django_capture_on_commit_callbacks
):
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_due(now=now + 60 * MIN) == 2  # Aisah and Bai
    rows = _rows(incident)
    assert rows["Aisah Usman"].status == CallTreeEntry.Status.ESCALATED
    assert rows["Aisah Usman"].escalated_at == now + 60 * MIN
    assert rows["Omar Sema"].status == "notified"
    assert rows["Omar Sema"].notified_at == now + 60 * MIN
    assert rows["Bai Guiamel"].status == CallTreeEntry.Status.ESCALATED
    assert [m.to for m in mail.outbox[sent_before:]] == [["omar@example.gov.ph"]]
    texts = list(
        LogEntry.objects.filter(incident=incident, kind="escalation").values_list("text", flat=True)
    )
    assert any("Calling the alternate, Omar Sema" in t for t in texts)
    assert any("No alternate on the call tree: reach Bai Guiamel" in t for t in texts)


def test_running_the_beat_task_twice_sends_nothing_twice(
    incident, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.escalate_due(now=now + 61 * MIN)
        second = services.escalate_due(now=now + 61 * MIN)
        third = services.escalate_due(now=now + 62 * MIN)
    assert (first, second, third) == (2, 0, 0)
    assert Notification.objects.filter(recipient="omar@example.gov.ph").count() == 1
    assert sum(1 for m in mail.outbox if m.to == ["omar@example.gov.ph"]) == 1
    # The alternate has its own response time: escalated in turn, with nobody left to call.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_due(now=now + 121 * MIN) == 1
        assert services.escalate_due(now=now + 121 * MIN) == 0
    assert _rows(incident)["Omar Sema"].status == CallTreeEntry.Status.ESCALATED


def test_acknowledged_contacts_are_never_escalated(incident, now, carol):
    services.call_update(
        actor=carol, entry=_rows(incident)["Aisah Usman"], status="acknowledged", now=now + MIN
    )
    services.escalate_due(now=now + 120 * MIN)
    rows = _rows(incident)
    assert rows["Aisah Usman"].status == "acknowledged"
    assert rows["Omar Sema"].status == "pending"


def test_unreachable_calls_the_alternate_at_once(incident, now, carol):
    services.call_update(
        actor=carol,
        entry=_rows(incident)["Aisah Usman"],
        status="unreachable",
        note="Phone off",
        now=now + 5 * MIN,
    )
    rows = _rows(incident)
    assert rows["Aisah Usman"].status == "unreachable"
    assert rows["Omar Sema"].status == "notified"
    assert rows["Omar Sema"].notified_at == now + 5 * MIN


def test_a_severity_change_is_logged_and_shortens_the_response_time(incident, now, carol):
    services.severity_change(
        actor=carol, incident=incident, severity="critical", reason="Second floor flooded", now=now
    )
    incident.refresh_from_db()
    assert incident.response_minutes == 30
    entry = LogEntry.objects.get(incident=incident, kind="severity")
    assert "Major → Critical: Second floor flooded" in entry.text
    assert services.escalate_due(now=now + 31 * MIN) == 2


def test_a_severity_change_needs_a_reason(incident, carol, now):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="why"):
        services.severity_change(actor=carol, incident=incident, severity="critical", reason=" ")


def test_processes_past_rto_and_mtpd_alert_the_admins_once_each(
    incident, now, django_capture_on_commit_callbacks
):
    # Started 30 min before `now`. Payroll: RTO 1 h, MTPD 4 h. Vouchers: RTO 2 h, MTPD 8 h.
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.breaches_check(now=now + 29 * MIN) == 0
        assert services.breaches_check(now=now + 31 * MIN) == 1  # Payroll past RTO
        assert services.breaches_check(now=now + 31 * MIN) == 0
        assert services.breaches_check(now=now + 211 * MIN) == 2  # Payroll MTPD, Vouchers RTO
        assert services.breaches_check(now=now + 212 * MIN) == 0
    alerts = list(mail.outbox[before:])
    assert [m.to for m in alerts] == [["alice@test.bmms"]] * 3  # the org admin
    # Through the notification service: a title and the board's link.
    assert alerts[0].subject == "[BMMS] Recovery time passed"
    assert "Payroll past its RTO" in alerts[0].body
    assert f"/incidents/{incident.public_id}/" in alerts[0].body
    assert any("Payroll past its MTPD" in m.body for m in alerts)


def test_the_beat_schedule_runs_the_incident_tasks_every_minute():
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (
        tasks.escalate_unacknowledged,
        tasks.check_recovery_breaches,
        tasks.retry_notifications,
    ):
        assert schedule[task.name] == 60


def test_the_beat_tasks_run_against_the_server_clock(incident, now):
    # The incident was declared two hours ago (fixture clock): the tasks, on the real clock,
    # find everything overdue; the second run of each finds nothing.
    assert tasks.escalate_unacknowledged.delay().get() == 2
    assert tasks.escalate_unacknowledged.delay().get() == 0
    assert tasks.check_recovery_breaches.delay().get() >= 1
    assert tasks.check_recovery_breaches.delay().get() == 0


def test_breach_alerts_reach_only_admins_who_can_open_the_incident(
    incident, now, org_a, org_b, alice, django_capture_on_commit_callbacks
):
    from core.tenancy import Role
    from notifications.models import Category, Delivery, Preference
    from tests.factories import MembershipFactory, UserFactory
    from tests.notifications.conftest import told

    def admin(email, organization, **extra):
        user = UserFactory(email=email, **extra)
        MembershipFactory(user=user, organization=organization, role=Role.ORG_ADMIN)
        return user

    quiet = admin("quiet@test.bmms", org_a)  # wants incidents in the portal only
    Preference.objects.create(user=quiet, category=Category.INCIDENTS, delivery=Delivery.IN_APP)
    admin("gone@test.bmms", org_a, is_active=False)
    admin("other@test.bmms", org_b)
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.breaches_check(now=now + 31 * MIN) == 1
    assert told("incident.recovery_breach") == ["alice@test.bmms", "quiet@test.bmms"]
    assert [m.to for m in mail.outbox[before:]] == [["alice@test.bmms"]]


def test_no_breach_alert_where_the_continuity_module_is_off(
    incident, now, org_a, alice, django_capture_on_commit_callbacks
):
    # Switched off for MOH after the incident was declared: its admins cannot open the
    # incident (404), so nobody is told about it either.
    from waffle.models import Flag

    from organizations.models import ModuleFlagScope
    from tests.notifications.conftest import told

    scope, _ = ModuleFlagScope.objects.get_or_create(flag=Flag.objects.get(name="module.bcp"))
    scope.excluded_organizations.add(org_a)
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.breaches_check(now=now + 31 * MIN) == 1
    assert told("incident.recovery_breach") == []
    assert mail.outbox[before:] == []
