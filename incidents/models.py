"""Incidents: what happens when a disruption strikes and a BC plan is put to work.

An `Incident` is declared in one organization. Declaring it *activates* the approved plans of
the affected departments (`Activation`: the approved version, immutable in the database, plus a
copy of the plan's contacts and processes as they stood, so responders follow what was in force
even if the plan is edited later). From them come the call tree (`CallTreeEntry`, one row per
person to reach, with standby rows for alternates), the recovery board (`RecoveryItem`, one row
per affected critical process, and `VendorStatus`), the append-only log (`LogEntry`, protected by
a trigger like the audit log), outgoing messages (`Notification`, kept until delivered) and, once
stood down, the after-action review (`AfterActionReview`, `CorrectiveAction`).

An exercise can be run as a simulated incident (`is_exercise`): the same machinery, flagged as
an exercise on every page, message and report, and never counted as a real incident.
"""

from __future__ import annotations

import datetime
import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.tenancy import OrgOwnedModel, OrgQuerySet
from organizations.corrective import CorrectiveActionBase
from organizations.modelbases import PublicIdModel, TenantChildModel, TimestampedModel

SEVERITY_RANK = {"minor": 0, "moderate": 1, "major": 2, "critical": 3}


class Incident(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """A disruption (or a simulated one) an organization responds to."""

    #: Incidents are part of the Continuity plans module: where it is off for an organization,
    #: its members reach none of its incidents (the tenancy door says what policy.module_on says).
    TENANT_MODULE = "bcp"

    class Kind(models.TextChoices):
        NATURAL_HAZARD = "natural_hazard", "Natural hazard (typhoon, flood, earthquake)"
        FIRE = "fire", "Fire"
        UTILITY_OUTAGE = "utility_outage", "Utility or ICT outage (power, network, systems)"
        SECURITY = "security", "Security incident or armed conflict"
        HEALTH = "health", "Health emergency"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        # The levels of the response and escalation matrix of the organization's plans.
        MINOR = "minor", "Minor"
        MODERATE = "moderate", "Moderate"
        MAJOR = "major", "Major"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Stood down"

    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.TextField(blank=True, help_text="What happened, as known now.")
    location = models.CharField(
        "location / offices affected", max_length=300, help_text="Where: offices, sites, areas."
    )
    started_at = models.DateTimeField(help_text="When the disruption began.")
    departments = models.ManyToManyField(
        "organizations.Department", blank=True, related_name="incidents"
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commanded_incidents",
        verbose_name="incident commander",
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)
    #: Minutes a contact has to acknowledge before the alternate is called: the response time
    #: of the severity in the activated plans' escalation matrix (the shortest of them).
    response_minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    is_exercise = models.BooleanField(
        default=False, help_text="A simulated incident: practised, never counted as real."
    )
    exercise_kind = models.CharField(max_length=20, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True, help_text="Stand-down summary.")
    open_processes_reason = models.TextField(
        blank=True, help_text="Why it was stood down with processes still disrupted."
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(summary="")),
                name="incident_closed_has_time_and_summary",
                violation_error_message="Standing down needs a summary.",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("started_at")),
                name="incident_closed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(is_exercise=True) | Q(exercise_kind=""),
                name="incident_exercise_kind_only_for_exercises",
            ),
            models.CheckConstraint(
                condition=Q(response_minutes__gte=1), name="incident_response_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{'[Exercise] ' if self.is_exercise else ''}{self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]


class IncidentChild(TenantChildModel):
    """Base of rows that belong to one incident; tenancy follows the incident. Each child names
    its reverse accessor (`incident.<name>`) in `Meta.default_related_name`."""

    TENANT_FIELD = "incident__organization"
    TENANT_MODULE = "bcp"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT)

    class Meta:
        abstract = True


class Activation(IncidentChild):
    """One plan put into force by an incident, with what it said at that moment."""

    plan = models.ForeignKey("bcp.Plan", on_delete=models.PROTECT, related_name="activations")
    #: The approved version in force (approved versions are immutable in the database).
    version = models.ForeignKey("bcp.PlanVersion", on_delete=models.PROTECT, related_name="+")
    #: Contacts and processes as they stood (they are plan rows, edited outside versions).
    snapshot = models.JSONField(default=dict)
    activated_at = models.DateTimeField(default=timezone.now)
    #: For an exercise run as a simulated incident: the exercise record it fed.
    exercise = models.ForeignKey(
        "bcp.Exercise", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        default_related_name = "activations"  # incident.activations
        ordering = ["incident", "plan__title"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "plan"], name="incident_plan_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version.version_number}"


class CallTreeEntry(IncidentChild):
    """One person to reach. Standby rows (`alternate_for`) wait until their primary escalates."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not yet contacted"
        NOTIFIED = "notified", "Notified"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        UNREACHABLE = "unreachable", "Unreachable"
        ESCALATED = "escalated", "Escalated to alternate"

    class Delivery(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, retrying"
        GAVE_UP = "gave_up", "Failed"

    #: Statuses a responder may set by hand (after a phone call).
    MANUAL = (Status.NOTIFIED, Status.ACKNOWLEDGED, Status.UNREACHABLE)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activation = models.ForeignKey(
        Activation, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    contact = models.ForeignKey(
        "bcp.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alternate_for = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="standbys"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=20, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    sms_state = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    #: Secret input of the acknowledgment link's HMAC (the link itself is never stored).
    ack_nonce = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_related_name = "call_tree_entries"  # incident.call_tree_entries
        ordering = ["incident", "position", "id"]
        verbose_name_plural = "call tree entries"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="acknowledged") | Q(acknowledged_at__isnull=False),
                name="incident_call_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="escalated") | Q(escalated_at__isnull=False),
                name="incident_call_escalated_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(notified_at__isnull=False),
                name="incident_call_contacted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    @property
    def is_standby(self) -> bool:
        return self.alternate_for_id is not None

    @property
    def delivery_failed(self) -> bool:
        return self.Delivery.FAILED in (self.email_state, self.sms_state)

    def deadline(self, response_minutes: int) -> datetime.datetime | None:
        if self.status != self.Status.NOTIFIED or self.notified_at is None:
            return None
        return self.notified_at + datetime.timedelta(minutes=response_minutes)


class Notification(IncidentChild):
    """One message to send (e-mail or SMS), kept until it is delivered: a mail server or SMS
    gateway that is down loses nothing, the retry task sends it again."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, retrying"
        GAVE_UP = "gave_up", "Failed (gave up)"

    entry = models.ForeignKey(
        CallTreeEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The call-tree row (its text, with the acknowledgment link, is built when sent).",
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_related_name = "notifications"  # incident.notifications
        ordering = ["incident", "created_at", "id"]
        indexes = [models.Index(fields=["state"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="incident_notification_sent_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient} ({self.get_state_display()})"


class RecoveryItem(IncidentChild):
    """One affected critical process on the recovery board."""

    class Status(models.TextChoices):
        DISRUPTED = "disrupted", "Disrupted"
        WORKAROUND = "workaround", "Workaround in place"
        RECOVERED = "recovered", "Recovered"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activation = models.ForeignKey(
        Activation, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    process = models.ForeignKey("bcp.CriticalProcess", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    priority = models.PositiveSmallIntegerField(default=1)
    rto_minutes = models.PositiveIntegerField(null=True, blank=True)
    mtpd_minutes = models.PositiveIntegerField(null=True, blank=True)
    disrupted_since = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DISRUPTED)
    recovered_at = models.DateTimeField(null=True, blank=True)
    rto_alerted_at = models.DateTimeField(null=True, blank=True)
    mtpd_alerted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_related_name = "recovery_items"  # incident.recovery_items
        ordering = ["incident", "priority", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "process"], name="incident_process_once"),
            models.CheckConstraint(
                condition=(Q(status="recovered") & Q(recovered_at__isnull=False))
                | (~Q(status="recovered") & Q(recovered_at__isnull=True)),
                name="incident_item_recovered_has_time",
                violation_error_message="A recovered process needs its recovery time.",
            ),
            models.CheckConstraint(
                condition=Q(recovered_at__isnull=True) | Q(recovered_at__gte=F("disrupted_since")),
                name="incident_item_recovered_after_disruption",
                violation_error_message="Recovered at cannot be before disrupted since.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_recovered(self) -> bool:
        return self.status == self.Status.RECOVERED

    def elapsed_minutes(self, now: datetime.datetime) -> int:
        """Minutes of disruption: until recovery, or until `now` (server time)."""
        end = self.recovered_at or now
        return max(0, int((end - self.disrupted_since).total_seconds() // 60))

    def breach(self, now: datetime.datetime) -> str:
        """ "mtpd" (red), "rto" (amber) or "" from the elapsed time."""
        elapsed = self.elapsed_minutes(now)
        if self.mtpd_minutes is not None and elapsed > self.mtpd_minutes:
            return "mtpd"
        if self.rto_minutes is not None and elapsed > self.rto_minutes:
            return "rto"
        return ""


class VendorStatus(IncidentChild):
    """A vendor the affected processes depend on, and whether it is down."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    vendor = models.ForeignKey("bcp.Vendor", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    is_down = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_related_name = "vendor_statuses"  # incident.vendor_statuses
        ordering = ["incident", "name"]
        verbose_name_plural = "vendor statuses"
        constraints = [
            models.UniqueConstraint(fields=["incident", "vendor"], name="incident_vendor_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({'down' if self.is_down else 'up'})"


class LogEntry(IncidentChild):
    """One line of the incident's timeline. Append-only: the database refuses UPDATE and DELETE.

    Entries are independent inserts (no counter to bump), so responders writing at the same time
    never lose one; the order is (created_at, id)."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        ACTION = "action", "Action"
        MESSAGE = "message", "Message"
        STATUS = "status", "Status change"
        SEVERITY = "severity", "Severity change"
        NOTIFICATION = "notification", "Notification"
        ESCALATION = "escalation", "Escalation"

    #: Kinds a responder writes; the others come from the system.
    MANUAL = (Kind.DECISION, Kind.ACTION, Kind.MESSAGE)

    kind = models.CharField(max_length=15, choices=Kind.choices)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        default_related_name = "log_entries"  # incident.log_entries
        ordering = ["incident", "created_at", "id"]
        verbose_name_plural = "log entries"
        triggers = [
            pgtrigger.Protect(
                name="incident_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.text[:60]}"


class AfterActionReview(TenantChildModel, TimestampedModel):
    """What worked, what failed, and what will change, once the incident is stood down."""

    TENANT_FIELD = "incident__organization"
    TENANT_MODULE = "bcp"

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="review")
    what_worked = models.TextField()
    what_failed = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: Plan drafts opened from these findings (each cites the incident in its change note).
    plan_drafts = models.ManyToManyField("bcp.PlanVersion", blank=True, related_name="+")

    def __str__(self) -> str:
        return f"After-action review of {self.incident}"


class CorrectiveAction(CorrectiveActionBase):
    """An action from the review, tracked to closure (fields shared with BC exercises' actions)."""

    TENANT_FIELD = "review__incident__organization"
    TENANT_MODULE = "bcp"

    review = models.ForeignKey(AfterActionReview, on_delete=models.PROTECT, related_name="actions")

    objects = OrgQuerySet.as_manager()

    class Meta(CorrectiveActionBase.Meta):
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_at__isnull=False))
                | (~Q(status="done") & Q(done_at__isnull=True)),
                name="incident_action_done_has_time",
            )
        ]
