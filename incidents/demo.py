"""Demo incidents (idempotent), built through the services with past clocks so the log, the
call tree and the recovery times tell a believable story:

* MOH: a closed flood incident affecting IT, with an escalation to an alternate, processes
  recovered (one past its RTO), the stand-down summary, the after-action review and two
  corrective actions;
* MOH: a functional exercise run as a simulated incident for Finance, ended, which fed the
  Finance plan's exercise record.

Messages are marked delivered (demo addresses do not exist); nothing is sent.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from bcp.models import Plan
from organizations.models import Department, Organization, User

from . import services
from .models import CallTreeEntry, Incident, Notification

ORGANIZATION = "MOH"
FLOOD = "Flood at the regional office server room"
DRILL = "Typhoon drill: Finance works from the alternate site"


def _delivered(incident: Incident) -> None:
    Notification.objects.filter(incident=incident, state="pending").update(
        state="sent", sent_at=incident.declared_at
    )
    for field in ("email_state", "sms_state"):
        CallTreeEntry.objects.filter(incident=incident, **{field: "pending"}).update(
            **{field: "sent"}
        )


def _users(code: str) -> tuple[User, User] | None:
    prefix = code.lower()
    editor = User.objects.filter(email=f"{prefix}.editor@bmms.demo").first()
    admin = User.objects.filter(email=f"{prefix}.admin@bmms.demo").first()
    return (editor, admin) if editor and admin else None


def _department(organization: Organization, name: str) -> Department | None:
    department = Department.objects.filter(organization=organization, name=name).first()
    if department is None:
        return None
    approved = Plan.objects.filter(
        organization=organization, department=department, status=Plan.Status.APPROVED
    )
    return department if approved.exists() else None


def _flood(organization, editor, admin, department) -> Incident:
    t0 = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=20, hours=3)
    minute = datetime.timedelta(minutes=1)
    incident = services.incident_declare(
        actor=editor,
        organization=organization,
        title=FLOOD,
        kind="natural_hazard",
        severity="major",
        started_at=t0,
        location="Regional office, ground floor server room (Cotabato City)",
        description="Heavy rain flooded the ground floor; the server room took 20 cm of water.",
        commander=admin,
        departments=[department],
        now=t0 + 15 * minute,
    )
    _delivered(incident)
    # Nobody answered within the hour: the alternates are called, and they answer.
    services.escalate_due(now=t0 + 80 * minute)
    _delivered(incident)
    for entry in incident.call_tree_entries.filter(status="notified"):
        services.call_update(actor=editor, entry=entry, status="acknowledged", now=t0 + 95 * minute)
    services.log_add(
        actor=admin,
        incident=incident,
        kind="decision",
        text="Power down the server room; move e-mail to the cloud standby.",
        now=t0 + 30 * minute,
    )
    items = list(incident.recovery_items.order_by("priority"))
    for offset, item in zip((150, 420), items, strict=False):
        services.item_update(
            actor=editor,
            item=item,
            status="recovered",
            recovered_at=t0 + offset * minute,
            now=t0 + (offset + 5) * minute,
        )
    services.log_add(
        actor=editor,
        incident=incident,
        kind="action",
        text="Servers dried and restarted; backups verified.",
        now=t0 + 430 * minute,
    )
    services.incident_close(
        actor=admin,
        incident=incident,
        summary="Water pumped out, services restored from the standby and the dried servers.",
        open_processes_reason="Remaining processes run on their workaround until new UPS arrive.",
        now=t0 + 8 * 60 * minute,
    )
    review = services.review_save(
        actor=admin,
        incident=incident,
        what_worked="The call tree reached every lead within 80 minutes; cloud e-mail standby.",
        what_failed="The server room sits on the ground floor; one contact's number was outdated.",
    )
    for description, days in (
        ("Move the server rack to the second floor", 60),
        ("Verify every call-tree number monthly", 14),
    ):
        services.action_add(
            actor=admin,
            review=review,
            description=description,
            owner=editor,
            due_date=timezone.localdate() + datetime.timedelta(days=days),
        )
    return incident


def _drill(organization, editor, admin, department) -> Incident:
    t0 = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=8, hours=5)
    minute = datetime.timedelta(minutes=1)
    incident = services.incident_declare(
        actor=editor,
        organization=organization,
        title=DRILL,
        kind="natural_hazard",
        severity="critical",
        started_at=t0,
        location="Main office (simulated closure); alternate site in Cotabato City",
        description="Scenario: a typhoon closes the main office for three days.",
        commander=admin,
        departments=[department],
        is_exercise=True,
        exercise_kind="functional",
        now=t0,
    )
    _delivered(incident)
    for entry in incident.call_tree_entries.filter(status="notified"):
        services.call_update(actor=editor, entry=entry, status="acknowledged", now=t0 + 12 * minute)
    for item in incident.recovery_items.order_by("priority")[:1]:
        services.item_update(
            actor=editor,
            item=item,
            status="recovered",
            recovered_at=t0 + 100 * minute,
            now=t0 + 101 * minute,
        )
    services.incident_close(
        actor=editor,
        incident=incident,
        summary="Payroll ran from the alternate site; the other processes were not drilled.",
        open_processes_reason="Only payroll was in the drill's scope.",
        now=t0 + 3 * 60 * minute,
    )
    services.review_save(
        actor=editor,
        incident=incident,
        what_worked="Payroll released from the alternate site in 1 h 40 min.",
        what_failed="The alternate site had no printer for vouchers.",
    )
    return incident


@transaction.atomic
def seed(scale: int = 0) -> list[str]:
    organization = Organization.objects.filter(code=ORGANIZATION).first()
    users = _users(ORGANIZATION)
    if organization is None or users is None:
        return ["Incidents: skipped (no MOH demo users)."]
    editor, admin = users
    created = []
    it = _department(organization, "Information Technology")
    if it and not Incident.objects.filter(organization=organization, title=FLOOD).exists():
        _flood(organization, editor, admin, it)
        created.append("a closed flood incident with its review")
    finance = _department(organization, "Finance")
    if finance and not Incident.objects.filter(organization=organization, title=DRILL).exists():
        _drill(organization, editor, admin, finance)
        created.append("an exercise run as a simulated incident")
    return [f"Incidents: {', '.join(created) or 'nothing new'} ({ORGANIZATION})."]
