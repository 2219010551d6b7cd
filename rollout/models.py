"""The rollout to 44 organizations: waves and go-live, announcements, feedback and UAT,
training with attendance and certificates, adoption aggregates."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.tenancy import OrgOwnedModel, Role
from organizations.modelbases import CreatedModel, PublicIdModel, TenantChildModel, TimestampedModel

MODULE_CHOICES = [
    ("planning", "Planning"),
    ("budgeting", "Budgets"),
    ("coordination", "Partnerships"),
    ("bcp", "Continuity plans"),
]


class Wave(models.Model):
    """A rollout wave: the modules its organizations switch on when they go live."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)
    modules = ArrayField(
        models.CharField(max_length=20, choices=MODULE_CHOICES),
        default=list,
        blank=True,
        help_text="Modules switched on for an organization of this wave when it goes live.",
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Wave {self.number} · {self.name}"


class GoLiveAttempt(TimestampedModel):
    """One go-live run for an organization and date: at most one (the scheduler is idempotent)."""

    class Outcome(models.TextChoices):
        LIVE = "live", "Went live"
        BLOCKED = "blocked", "Blocked by the checklist"

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="go_live_attempts"
    )
    go_live_date = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    blocking_items = models.JSONField(default=list, blank=True)
    modules = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    #: When the rollout team was told about the blocking items (once per organization and date).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "go_live_date"], name="go_live_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} {self.go_live_date}: {self.get_outcome_display()}"


class Announcement(PublicIdModel, TimestampedModel):
    class Severity(models.TextChoices):
        INFO = "info", "Information"
        MAINTENANCE = "maintenance", "Scheduled maintenance"
        INCIDENT = "incident", "Incident"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        WAVE = "wave", "A rollout wave"
        ORGANIZATION = "organization", "One organization"

    title = models.CharField(max_length=160)
    body = models.TextField(
        max_length=4000,
        blank=True,
        help_text="Plain text with a little Markdown: **bold**, *italic*, links, lists.",
    )
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.INFO)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    wave = models.PositiveSmallIntegerField(null=True, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="announcement_ends_after_start",
                violation_error_message="The end must be after the start.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(audience="everyone", wave__isnull=True, organization__isnull=True)
                    | models.Q(audience="wave", wave__isnull=False, organization__isnull=True)
                    | models.Q(
                        audience="organization", wave__isnull=True, organization__isnull=False
                    )
                ),
                name="announcement_audience_consistent",
                violation_error_message="Choose a wave for a wave announcement, an organization "
                "for an organization announcement, and neither for everyone.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class UATScript(models.Model):
    """A scripted acceptance test of one module: steps with their expected results."""

    module = models.CharField(max_length=20, choices=MODULE_CHOICES, unique=True)
    title = models.CharField(max_length=160)
    #: [{"step": "...", "expected": "..."}, ...]
    steps = models.JSONField(default=list)

    class Meta:
        ordering = ["module"]
        verbose_name = "UAT script"

    def __str__(self) -> str:
        return self.title


class UATRun(OrgOwnedModel, PublicIdModel, CreatedModel):
    """One organization's acceptance test of one module; signed off by its org admin."""

    script = models.ForeignKey(UATScript, on_delete=models.PROTECT, related_name="runs")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__code", "script__module"]
        verbose_name = "UAT run"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "script"], name="uat_run_once_per_module"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} · {self.script.title}"


class UATResult(TenantChildModel):
    """A tester's pass/fail of one step of a run (the latest record per step counts)."""

    TENANT_FIELD = "run__organization"

    class Outcome(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"

    run = models.ForeignKey(UATRun, on_delete=models.CASCADE, related_name="results")
    step = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    notes = models.TextField(max_length=2000, blank=True)
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run", "step"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="uat_result_once_per_step")
        ]


class Feedback(OrgOwnedModel, PublicIdModel):
    """ "Report a problem / suggest": belongs to the reporter's organization."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", "Problem"
        SUGGESTION = "suggestion", "Suggestion"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        WONT_FIX = "wont_fix", "Won't fix"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROBLEM)
    summary = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    page_url = models.CharField(max_length=500, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    screenshot_name = models.CharField(max_length=200, blank=True)
    screenshot_storage = models.CharField(max_length=300, blank=True)
    screenshot_type = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_feedback",
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("id")),
                name="feedback_not_duplicate_of_itself",
            )
        ]

    def __str__(self) -> str:
        return self.summary


class FeedbackNotification(CreatedModel):
    """A message to the reporter about a change, read on the report's page; the reporter is
    told of it through the notification service (notifications/events.py)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="notifications")
    message = models.TextField()

    class Meta:
        ordering = ["created_at"]


class TrainingSession(PublicIdModel, CreatedModel):
    title = models.CharField(max_length=160)
    module = models.CharField(max_length=20, choices=MODULE_CHOICES)
    audience_role = models.CharField(
        max_length=20, choices=Role.choices, blank=True, help_text="Empty: every role."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField()
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_trained"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_ends_after_start",
                violation_error_message="The session must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="training_capacity_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(venue="", online_link=""),
                name="training_has_a_place",
                violation_error_message="Give a venue or an online link.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Enrolment(OrgOwnedModel, PublicIdModel, CreatedModel):
    """A person's place in a session (or on its waiting list), and their attendance."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "Waiting list"
        CANCELLED = "cancelled", "Cancelled"

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENROLLED)
    attended = models.BooleanField(null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="enrolment_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.session}"


def new_certificate_code() -> str:
    """128 random bits, grouped for reading aloud: unguessable, checked against the table."""
    raw = secrets.token_hex(16).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 32, 4))


class Certificate(TenantChildModel):
    TENANT_FIELD = "enrolment__organization"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(max_length=40, unique=True, default=new_certificate_code)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"Certificate {self.code[:9]}…"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class AdoptionDaily(models.Model):
    """Aggregates of one day, organization, module and role (from Redis counters; no person)."""

    day = models.DateField()
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="adoption_days"
    )
    module = models.CharField(max_length=30)
    role = models.CharField(max_length=20)
    active_users = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    writes = models.PositiveIntegerField(default=0)
    median_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "organization", "module", "role"], name="adoption_daily_unique"
            )
        ]
