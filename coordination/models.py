"""Inter-MOA partnerships: a lead organization, invited participants, milestones and comments
(their notifications are the notification service's: notifications/).

Visibility has one door, `Partnership.objects.for_user` (see `PartnershipQuerySet`), whose rule
lives in the policy layer (`core/policies/coordination.py`): members of the lead
organization, members of accepted participants, org_admins of invited participants (to answer the
invitation), OCM users for partnerships marked visible to OCM, and superusers. Milestones,
participants and comments reach their rows through that same queryset.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.policies import coordination as policies
from core.tenancy import OrgOwnedModel, OrgQuerySet, tenancy_of
from organizations.fulltext import document_field, document_index, trigram_index
from organizations.modelbases import CreatedModel, PublicIdModel, TenantChildModel, TimestampedModel

#: The module whose switch governs partnerships (core/modules.py).
MODULE = policies.MODULE


class ParticipantState(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PartnershipQuerySet(OrgQuerySet):
    """The single enforcement point for who sees a partnership (the rule:
    `core.policies.partnership_scope`).

    `for_user(user, "view")` returns the partnerships the user may open:
      * members (any role) of the lead organization;
      * members (any role) of an organization whose participation is accepted;
      * org_admins of an organization that is invited and has not answered yet
        (`include_invitations=False` leaves these out: invitees see the invitation, not the work);
      * OCM users: partnerships marked `visible_to_ocm` (read-only, the middleware refuses writes);
      * superusers: everything.
    Any other action (change/approve/admin) belongs to the lead organization only: the rows are
    the user's organizations' partnerships, and `require()` gives 403 for a too-low role.
    """

    def for_user(
        self, user: Any, action: str = "view", *, include_invitations: bool = True
    ) -> PartnershipQuerySet:
        # The rule lives in the policy layer (core/policies/coordination.py).
        return policies.partnership_scope(
            self, user, action, include_invitations=include_invitations
        )


class Partnership(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """An inter-MOA partnership. `organization` is the lead (the tenant that owns and edits it)."""

    class Type(models.TextChoices):
        BILATERAL = "bilateral", "Bilateral agreement"
        MULTILATERAL = "multilateral", "Multilateral agreement"
        JOINT_PROGRAM = "joint_program", "Joint program"
        RESOURCE_SHARING = "resource_sharing", "Resource sharing"
        CAPACITY_BUILDING = "capacity_building", "Capacity building"
        POLICY_COORDINATION = "policy_coordination", "Policy coordination"
        SERVICE_DELIVERY = "service_delivery", "Service delivery"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_APPROVAL = "pending_approval", "Pending approval"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        TERMINATED = "terminated", "Terminated"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    title = models.CharField(max_length=200)
    partnership_type = models.CharField("type", max_length=30, choices=Type.choices)
    objectives = models.TextField()
    expected_outcomes = models.TextField(blank=True)
    deliverables = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    total_budget = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Total budget in pesos, if the partnership has one.",
    )
    focal_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partnerships_as_focal_person",
        help_text="The lead organization's contact for this partnership.",
    )
    visible_to_ocm = models.BooleanField(
        "visible to OCM",
        default=False,
        help_text="Let the Office of the Chief Minister read this partnership (read-only).",
    )
    participants = models.ManyToManyField(
        "organizations.Organization",
        through="PartnershipParticipant",
        related_name="partnerships_joined",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = PartnershipQuerySet.as_manager()

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("title", "objectives")

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="partnership_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(total_budget__isnull=True) | Q(total_budget__gt=0),
                name="partnership_budget_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            document_index(name="coord_partnership_search"),
            trigram_index("title", name="coord_partnership_title_trgm"),
        ]
        triggers = [
            # Participants are checked against the lead when they are written; a lead that
            # could change afterwards would slip past that check, so the lead is fixed.
            pgtrigger.ReadOnly(name="partnership_lead_is_fixed", fields=["organization"]),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})


class ParticipantQuerySet(models.QuerySet):
    """Participant rows are visible to whoever may open their partnership (invitees included)."""

    def for_user(self, user: Any, action: str = "view") -> ParticipantQuerySet:
        visible = Partnership.objects.for_user(user, action)
        return self.filter(partnership__in=visible.values("pk"))

    def for_invited_member(self, user: Any) -> ParticipantQuerySet:
        """Rows whose *participant* organization is one of the user's (any role): the invitation
        side. Answering still needs org_admin (`require(..., "admin")` → 403 otherwise)."""
        profile = tenancy_of(user)
        if profile.is_superuser:
            return self.all()
        return self.filter(organization_id__in=profile.organization_ids("view", MODULE))


class PartnershipParticipant(TenantChildModel, PublicIdModel):
    """An organization taking part in a partnership, with its invitation state.

    The lead cannot be a participant: services and forms refuse it, and a database trigger
    refuses a row whose organization is the partnership's lead.
    """

    TENANT_FIELD = "partnership__organization"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="participant_links"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="partnership_participations",
    )
    state = models.CharField(
        max_length=20, choices=ParticipantState.choices, default=ParticipantState.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField()
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="A note to the invited organization.")

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organization"], name="participant_unique_per_partnership"
            )
        ]
        triggers = [
            pgtrigger.Trigger(
                name="participant_is_not_the_lead",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF EXISTS (
                    SELECT 1 FROM coordination_partnership p
                    WHERE p.id = NEW.partnership_id AND p.organization_id = NEW.organization_id
                ) THEN
                    RAISE EXCEPTION 'The lead organization cannot be a participant'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.code} in {self.partnership}"

    def clean(self) -> None:
        if (
            self.partnership_id
            and self.organization_id
            and self.organization_id == self.partnership.organization_id
        ):
            raise ValidationError(
                {"organization": "The lead organization cannot be a participant."}
            )


class MilestoneQuerySet(models.QuerySet):
    """Milestones are visible to whoever sees the partnership's work (not mere invitees)."""

    def for_user(self, user: Any, action: str = "view") -> MilestoneQuerySet:
        visible = Partnership.objects.for_user(user, action, include_invitations=False)
        return self.filter(partnership__in=visible.values("pk"))


class Milestone(TenantChildModel, PublicIdModel, TimestampedModel):
    """A dated step of a partnership, carried by one organization (the lead or a participant)."""

    TENANT_FIELD = "partnership__organization"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        BLOCKED = "blocked", "Blocked"
        CANCELLED = "cancelled", "Cancelled"

    #: Statuses for which a past due date means nothing any more.
    CLOSED = (Status.COMPLETED, Status.CANCELLED)

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_date = models.DateField()
    responsible_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent complete, 0 to 100.",
    )
    #: The due date for which the overdue notice went out: one notice per overdue event, and
    #: a new one if the date is moved and passes again.
    overdue_notified_for = models.DateField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="milestone_progress_0_100",
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status not in self.CLOSED and self.due_date < today

    def check_due_in_period(self) -> None:
        """A milestone is due inside its partnership's period (services call it on a new date)."""
        start, end = self.partnership.start_date, self.partnership.end_date
        if self.due_date and (self.due_date < start or (end and self.due_date > end)):
            period = f"{start:%-d %b %Y} – {end:%-d %b %Y}" if end else f"from {start:%-d %b %Y}"
            raise ValidationError(
                {
                    "due_date": f"The partnership runs {period}: the milestone must be due "
                    f"inside it, not on {self.due_date:%-d %b %Y}."
                }
            )


class PartnershipCommentQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> PartnershipCommentQuerySet:
        visible = Partnership.objects.for_user(user, "view", include_invitations=False)
        return self.filter(partnership__in=visible.values("pk"))


class PartnershipComment(TenantChildModel, PublicIdModel, CreatedModel):
    """One message in a partnership's discussion thread."""

    TENANT_FIELD = "partnership__organization"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: The organization the author spoke for, kept even if their membership ends.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()

    objects = PartnershipCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.partnership}"
