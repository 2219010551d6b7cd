"""Writes of the incidents app: `<entity>_<verb>(*, actor, ..., now=None)`, atomic, validated,
audited, and logged in the incident's own timeline.

Every function that depends on the time takes `now` (default: the server's clock), so the
escalation and breach rules are tested with a controlled clock.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

import notifications
from bcp import services as bcp_services
from bcp.generation import duration_minutes
from bcp.models import Contact, CriticalProcess, Plan, PlanVersion
from bcp.template_data import DEFAULT_ESCALATION_MATRIX
from core import audit, outbox
from core.policies import incidents as policy
from organizations.models import Department, Membership, Organization

from . import tokens
from .formatting import duration, when
from .models import (
    SEVERITY_RANK,
    Activation,
    AfterActionReview,
    CallTreeEntry,
    CorrectiveAction,
    Incident,
    LogEntry,
    Notification,
    RecoveryItem,
    VendorStatus,
)

logger = logging.getLogger(__name__)

#: A failed notification is tried this many times in all (the retry task runs every minute).
MAX_ATTEMPTS = 10
#: Times entered by hand may be this far ahead of the server's clock (a slow watch is not a lie).
CLOCK_TOLERANCE = datetime.timedelta(minutes=1)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _save(obj) -> None:
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(
            "This change conflicts with the incident's rules (someone may have changed it "
            "meanwhile). Reload the page and try again."
        ) from exc


def _audit(actor, action: str, subject, incident: Incident, after=None, before=None) -> None:
    audit.record(
        actor=actor,
        action=action,
        subject=subject,
        organization=incident.organization,
        before=before,
        after=after,
    )


def _log(incident: Incident, kind: str, text: str, actor=None, now=None) -> LogEntry:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return LogEntry.objects.create(
        incident=incident,
        kind=kind,
        text=text,
        author=actor if is_user else None,
        author_name=(actor.get_full_name() or actor.email) if is_user else "System",
        created_at=_now(now),
    )


def _lock(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=incident.pk)
    )


def _check_time(field: str, value: datetime.datetime, now: datetime.datetime, label: str):
    if value > now + CLOCK_TOLERANCE:
        raise ValidationError({field: f"{label} cannot be in the future."})


def _label(incident: Incident) -> str:
    return "[EXERCISE] " if incident.is_exercise else ""


# --- the severity's response time ----------------------------------------------------------------


def _matrices(content: dict) -> Iterable[dict]:
    for value in (content or {}).values():
        if isinstance(value, dict) and any(level in value for level in SEVERITY_RANK):
            yield value


def response_minutes_for(severity: str, versions: Iterable[PlanVersion]) -> int:
    """The response time of a severity in the plans' escalation matrices (the shortest one), or
    the template's suggested matrix when no plan states one."""
    found = []
    for version in versions:
        for matrix in _matrices(version.content):
            minutes = duration_minutes((matrix.get(severity) or {}).get("response_time", ""))
            if minutes:
                found.append(int(minutes))
    if found:
        return max(1, min(found))
    return int(duration_minutes(DEFAULT_ESCALATION_MATRIX[severity]["response_time"]))


# --- declaring -----------------------------------------------------------------------------------


def _snapshot(plan: Plan) -> dict:
    contacts = list(Contact.objects.filter(plan=plan).order_by("pk"))
    processes = list(
        CriticalProcess.objects.filter(plan=plan)
        .prefetch_related("vendors", "depends_on")
        .order_by("priority", "name", "pk")
    )
    return {
        "contacts": [
            {
                "id": c.pk,
                "name": c.name,
                "role": c.role,
                "email": c.email,
                "phone": c.phone,
                "alternate": c.alternate_id,
            }
            for c in contacts
        ],
        "processes": [
            {
                "id": p.pk,
                "name": p.name,
                "priority": p.priority,
                "rto_minutes": p.rto_minutes,
                "mtpd_minutes": p.mtpd_minutes,
                "depends_on": sorted(d.pk for d in p.depends_on.all()),
                "vendors": sorted(v.pk for v in p.vendors.all()),
            }
            for p in processes
        ],
    }


def _call_tree_plan(contacts: list[dict]) -> list[tuple[dict, dict | None]]:
    """(primary, its standby alternate or None) for one plan's contacts.

    Contacts who are nobody's alternate come first, then by creation order; a contact becomes a
    standby when it is the alternate of a contact listed before it (mutual alternates: the first
    one is called, the other stands by)."""
    by_id = {c["id"]: c for c in contacts}
    named = {c["alternate"] for c in contacts if c["alternate"]}
    order = sorted(contacts, key=lambda c: (c["id"] in named, c["id"]))
    pairs, taken = [], set()
    for contact in order:
        if contact["id"] in taken:
            continue
        taken.add(contact["id"])
        alternate = by_id.get(contact["alternate"])
        if alternate is not None and alternate["id"] not in taken:
            taken.add(alternate["id"])
        else:
            alternate = None
        pairs.append((contact, alternate))
    return pairs


def _person_key(contact: dict) -> tuple[str, str, str]:
    return (contact["name"].strip().lower(), contact["email"].lower(), contact["phone"])


@transaction.atomic
def incident_declare(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    kind: str,
    severity: str,
    started_at: datetime.datetime,
    location: str,
    commander: Any,
    description: str = "",
    departments: Iterable[Department] = (),
    processes: Iterable[CriticalProcess] = (),
    is_exercise: bool = False,
    exercise_kind: str = "",
    now: datetime.datetime | None = None,
) -> Incident:
    """Declare an incident: activate the approved plans of the affected departments (or of the
    whole organization when no department is named, and the plans of the named processes),
    build the recovery board and the call tree, and notify the first people to reach."""
    now = _now(now)
    policy.require_change(actor, organization.pk)
    departments = list(departments)
    processes = list(processes)
    if started_at:
        _check_time("started_at", started_at, now, "The start of the disruption")
    for department in departments:
        if department.organization_id != organization.pk:
            raise ValidationError({"departments": "Choose departments of this organization."})
    if not Membership.objects.filter(user=commander, organization=organization).exists():
        raise ValidationError({"commander": "The commander must be a member of the organization."})
    if is_exercise and not exercise_kind:
        raise ValidationError({"exercise_kind": "Say what kind of exercise this is."})

    approved = Plan.objects.filter(
        organization=organization,
        status=Plan.Status.APPROVED,
        current_version__isnull=False,
    ).select_related("current_version")
    if departments:
        plans = {p.pk: p for p in approved.filter(department__in=departments)}
    else:
        plans = {p.pk: p for p in approved.filter(department__isnull=True)}
    for process in processes:
        if process.plan.organization_id != organization.pk:
            raise ValidationError({"processes": "Choose processes of this organization's plans."})
        plan = approved.filter(pk=process.plan_id).first()
        if plan is None:
            raise ValidationError(
                {"processes": f"“{process.name}” belongs to a plan that is not approved."}
            )
        plans.setdefault(plan.pk, plan)
    plans_in_order = sorted(plans.values(), key=lambda p: p.title.lower())

    incident = Incident(
        organization=organization,
        title=title,
        kind=kind,
        severity=severity,
        description=description,
        location=location,
        started_at=started_at,
        commander=commander,
        declared_by=actor,
        declared_at=now,
        response_minutes=response_minutes_for(
            severity, [p.current_version for p in plans_in_order]
        ),
        is_exercise=is_exercise,
        exercise_kind=exercise_kind if is_exercise else "",
    )
    _save(incident)
    incident.departments.set(departments)

    chosen = {p.pk for p in processes}
    position = 0
    seen_people: set[tuple[str, str, str]] = set()
    primaries: list[CallTreeEntry] = []
    vendor_ids: set[int] = set()
    items: list[RecoveryItem] = []
    for plan in plans_in_order:
        snapshot = _snapshot(plan)
        activation = Activation.objects.create(
            incident=incident,
            plan=plan,
            version=plan.current_version,
            snapshot=snapshot,
            activated_at=now,
        )
        for spec in snapshot["processes"]:
            if chosen and spec["id"] not in chosen:
                continue
            items.append(
                RecoveryItem(
                    incident=incident,
                    activation=activation,
                    process_id=spec["id"],
                    name=spec["name"],
                    priority=spec["priority"],
                    rto_minutes=spec["rto_minutes"],
                    mtpd_minutes=spec["mtpd_minutes"],
                    disrupted_since=started_at,
                )
            )
            vendor_ids.update(spec["vendors"])
        for primary, alternate in _call_tree_plan(snapshot["contacts"]):
            if _person_key(primary) in seen_people:
                continue
            seen_people.add(_person_key(primary))
            position += 1
            row = _call_row(incident, activation, primary, position)
            primaries.append(row)
            if alternate is not None and _person_key(alternate) not in seen_people:
                seen_people.add(_person_key(alternate))
                position += 1
                _call_row(incident, activation, alternate, position, alternate_for=row)
    RecoveryItem.objects.bulk_create(items)
    from bcp.models import Vendor

    VendorStatus.objects.bulk_create(
        VendorStatus(incident=incident, vendor=v, name=v.name)
        for v in Vendor.objects.filter(pk__in=vendor_ids).order_by("name")
    )
    what = "Exercise started (simulated incident)" if is_exercise else "Incident declared"
    plans_text = ", ".join(f"{p.title} v{p.current_version.version_number}" for p in plans_in_order)
    _log(
        incident,
        LogEntry.Kind.STATUS,
        f"{what}: {incident.get_severity_display()} {incident.get_kind_display().lower()}, "
        f"started {when(started_at)}. Plans activated: {plans_text or 'none (no approved plan)'}. "
        f"Contacts must acknowledge within {duration(incident.response_minutes)}.",
        actor,
        now,
    )
    for row in primaries:
        _notify(row, incident, now)
    _audit(
        actor,
        "incidents.incident.declared",
        incident,
        incident,
        after={
            "title": title,
            "severity": severity,
            "kind": kind,
            "started_at": started_at,
            "is_exercise": is_exercise,
            "plans": [p.pk for p in plans_in_order],
            "processes": len(items),
        },
    )
    return incident


def _call_row(incident, activation, contact: dict, position: int, alternate_for=None):
    return CallTreeEntry.objects.create(
        incident=incident,
        activation=activation,
        contact_id=contact["id"],
        alternate_for=alternate_for,
        position=position,
        name=contact["name"],
        role=contact["role"],
        email=contact["email"],
        phone=contact["phone"],
    )


# --- notifications -------------------------------------------------------------------------------


def _notify(entry: CallTreeEntry, incident: Incident, now: datetime.datetime) -> None:
    """Mark a row notified and queue its e-mail and SMS (sent after the commit)."""
    from .tasks import deliver_notification

    if not entry.ack_nonce:
        entry.ack_nonce = tokens.new_nonce()
    entry.status = CallTreeEntry.Status.NOTIFIED
    entry.notified_at = now
    channels = []
    for channel, recipient in (
        (Notification.Channel.EMAIL, entry.email),
        (Notification.Channel.SMS, entry.phone),
    ):
        if not recipient:
            continue
        notification = Notification.objects.create(
            incident=incident, entry=entry, channel=channel, recipient=recipient, created_at=now
        )
        setattr(entry, f"{channel}_state", CallTreeEntry.Delivery.PENDING)
        channels.append("e-mail" if channel == Notification.Channel.EMAIL else "SMS")
        outbox.enqueue(deliver_notification, notification.pk)
    entry.save()
    standby = f" (alternate for {entry.alternate_for.name})" if entry.alternate_for_id else ""
    _log(
        incident,
        LogEntry.Kind.NOTIFICATION,
        f"{entry.name}{standby} notified by {' and '.join(channels) or 'no channel'}.",
        now=now,
    )


def _call_message(notification: Notification) -> tuple[str, str]:
    entry = notification.entry
    incident = notification.incident
    link = tokens.ack_url(entry)
    label = _label(incident)
    if notification.channel == Notification.Channel.SMS:
        return "", (
            f"{label}BMMS {incident.organization.code}: {incident.get_severity_display()} "
            f"incident “{incident.title}”. Acknowledge within "
            f"{duration(incident.response_minutes)}: {link}"
        )
    subject = f"{label}{incident.get_severity_display()} incident: {incident.title}"
    body = (
        f"{label}{incident.organization.name} has declared an incident and activated its "
        f"business continuity plan.\n\n"
        f"Incident: {incident.title}\n"
        f"Severity: {incident.get_severity_display()}\n"
        f"Started: {when(incident.started_at)}\n"
        f"Where: {incident.location}\n"
        f"Incident commander: {incident.commander.get_full_name() or incident.commander.email}\n\n"
        f"You are on the call tree as {entry.role or 'a contact'}. Please acknowledge within "
        f"{duration(incident.response_minutes)}, otherwise your alternate will be called:\n\n"
        f"{link}\n\n"
        "The link works once, only for you, and expires when the incident is stood down.\n"
    )
    return subject, body


def notification_deliver(notification_id: int, now: datetime.datetime | None = None) -> str:
    """Send one notification (the task's body). Locks the row, so it is never sent twice; a
    failure keeps it as "failed, retrying" for `notifications_retry`."""
    now = _now(now)
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("incident__organization", "incident__commander", "entry")
            .get(pk=notification_id)
        )
        if notification.state in (Notification.State.SENT, Notification.State.GAVE_UP):
            return notification.state
        incident = notification.incident
        if notification.entry_id and not incident.is_open:
            notification.state = Notification.State.GAVE_UP
            notification.last_error = "The incident was stood down before it could be sent."
            notification.save(update_fields=["state", "last_error"])
            _entry_state(notification)
            return notification.state
        notification.attempts += 1
        notification.last_attempt_at = now
        try:
            if notification.entry_id:
                subject, body = _call_message(notification)
            else:  # an admin alert queued before alerts moved to the notification service
                subject, body = notification.subject, notification.body
            if notification.channel == Notification.Channel.EMAIL:
                EmailMessage(
                    subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient]
                ).send()
            else:
                from .sms import get_sender

                get_sender().send(notification.recipient, body)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is kept for a retry
            logger.warning("Notification %s not delivered: %s", notification.pk, exc)
            notification.state = (
                Notification.State.FAILED
                if notification.attempts < MAX_ATTEMPTS
                else Notification.State.GAVE_UP
            )
            notification.last_error = str(exc)[:300]
        else:
            notification.state = Notification.State.SENT
            notification.sent_at = now
            notification.last_error = ""
        notification.save()
        _entry_state(notification)
        return notification.state


def _entry_state(notification: Notification) -> None:
    """Show the delivery on the call-tree row (the board reads it from there)."""
    if not notification.entry_id:
        return
    state = {
        Notification.State.SENT: CallTreeEntry.Delivery.SENT,
        Notification.State.FAILED: CallTreeEntry.Delivery.FAILED,
        Notification.State.GAVE_UP: CallTreeEntry.Delivery.GAVE_UP,
        Notification.State.PENDING: CallTreeEntry.Delivery.PENDING,
    }[notification.state]
    entry = CallTreeEntry.objects.select_for_update().get(pk=notification.entry_id)
    setattr(entry, f"{notification.channel}_state", state)
    entry.last_error = notification.last_error
    entry.save(update_fields=[f"{notification.channel}_state", "last_error", "updated_at"])


def notifications_retry(now: datetime.datetime | None = None) -> int:
    """Queue again every failed notification whose last attempt is a minute old (beat)."""
    from .tasks import deliver_notification

    now = _now(now)
    ids = list(
        Notification.objects.filter(
            state=Notification.State.FAILED,
            last_attempt_at__lte=now - datetime.timedelta(minutes=1),
        ).values_list("pk", flat=True)[:500]
    )
    with transaction.atomic():
        for notification_id in ids:
            outbox.enqueue(deliver_notification, notification_id)
    return len(ids)


# --- escalation (beat) ---------------------------------------------------------------------------


def _escalate(entry: CallTreeEntry, incident: Incident, now, *, status: str, reason: str):
    entry.status = status
    if status == CallTreeEntry.Status.ESCALATED:
        entry.escalated_at = now
    entry.save()
    standby = entry.standbys.filter(status=CallTreeEntry.Status.PENDING).first()
    if standby is None:
        _log(
            incident,
            LogEntry.Kind.ESCALATION,
            f"{reason} No alternate on the call tree: reach {entry.name} another way.",
            now=now,
        )
        return None
    _log(
        incident,
        LogEntry.Kind.ESCALATION,
        f"{reason} Calling the alternate, {standby.name}.",
        now=now,
    )
    _notify(standby, incident, now)
    return standby


def escalate_due(now: datetime.datetime | None = None) -> int:
    """Escalate every notified contact whose response time has passed without an
    acknowledgment: the row shows "escalated to alternate" and the alternate is notified.
    Idempotent: an escalated row is never escalated again, so a second run sends nothing."""
    now = _now(now)
    escalated = 0
    for incident in Incident.objects.filter(
        status=Incident.Status.OPEN, call_tree_entries__status=CallTreeEntry.Status.NOTIFIED
    ).distinct():
        cutoff = now - datetime.timedelta(minutes=incident.response_minutes)
        with transaction.atomic():
            rows = (
                CallTreeEntry.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("incident")
                .filter(
                    incident=incident,
                    status=CallTreeEntry.Status.NOTIFIED,
                    notified_at__lte=cutoff,
                )
                .order_by("position")
            )
            for entry in rows:
                _escalate(
                    entry,
                    incident,
                    now,
                    status=CallTreeEntry.Status.ESCALATED,
                    reason=f"{entry.name} did not acknowledge within "
                    f"{duration(incident.response_minutes)}.",
                )
                escalated += 1
    return escalated


def breaches_check(now: datetime.datetime | None = None) -> int:
    """Alert the organization's admins once when a process passes its RTO, and once more when
    it passes its MTPD (beat; idempotent through the alerted-at times)."""
    now = _now(now)
    alerts = 0
    with transaction.atomic():
        items = (
            RecoveryItem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("incident__organization")
            .filter(incident__status=Incident.Status.OPEN)
            .exclude(status=RecoveryItem.Status.RECOVERED)
        )
        for item in items:
            breach = item.breach(now)
            incident = item.incident
            if breach == "mtpd" and item.mtpd_alerted_at is None:
                item.mtpd_alerted_at = now
                item.rto_alerted_at = item.rto_alerted_at or now
                what = f"MTPD ({duration(item.mtpd_minutes)})"
            elif breach in ("rto", "mtpd") and item.rto_alerted_at is None:
                item.rto_alerted_at = now
                what = f"RTO ({duration(item.rto_minutes)})"
            else:
                continue
            item.save(update_fields=["rto_alerted_at", "mtpd_alerted_at", "updated_at"])
            text = (
                f"{item.name} has been down {duration(item.elapsed_minutes(now))}, past its {what}."
            )
            _log(
                incident, LogEntry.Kind.ESCALATION, f"{text} Organization admins alerted.", now=now
            )
            # The admins are told through the notification service: a title and the board's
            # link (their preferences apply; the details are on the board).
            limit = what.split(" ")[0]
            notifications.emit(
                "incident.recovery_breach",
                incident,
                text=f"{_label(incident)}{item.name} past its {limit}: {incident.title}",
                key=f"incident.recovery_breach:{item.pk}:{limit}",
            )
            alerts += 1
    return alerts


# --- responding ----------------------------------------------------------------------------------


def _lock_entry(entry: CallTreeEntry) -> CallTreeEntry:
    return (
        CallTreeEntry.objects.select_for_update(of=("self",))
        .select_related("incident__organization", "alternate_for")
        .get(pk=entry.pk)
    )


@transaction.atomic
def call_update(
    *,
    actor: Any,
    entry: CallTreeEntry,
    status: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> CallTreeEntry:
    """A responder records a phone call: notified, acknowledged or unreachable (which calls the
    alternate at once)."""
    now = _now(now)
    entry = _lock_entry(entry)
    incident = entry.incident
    policy.require_change(actor, incident.organization_id)
    policy.require_open(incident)
    if status not in CallTreeEntry.MANUAL:
        raise ValidationError({"status": "Choose notified, acknowledged or unreachable."})
    if entry.status == CallTreeEntry.Status.ACKNOWLEDGED:
        raise ValidationError(f"{entry.name} has already acknowledged.")
    before = entry.get_status_display()
    suffix = f" ({note})" if note else ""
    if status == CallTreeEntry.Status.ACKNOWLEDGED:
        entry.status = status
        entry.notified_at = entry.notified_at or now
        entry.acknowledged_at = now
        entry.acknowledged_via = "phone"
        if not entry.ack_nonce:
            entry.ack_nonce = tokens.new_nonce()
        entry.save()
        _log(
            incident,
            LogEntry.Kind.STATUS,
            f"{entry.name} acknowledged by phone{suffix}.",
            actor,
            now,
        )
    elif status == CallTreeEntry.Status.NOTIFIED:
        entry.status = status
        entry.notified_at = now
        if not entry.ack_nonce:
            entry.ack_nonce = tokens.new_nonce()
        entry.save()
        _log(incident, LogEntry.Kind.STATUS, f"{entry.name} reached by phone{suffix}.", actor, now)
    else:
        entry.notified_at = entry.notified_at or now
        _log(incident, LogEntry.Kind.STATUS, f"{entry.name} is unreachable{suffix}.", actor, now)
        _escalate(
            entry,
            incident,
            now,
            status=CallTreeEntry.Status.UNREACHABLE,
            reason=f"{entry.name} is unreachable.",
        )
    _audit(
        actor,
        "incidents.call.updated",
        entry,
        incident,
        before={"status": before},
        after={"status": entry.get_status_display(), "note": note},
    )
    return entry


class AckOutcome:
    DONE = "done"
    USED = "used"
    INVALID = "invalid"


def acknowledge_by_link(
    *, entry_public_id, token: str, now: datetime.datetime | None = None
) -> tuple[str, CallTreeEntry | None]:
    """The contact pressed "I acknowledge" on the link from their message. Works once, for the
    row the token was made for, while the incident is open; anything else is INVALID (which the
    page shows without telling why, so nothing is learnt by trying)."""
    now = _now(now)
    with transaction.atomic():
        entry = (
            CallTreeEntry.objects.select_for_update(of=("self",))
            .select_related("incident__organization")
            .filter(public_id=entry_public_id)
            .first()
        )
        if entry is None or not tokens.token_matches(entry, token):
            return AckOutcome.INVALID, None
        if not entry.incident.is_open:
            return AckOutcome.INVALID, None
        if entry.status == CallTreeEntry.Status.ACKNOWLEDGED:
            return AckOutcome.USED, entry
        entry.status = CallTreeEntry.Status.ACKNOWLEDGED
        entry.acknowledged_at = now
        entry.acknowledged_via = "link"
        entry.save()
        _log(entry.incident, LogEntry.Kind.STATUS, f"{entry.name} acknowledged (link).", now=now)
        _audit(None, "incidents.call.acknowledged", entry, entry.incident, after={"via": "link"})
        return AckOutcome.DONE, entry


def check_ack_link(entry_public_id, token: str) -> tuple[str, CallTreeEntry | None]:
    """What the acknowledgment page shows on GET (it writes nothing)."""
    entry = (
        CallTreeEntry.objects.select_related("incident__organization")
        .filter(public_id=entry_public_id)
        .first()
    )
    if entry is None or not tokens.token_matches(entry, token) or not entry.incident.is_open:
        return AckOutcome.INVALID, None
    if entry.status == CallTreeEntry.Status.ACKNOWLEDGED:
        return AckOutcome.USED, entry
    return AckOutcome.DONE, entry


@transaction.atomic
def item_update(
    *,
    actor: Any,
    item: RecoveryItem,
    status: str,
    recovered_at: datetime.datetime | None = None,
    disrupted_since: datetime.datetime | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> RecoveryItem:
    """Move a process on the recovery board (disrupted / workaround / recovered)."""
    now = _now(now)
    item = (
        RecoveryItem.objects.select_for_update(of=("self",))
        .select_related("incident__organization")
        .get(pk=item.pk)
    )
    incident = item.incident
    policy.require_change(actor, incident.organization_id)
    policy.require_open(incident)
    if status not in RecoveryItem.Status.values:
        raise ValidationError({"status": "Choose disrupted, workaround or recovered."})
    before = {"status": item.status, "recovered_at": item.recovered_at}
    if disrupted_since is not None:
        _check_time("disrupted_since", disrupted_since, now, "Disrupted since")
        if disrupted_since < incident.started_at:
            raise ValidationError(
                {"disrupted_since": "Disrupted since cannot be before the incident started."}
            )
        item.disrupted_since = disrupted_since
    if status == RecoveryItem.Status.RECOVERED:
        if recovered_at is None:
            raise ValidationError({"recovered_at": "Say when the process was recovered."})
        _check_time("recovered_at", recovered_at, now, "Recovered at")
        if recovered_at < item.disrupted_since:
            raise ValidationError(
                {"recovered_at": "Recovered at cannot be before disrupted since."}
            )
        item.recovered_at = recovered_at
    else:
        item.recovered_at = None
    item.status = status
    _save(item)
    text = f"{item.name}: {item.get_status_display().lower()}"
    if item.is_recovered:
        achieved = item.elapsed_minutes(now)
        target = ""
        if item.rto_minutes is not None:
            met = "met" if achieved <= item.rto_minutes else "missed"
            target = f"; RTO {duration(item.rto_minutes)} {met}"
        text += f" at {when(item.recovered_at)} (achieved {duration(achieved)}{target})"
    _log(incident, LogEntry.Kind.STATUS, text + (f". {note}" if note else "."), actor, now)
    _audit(
        actor,
        "incidents.process.updated",
        item,
        incident,
        before=before,
        after={"status": item.status, "recovered_at": item.recovered_at},
    )
    return item


@transaction.atomic
def vendor_set(
    *, actor: Any, vendor_status: VendorStatus, is_down: bool, now: datetime.datetime | None = None
) -> VendorStatus:
    now = _now(now)
    row = (
        VendorStatus.objects.select_for_update(of=("self",))
        .select_related("incident__organization")
        .get(pk=vendor_status.pk)
    )
    policy.require_change(actor, row.incident.organization_id)
    policy.require_open(row.incident)
    if row.is_down == is_down:
        return row
    row.is_down = is_down
    row.changed_at = now
    row.save()
    _log(
        row.incident,
        LogEntry.Kind.STATUS,
        f"Vendor {row.name} {'is down' if is_down else 'is back up'}.",
        actor,
        now,
    )
    return row


def log_add(
    *, actor: Any, incident: Incident, kind: str, text: str, now: datetime.datetime | None = None
) -> LogEntry:
    """Append a decision, action or message to the timeline (no lock: entries never collide)."""
    policy.require_change(actor, incident.organization_id)
    # The caller's copy may be stale: the incident may have been stood down meanwhile.
    policy.require_open(Incident.objects.only("status").get(pk=incident.pk))
    if kind not in LogEntry.MANUAL:
        raise ValidationError({"kind": "Choose decision, action or message."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write what was decided, done or said."})
    if len(text) > 4000:
        raise ValidationError({"text": "Keep an entry under 4,000 characters."})
    return _log(incident, kind, text, actor, now)


@transaction.atomic
def severity_change(
    *,
    actor: Any,
    incident: Incident,
    severity: str,
    reason: str,
    now: datetime.datetime | None = None,
) -> Incident:
    now = _now(now)
    incident = _lock(incident)
    policy.require_change(actor, incident.organization_id)
    policy.require_open(incident)
    if severity not in Incident.Severity.values:
        raise ValidationError({"severity": "Choose minor, moderate, major or critical."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the severity changes."})
    if severity == incident.severity:
        raise ValidationError({"severity": "The incident already has this severity."})
    before = incident.get_severity_display()
    incident.severity = severity
    incident.response_minutes = response_minutes_for(
        severity, [a.version for a in incident.activations.select_related("version")]
    )
    _save(incident)
    _log(
        incident,
        LogEntry.Kind.SEVERITY,
        f"Severity {before} → {incident.get_severity_display()}: {reason.strip()} "
        f"(contacts now have {duration(incident.response_minutes)} to acknowledge).",
        actor,
        now,
    )
    _audit(
        actor,
        "incidents.incident.severity_changed",
        incident,
        incident,
        before={"severity": before},
        after={"severity": severity, "reason": reason},
    )
    return incident


# --- stand-down and review -----------------------------------------------------------------------


@transaction.atomic
def incident_close(
    *,
    actor: Any,
    incident: Incident,
    summary: str,
    open_processes_reason: str = "",
    now: datetime.datetime | None = None,
) -> Incident:
    """Stand the incident down. Processes still disrupted need a reason. An exercise run as a
    simulated incident feeds its results into each activated plan's exercise record."""
    now = _now(now)
    incident = _lock(incident)
    policy.require_change(actor, incident.organization_id)
    policy.require_open(incident)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "Write a summary of the incident before standing down."})
    still_down = list(incident.recovery_items.exclude(status=RecoveryItem.Status.RECOVERED))
    if still_down and not (open_processes_reason or "").strip():
        names = ", ".join(i.name for i in still_down)
        raise ValidationError(
            {
                "open_processes_reason": f"Still not recovered: {names}. Say why you stand down "
                "anyway (e.g. the workaround is the new normal)."
            }
        )
    incident.status = Incident.Status.CLOSED
    incident.closed_at = max(now, incident.started_at)
    incident.closed_by = actor
    incident.summary = summary
    incident.open_processes_reason = (open_processes_reason or "").strip() if still_down else ""
    _save(incident)
    Notification.objects.filter(
        incident=incident, entry__isnull=False, state__in=["pending", "failed"]
    ).update(state=Notification.State.GAVE_UP, last_error="The incident was stood down.")
    _log(
        incident,
        LogEntry.Kind.STATUS,
        f"{'Exercise ended' if incident.is_exercise else 'Stood down'}: {summary}"
        + (f" Still disrupted: {open_processes_reason.strip()}" if still_down else ""),
        actor,
        now,
    )
    if incident.is_exercise:
        _feed_exercise_records(actor, incident, now)
    _audit(
        actor,
        "incidents.incident.closed",
        incident,
        incident,
        after={"summary": summary, "still_disrupted": [i.name for i in still_down]},
    )
    return incident


def _feed_exercise_records(actor, incident: Incident, now) -> None:
    """One bcp Exercise per activated plan: the scenario, who took part, the summary, and the
    achieved recovery time of each process recovered during the exercise."""
    acknowledged = ", ".join(
        incident.call_tree_entries.filter(status=CallTreeEntry.Status.ACKNOWLEDGED).values_list(
            "name", flat=True
        )
    )
    for activation in incident.activations.select_related("plan"):
        results = {
            item.process: item.elapsed_minutes(now)
            for item in activation.items.select_related("process")
            if item.is_recovered and item.process.rto_minutes is not None
        }
        try:
            exercise = bcp_services.exercise_record(
                actor=actor,
                plan=activation.plan,
                kind=incident.exercise_kind,
                held_on=timezone.localtime(incident.started_at).date(),
                scenario=f"Simulated incident “{incident.title}”: {incident.description}".strip(),
                participants=acknowledged,
                findings=incident.summary,
                results=results,
            )
        except (ValidationError, PermissionDenied) as exc:
            _log(
                incident,
                LogEntry.Kind.STATUS,
                f"Exercise not recorded in {activation.plan.title}: "
                + " ".join(getattr(exc, "messages", [str(exc)])),
                now=now,
            )
            continue
        activation.exercise = exercise
        activation.save(update_fields=["exercise"])
        _log(
            incident,
            LogEntry.Kind.STATUS,
            f"Exercise recorded in {activation.plan.title} ({len(results)} result(s)).",
            now=now,
        )


@transaction.atomic
def review_save(
    *, actor: Any, incident: Incident, what_worked: str, what_failed: str
) -> AfterActionReview:
    incident = _lock(incident)
    policy.require_change(actor, incident.organization_id)
    policy.require_closed(incident)
    review = AfterActionReview.objects.filter(incident=incident).first()
    created = review is None
    if created:
        review = AfterActionReview(incident=incident, recorded_by=actor)
    review.what_worked = (what_worked or "").strip()
    review.what_failed = (what_failed or "").strip()
    _save(review)
    _audit(
        actor,
        "incidents.review.saved",
        review,
        incident,
        after={
            "created": created,
            "what_worked": review.what_worked,
            "what_failed": review.what_failed,
        },
    )
    return review


@transaction.atomic
def action_add(
    *, actor: Any, review: AfterActionReview, description: str, owner: Any, due_date
) -> CorrectiveAction:
    incident = review.incident
    policy.require_change(actor, incident.organization_id)
    if not Membership.objects.filter(user=owner, organization_id=incident.organization_id).exists():
        raise ValidationError({"owner": "The owner must be a member of the organization."})
    action = CorrectiveAction(
        review=review, description=(description or "").strip(), owner=owner, due_date=due_date
    )
    _save(action)
    _audit(
        actor,
        "incidents.action.added",
        action,
        incident,
        after={"description": action.description, "owner": owner.email, "due": due_date},
    )
    return action


@transaction.atomic
def action_update(
    *, actor: Any, action: CorrectiveAction, status: str, now: datetime.datetime | None = None
) -> CorrectiveAction:
    now = _now(now)
    action = (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("review__incident__organization")
        .get(pk=action.pk)
    )
    incident = action.review.incident
    policy.require_change(actor, incident.organization_id)
    if status not in CorrectiveAction.Status.values:
        raise ValidationError({"status": "Choose open, in progress or done."})
    before = action.status
    action.status = status
    action.done_at = now if status == CorrectiveAction.Status.DONE else None
    _save(action)
    _audit(
        actor,
        "incidents.action.updated",
        action,
        incident,
        before={"status": before},
        after={"status": status},
    )
    return action


@transaction.atomic
def plan_draft_from_review(*, actor: Any, incident: Incident, plan: Plan) -> PlanVersion:
    """Open a new draft of an activated plan from the review's findings; its change note cites
    the incident (the draft goes through review like any other)."""
    review = AfterActionReview.objects.select_related("incident").filter(incident=incident).first()
    if review is None:
        raise ValidationError("Write the after-action review first.")
    policy.require_change(actor, incident.organization_id)
    activation = incident.activations.filter(plan=plan).select_related("version").first()
    if activation is None:
        raise ValidationError({"plan": "Choose a plan this incident activated."})
    base = plan.current_version or activation.version
    open_actions = "; ".join(
        a.description for a in review.actions.exclude(status=CorrectiveAction.Status.DONE)
    )
    note = (
        f"Revision after {'exercise' if incident.is_exercise else 'incident'} “{incident.title}” "
        f"of {when(incident.started_at)} (incident {incident.public_id}). "
        f"What failed: {review.what_failed}"
        + (f" Corrective actions: {open_actions}" if open_actions else "")
    )
    version = bcp_services.version_create_draft(
        actor=actor, plan=plan, content=base.content, change_note=note[:4000]
    )
    review.plan_drafts.add(version)
    _audit(
        actor,
        "incidents.review.plan_draft",
        review,
        incident,
        after={"plan": plan.title, "version": version.version_number},
    )
    return version
