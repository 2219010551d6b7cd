"""Strategic planning: plans, their goals, annual work plans and the objectives that measure them.

Progress is never stored: it is computed in SQL (see `planning.selectors`) from the objectives'
baseline/target/current values, rolled up objective → goal → plan.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.tenancy import OrgOwnedModel
from organizations.fulltext import document_field, document_index, trigram_index
from organizations.modelbases import PublicIdModel, TenantChildModel, TimestampedModel

#: A plan covers at most this many fiscal years (start and end year included).
MAX_PLAN_YEARS = 10

VALUE = {"max_digits": 16, "decimal_places": 2}


class StrategicPlan(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """An organization's multi-year strategic plan (vision, mission, goals)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    #: Optimistic lock: bumped on every save through the services.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("title", "vision", "mission")

    class Meta:
        ordering = ["-start_year", "title"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            document_index(name="planning_plan_search"),
            trigram_index("title", name="planning_plan_title_trgm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="planning_plan_end_after_start",
                violation_error_message="The end year cannot be before the start year.",
            ),
            models.CheckConstraint(
                condition=Q(end_year__lte=F("start_year") + (MAX_PLAN_YEARS - 1)),
                name="planning_plan_at_most_10_years",
                violation_error_message=f"A plan covers at most {MAX_PLAN_YEARS} years.",
            ),
            models.CheckConstraint(
                condition=Q(start_year__gte=2000, start_year__lte=2100),
                name="planning_plan_start_year_sane",
                violation_error_message="The start year must be between 2000 and 2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_year}–{self.end_year})"

    @property
    def is_editable(self) -> bool:
        """Goals and the plan's own fields change only while it is a draft."""
        return self.status == self.Status.DRAFT

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Priority(models.IntegerChoices):
    """Ordered by meaning: sorting by the number puts the most important first."""

    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"


class StrategicGoal(TenantChildModel, PublicIdModel, TimestampedModel):
    """A goal of a strategic plan, with the metric that tells whether it is reached."""

    TENANT_FIELD = "plan__organization"

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    target_metric = models.CharField(
        max_length=200, help_text="What is measured, e.g. “facility-based deliveries (%)”."
    )
    baseline_value = models.DecimalField(**VALUE, default=0)
    target_value = models.DecimalField(**VALUE)
    current_value = models.DecimalField(**VALUE, default=0)

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("title", "description", "target_metric")

    class Meta:
        ordering = ["priority", "title"]
        indexes = [
            document_index(name="planning_goal_search"),
            trigram_index("title", name="planning_goal_title_trgm"),
        ]

    def __str__(self) -> str:
        return self.title


class AnnualWorkPlan(TenantChildModel, PublicIdModel, TimestampedModel):
    """What a plan intends for one year. One per plan and year, inside the plan's years."""

    TENANT_FIELD = "plan__organization"

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="work_plans")
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="planning_one_work_plan_per_year",
                violation_error_message="This plan already has a work plan for that year.",
            )
        ]
        triggers = [
            # A CHECK cannot look at the plan's row; a trigger can, so no write path (admin,
            # shell, bulk insert) puts a work plan outside its plan's years.
            pgtrigger.Trigger(
                name="planning_work_plan_year_inside_plan",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func="IF NOT EXISTS (SELECT 1 FROM planning_strategicplan p"
                " WHERE p.id = NEW.plan_id"
                " AND NEW.year BETWEEN p.start_year AND p.end_year) THEN"
                " RAISE EXCEPTION 'planning: work plan year % is outside its plan''s years',"
                " NEW.year USING ERRCODE = 'check_violation'; END IF; RETURN NEW;",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} work plan · {self.plan.title}"

    def clean(self) -> None:
        plan = self.plan if self.plan_id else None
        if plan and self.year and not (plan.start_year <= self.year <= plan.end_year):
            raise ValidationError(
                {
                    "year": f"The year must be within the plan's years ({plan.start_year}–"
                    f"{plan.end_year})."
                }
            )


class WorkPlanObjective(TenantChildModel, PublicIdModel, TimestampedModel):
    """A measurable objective of a work plan, serving one goal of the same plan."""

    TENANT_FIELD = "work_plan__plan__organization"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DELAYED = "delayed", "Delayed"
        CANCELLED = "cancelled", "Cancelled"

    work_plan = models.ForeignKey(
        AnnualWorkPlan, on_delete=models.CASCADE, related_name="objectives"
    )
    goal = models.ForeignKey(StrategicGoal, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    indicator = models.CharField(max_length=200)
    baseline_value = models.DecimalField(**VALUE, default=0)
    target_value = models.DecimalField(**VALUE)
    current_value = models.DecimalField(**VALUE, default=0)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["goal__priority", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.goal_id and self.work_plan_id and self.goal.plan_id != self.work_plan.plan_id:
            raise ValidationError({"goal": "The goal must belong to the same strategic plan."})

    def check_target_in_year(self) -> None:
        """An objective is due inside its work plan's year (services call it on a new date)."""
        year = self.work_plan.year
        if self.target_date and self.target_date.year != year:
            raise ValidationError(
                {
                    "target_date": f"This is the {year} work plan: the target date must be in "
                    f"{year} (1 Jan – 31 Dec), not {self.target_date:%-d %b %Y}."
                }
            )
