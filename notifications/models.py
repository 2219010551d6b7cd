"""Notifications (the bell and its e-mails) and each person's delivery preferences."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    """What a notification is about: preferences are chosen per category."""

    DECISIONS = "decisions", "Reviews and approvals waiting for your decision"
    OUTCOMES = "outcomes", "Decisions on your work (approved, returned, changes requested)"
    ACKNOWLEDGMENTS = "acknowledgments", "Plans to read and acknowledge"
    REMINDERS = "reminders", "Reminders and overdue items"
    BUDGET = "budget", "Budget execution (allotments released, 90 % obligated)"
    PARTNERSHIPS = "partnerships", "Partnerships (invitations, milestones)"
    ONBOARDING = "onboarding", "People joining and imports"
    JOBS = "jobs", "Your background jobs (AI drafts, exports)"
    INCIDENTS = "incidents", "Incidents (recovery times passed)"
    ROLLOUT = "rollout", "Rollout (go-live blocked, your feedback reports)"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "E-mail me at once"
    DIGEST = "digest", "One e-mail a day (daily digest)"
    IN_APP = "in_app", "In the portal only (no e-mail)"


#: Delivery for a category nobody chose yet. Background jobs are watched on their page anyway.
DEFAULT_DELIVERY = dict.fromkeys(Category, Delivery.IMMEDIATE) | {Category.JOBS: Delivery.IN_APP}


class Notification(models.Model):
    """One in-app notice for one person (the bell), e-mailed according to their preference.

    It holds a title and a link only: nothing confidential is copied out of the object."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    #: The organization of the object the event is about (None for personal notices).
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    #: The event ("budget.proposal_submitted"; see notifications/events.py).
    verb = models.CharField(max_length=60)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Identifies the event (e.g. "bc-review-overdue:42:2026-03-01"): a retried task or a second
    #: run of a reminder cannot notify the same person twice.
    event_key = models.CharField(max_length=120, blank=True)
    #: How this one is e-mailed (the recipient's preference when it was created).
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread"
            ),
            models.Index(
                fields=["delivery", "created_at"],
                condition=Q(emailed_at__isnull=True) & ~Q(delivery="in_app"),
                name="notif_mail_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"],
                condition=~Q(event_key=""),
                name="notif_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"

    @property
    def label(self) -> str:
        from .events import label_of

        return label_of(self.verb)


class Preference(models.Model):
    """How one person wants one category delivered (no row: the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="notif_pref_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.category} → {self.delivery}"
