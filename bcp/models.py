"""Business continuity plans, starting from BC3's data model with its flaws fixed.

What changed from BC3 and why (a BC manager's view):

* Reviews and acknowledgments point at a *version*, not at the plan: an approval or a "read and
  understood" is about the text someone read, and must not carry over to a later edit.
* Approved versions are immutable in the database (trigger), not only by convention; only one
  version per plan is active and at most one is open (draft or in review) at a time.
* Versions, reviews and acknowledgments are records: deleting a plan does not cascade them away
  (PROTECT); plans are archived instead.
* Recovery objectives are checked (0 ≤ RTO ≤ MTPD, RPO ≥ 0, MBCO 0–100 %), impact over time never
  decreases, risk likelihood and impact are 1–5 numbers and the rating is computed by the database.
* Vendors are an organization-wide registry that processes depend on, with the RTO they offer.
* Attachments are stored under generated names; the type is taken from the bytes.
"""

from __future__ import annotations

import uuid
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from core.formats import date, duration
from core.tenancy import OrgOwnedModel, OrgQuerySet
from organizations.corrective import CorrectiveActionBase
from organizations.fulltext import document_field, document_index, trigram_index
from organizations.modelbases import CreatedModel, PublicIdModel, TenantChildModel, TimestampedModel
from organizations.models import ApiToken  # noqa: F401  (moved to organizations; old import path)


class Template(PublicIdModel, TimestampedModel):
    """A plan template: an ordered list of section definitions (shipped as data)."""

    code = models.SlugField(max_length=40, help_text="Stable identifier, e.g. departmental-bcm.")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20, default="1.0")
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    review_interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Review plans of this template at least this often (shorter than the "
        "organization's interval only).",
    )

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="bcp_template_code_version"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="bcp_one_default_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SectionDefinition(models.Model):
    """One section of a template: its key in the content JSON, title, kind, help text, order."""

    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        ESCALATION_MATRIX = "escalation_matrix", "Response and escalation matrix"

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.TEXT)
    help_text = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=True)
    default = models.JSONField(null=True, blank=True, help_text="Initial value of a new plan.")

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="bcp_section_key_unique"),
            models.UniqueConstraint(fields=["template", "order"], name="bcp_section_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Plan(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """A business continuity plan of an organization (optionally of one department)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        ARCHIVED = "archived", "Archived"

    department = models.ForeignKey(
        "organizations.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bc_plans",
    )
    title = models.CharField(max_length=200)
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_bc_plans"
    )
    current_version = models.ForeignKey(
        "PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The active (approved) version.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Set only by an approval (bcp.cycle.review_interval_months): never by editing the plan.
    next_review_date = models.DateField(null=True, blank=True, editable=False)
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, editable=False, help_text="The interval the last approval applied."
    )

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("title")

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            document_index(name="bcp_plan_search"),
            trigram_index("title", name="bcp_plan_title_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("title"),
                name="bcp_plan_title_unique_per_organization",
                violation_error_message="This organization already has a plan with that title.",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1) & Q(review_interval_months__lte=36),
                name="bcp_plan_review_interval_range",
            ),
        ]
        # Per-object rights a plan can be shared with (django-guardian, bcp/sharing.py), on
        # top of Django's own view_plan.
        permissions = [
            ("comment_plan", "Can comment on a shared plan"),
            ("review_plan", "Can review a shared plan"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def review_overdue(self) -> bool:
        return self.next_review_date is None or self.next_review_date < timezone.localdate()


class PlanVersion(TenantChildModel, PublicIdModel, TimestampedModel):
    """One version of a plan's text: JSON content shaped by the plan's template.

    Drafts are edited under optimistic locking (`revision`). Once approved (active, later
    superseded) a version can never change: the services refuse it and so does a trigger.
    """

    TENANT_FIELD = "plan__organization"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        ACTIVE = "active", "Active (approved)"
        SUPERSEDED = "superseded", "Superseded"
        # A draft replaced by a generated draft: kept as a record, no longer edited.
        SET_ASIDE = "set_aside", "Set aside (replaced by a generated draft)"

    OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW)
    APPROVED_STATUSES = (Status.ACTIVE, Status.SUPERSEDED)

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    version_number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_bc_versions"
    )
    change_note = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, help_text="Optimistic-lock counter.")
    review_round = models.PositiveSmallIntegerField(default=0)
    generated_by = models.CharField(
        max_length=100, blank=True, help_text="Generator (e.g. an AI model) that drafted it."
    )
    # How a generated draft came about: kept so a reviewer knows what they read.
    generation_fallback = models.BooleanField(
        default=False, help_text="The built-in generator wrote it because the AI failed or is off."
    )
    prompt_sha256 = models.CharField(max_length=64, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    generation_ms = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-version_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "version_number"], name="bcp_version_number_unique_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(version_number__gte=1), name="bcp_version_number_positive"
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="active"), name="bcp_one_active_version"
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status__in=["draft", "in_review"]),
                name="bcp_one_open_version",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=False) | ~Q(status__in=["active", "superseded"]),
                name="bcp_approved_version_has_approval_time",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="bcp_approved_version_immutable",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Condition(
                    "OLD.status IN ('active', 'superseded') AND ("
                    "OLD.content IS DISTINCT FROM NEW.content"
                    " OR OLD.version_number IS DISTINCT FROM NEW.version_number"
                    " OR OLD.plan_id IS DISTINCT FROM NEW.plan_id"
                    " OR OLD.author_id IS DISTINCT FROM NEW.author_id"
                    " OR OLD.change_note IS DISTINCT FROM NEW.change_note"
                    " OR OLD.approved_at IS DISTINCT FROM NEW.approved_at"
                    " OR NEW.status NOT IN ('active', 'superseded')"
                    " OR (OLD.status = 'superseded' AND NEW.status <> 'superseded'))"
                ),
                func="RAISE EXCEPTION 'bcp: approved plan version % is immutable', OLD.id "
                "USING ERRCODE = 'integrity_constraint_violation'; RETURN NULL;",
            ),
            pgtrigger.Protect(
                name="bcp_approved_version_undeletable",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status__in=["active", "superseded"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · v{self.version_number}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status in self.APPROVED_STATUSES


class PlanChild(TenantChildModel, PublicIdModel, TimestampedModel):
    """Base of rows that belong to one plan; tenancy follows the plan. Each child names its
    reverse accessor (`plan.<name>`) in `Meta.default_related_name`."""

    TENANT_FIELD = "plan__organization"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT)

    class Meta:
        abstract = True


class Vendor(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """A supplier in the organization's registry, with the recovery objectives it commits to."""

    class Criticality(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    name = models.CharField(max_length=200)
    service = models.CharField(max_length=200, help_text="What they provide.")
    criticality = models.CharField(
        max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    sla = models.TextField("SLA", blank=True, help_text="Service levels in the contract.")
    contract_reference = models.CharField(max_length=100, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    rto_offered_minutes = models.PositiveIntegerField(
        "RTO offered (minutes)", null=True, blank=True
    )
    rpo_offered_minutes = models.PositiveIntegerField(
        "RPO offered (minutes)", null=True, blank=True
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                name="bcp_vendor_name_unique_per_organization",
                violation_error_message="The registry already has a vendor by that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


IMPACT_HORIZONS = ["1h", "4h", "8h", "24h", "72h"]


def _related_exists(obj: models.Model, name: str) -> bool:
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if name in cache:
        return bool(cache[name])
    return getattr(obj, name).exists()


class ProcessQuerySet(OrgQuerySet):
    """Critical processes, with their BIA coverage counted in the same query on request."""

    def with_coverage(self) -> ProcessQuerySet:
        """Annotate `strategy_count` and `dependency_count` (processes + vendors) as
        subqueries, so `has_recovery_strategy` / `has_dependencies` cost no query per row."""
        from django.db.models import Count, IntegerField, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        def count(model, field: str):
            return Coalesce(
                Subquery(
                    model.objects.filter(**{field: OuterRef("pk")})
                    .order_by()
                    .values(field)
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )

        strategies = count(RecoveryStrategy, "process")
        processes = count(CriticalProcess.depends_on.through, "from_criticalprocess")
        vendors = count(CriticalProcess.vendors.through, "criticalprocess")
        return self.annotate(strategy_count=strategies, dependency_count=processes + vendors)


class CriticalProcess(PlanChild):
    """A process from the business impact analysis, with its recovery objectives (minutes)."""

    class Impact(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 = recover first.")
    rto_minutes = models.PositiveIntegerField("RTO (minutes)", null=True, blank=True)
    rpo_minutes = models.PositiveIntegerField("RPO (minutes)", null=True, blank=True)
    mtpd_minutes = models.PositiveIntegerField("MTPD (minutes)", null=True, blank=True)
    mbco_percent = models.PositiveSmallIntegerField(
        "MBCO (%)", null=True, blank=True, help_text="Minimum business continuity objective."
    )
    impact_rating = models.CharField(max_length=10, choices=Impact.choices, default=Impact.MEDIUM)
    impact_1h = models.PositiveSmallIntegerField("Impact after 1 h", default=0)
    impact_4h = models.PositiveSmallIntegerField("Impact after 4 h", default=0)
    impact_8h = models.PositiveSmallIntegerField("Impact after 8 h", default=0)
    impact_24h = models.PositiveSmallIntegerField("Impact after 24 h", default=0)
    impact_72h = models.PositiveSmallIntegerField("Impact after 72 h", default=0)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependants"
    )
    vendors = models.ManyToManyField(Vendor, blank=True, related_name="processes")

    objects = ProcessQuerySet.as_manager()

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("name", "description")

    class Meta:
        default_related_name = "critical_processes"
        ordering = ["plan", "priority", "name"]
        indexes = [
            document_index(name="bcp_process_search"),
            trigram_index("name", name="bcp_process_name_trgm"),
        ]
        verbose_name_plural = "critical processes"
        constraints = [
            models.UniqueConstraint(
                "plan",
                Lower("name"),
                name="bcp_process_name_unique_per_plan",
                violation_error_message="This plan already has a process with that name.",
            ),
            models.CheckConstraint(
                condition=Q(rto_minutes__isnull=True)
                | Q(mtpd_minutes__isnull=True)
                | Q(rto_minutes__lte=F("mtpd_minutes")),
                name="bcp_process_rto_within_mtpd",
                violation_error_message="The RTO cannot be longer than the MTPD: a process must "
                "be back before the disruption becomes intolerable.",
            ),
            models.CheckConstraint(
                condition=Q(rto_minutes__isnull=True) | Q(rto_minutes__gte=0),
                name="bcp_process_rto_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(rpo_minutes__isnull=True) | Q(rpo_minutes__gte=0),
                name="bcp_process_rpo_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(mbco_percent__isnull=True) | Q(mbco_percent__lte=100),
                name="bcp_process_mbco_percent",
                violation_error_message="The MBCO is a percentage between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=Q(impact_72h__lte=5)
                & Q(impact_1h__lte=F("impact_4h"))
                & Q(impact_4h__lte=F("impact_8h"))
                & Q(impact_8h__lte=F("impact_24h"))
                & Q(impact_24h__lte=F("impact_72h")),
                name="bcp_process_impact_never_decreases",
                violation_error_message="Impact ratings (0–5) cannot decrease over time: a "
                "disruption does not get better by lasting longer.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def impacts(self) -> list[tuple[str, int]]:
        return [(h, getattr(self, f"impact_{h}")) for h in IMPACT_HORIZONS]

    # --- BIA coverage (ISO 22301 8.2.2 dependencies, 8.3 strategies) ------------------------------
    # Both read a prefetch (`recovery_strategies`, `depends_on`, `vendors`) or an annotation
    # (`ProcessQuerySet.with_coverage()`) when the caller made one, so lists stay at a fixed
    # number of queries; otherwise they ask the database.

    @property
    def has_recovery_strategy(self) -> bool:
        """At least one recovery strategy (workaround, alternate site, manual, vendor)."""
        annotated = getattr(self, "strategy_count", None)
        if annotated is not None:
            return annotated > 0
        return _related_exists(self, "recovery_strategies")

    @property
    def has_dependencies(self) -> bool:
        """Its dependencies are mapped: it depends on at least one process or vendor."""
        annotated = getattr(self, "dependency_count", None)
        if annotated is not None:
            return annotated > 0
        return _related_exists(self, "depends_on") or _related_exists(self, "vendors")

    def dependency_warnings(self) -> list[str]:
        """Dependencies that cannot be back in time for this process's RTO."""
        if self.rto_minutes is None:
            return []
        warnings = []
        for dependency in self.depends_on.all():
            if dependency.rto_minutes is not None and dependency.rto_minutes > self.rto_minutes:
                warnings.append(
                    f"“{self.name}” (RTO {duration(self.rto_minutes)}) depends on "
                    f"“{dependency.name}”, whose RTO is {duration(dependency.rto_minutes)}."
                )
        for vendor in self.vendors.all():
            offered = vendor.rto_offered_minutes
            if offered is not None and offered > self.rto_minutes:
                warnings.append(
                    f"“{self.name}” (RTO {duration(self.rto_minutes)}) depends on vendor "
                    f"“{vendor.name}”, which only commits to {duration(offered)}."
                )
        return warnings


class Risk(PlanChild):
    """A threat with likelihood and impact on 1–5 scales; the database computes the rating."""

    threat = models.CharField(max_length=300)
    likelihood = models.PositiveSmallIntegerField(help_text="1 (rare) to 5 (almost certain).")
    impact = models.PositiveSmallIntegerField(help_text="1 (negligible) to 5 (catastrophic).")
    rating = models.GeneratedField(
        expression=F("likelihood") * F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    mitigation = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_bc_risks",
    )

    class Meta:
        default_related_name = "risks"
        ordering = ["plan", "-rating", "threat"]
        indexes = [models.Index(fields=["plan", "rating"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1) & Q(likelihood__lte=5),
                name="bcp_risk_likelihood_1_5",
                violation_error_message="Likelihood is rated from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1) & Q(impact__lte=5),
                name="bcp_risk_impact_1_5",
                violation_error_message="Impact is rated from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return self.threat

    @staticmethod
    def level_for(rating: int) -> str:
        if rating >= 20:
            return "critical"
        if rating >= 10:
            return "high"
        if rating >= 5:
            return "medium"
        return "low"

    @property
    def level(self) -> str:
        return self.level_for(self.likelihood * self.impact)


class Contact(PlanChild):
    """Someone to call during a disruption, with an alternate when they cannot be reached."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    alternate = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="alternate_for"
    )
    notes = models.TextField(blank=True)
    confirmed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the details were last confirmed (saving the contact confirms them).",
    )

    class Meta:
        default_related_name = "contacts"
        ordering = ["plan", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""),
                name="bcp_contact_reachable",
                violation_error_message="Give a phone number or an e-mail address.",
            ),
            models.CheckConstraint(
                condition=~Q(alternate=F("id")), name="bcp_contact_not_own_alternate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Attachment(PlanChild):
    """A file attached to a plan. Stored under a generated name; type taken from its bytes."""

    original_name = models.CharField(max_length=200)
    storage_name = models.CharField(max_length=300, unique=True)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        default_related_name = "attachments"
        ordering = ["plan", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="bcp_attachment_not_empty"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="bcp_attachment_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Exercise(PlanChild):
    """An exercise of the plan (ISO 22301 8.5): planned ahead, then conducted, with results,
    findings and corrective actions; or cancelled."""

    class Kind(models.TextChoices):
        TABLETOP = "tabletop", "Tabletop"
        WALKTHROUGH = "walkthrough", "Walk-through"
        FUNCTIONAL = "functional", "Functional"
        FULL_SCALE = "full_scale", "Full-scale"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CONDUCTED = "conducted", "Conducted"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    held_on = models.DateField("Date", help_text="When it is (or was) held.")
    scenario = models.TextField()
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    processes = models.ManyToManyField(
        "CriticalProcess",
        blank=True,
        related_name="exercises_in_scope",
        help_text="The processes whose recovery is tested.",
    )
    participants = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    # Free-text actions of exercises recorded before actions were records (kept as written).
    actions = models.TextField(blank=True, help_text="Notes on actions (legacy free text).")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    conducted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_related_name = "exercises"
        ordering = ["plan", "-held_on"]
        indexes = [models.Index(fields=["plan", "status", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="conducted") | Q(conducted_at__isnull=False),
                name="bcp_exercise_conducted_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} exercise of {date(self.held_on)}"

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_conducted(self) -> bool:
        return self.status == self.Status.CONDUCTED


class ExerciseResult(TenantChildModel):
    """Achieved vs target RTO of one process in one exercise."""

    TENANT_FIELD = "exercise__plan__organization"

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="results")
    process = models.ForeignKey(CriticalProcess, on_delete=models.PROTECT, related_name="+")
    target_rto_minutes = models.PositiveIntegerField()
    achieved_rto_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["exercise", "process__priority"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "process"], name="bcp_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process}: {self.achieved_rto_minutes}/{self.target_rto_minutes} min"

    @property
    def met(self) -> bool:
        return self.achieved_rto_minutes <= self.target_rto_minutes

    @property
    def gap_minutes(self) -> int:
        """How much later than the target the process was back (0 when the target was met)."""
        return max(0, self.achieved_rto_minutes - self.target_rto_minutes)


class CorrectiveAction(CorrectiveActionBase):
    """A corrective action raised by an exercise (ISO 22301 10.1), tracked to closure.

    Closing one needs evidence of what was done; who closed it and when are kept.
    """

    TENANT_FIELD = "exercise__plan__organization"

    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    process = models.ForeignKey(
        CriticalProcess,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrective_actions",
        help_text="The process it is about, if any.",
    )
    evidence = models.TextField(blank=True, help_text="What shows the action is done.")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = OrgQuerySet.as_manager()

    class Meta(CorrectiveActionBase.Meta):
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_at__isnull=False) & Q(closed_by__isnull=False))
                | (~Q(status="done") & Q(done_at__isnull=True) & Q(closed_by__isnull=True)),
                name="bcp_action_done_has_closer",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(evidence=""),
                name="bcp_action_done_has_evidence",
                violation_error_message="Say what shows the action is done.",
            ),
        ]


class ContinuityPolicy(OrgOwnedModel):
    """An organization's BC programme rules: review and exercise cycles, which departments need
    a plan. Without a row, the defaults apply (see bcp.cycle.policy_for)."""

    review_interval_months = models.PositiveSmallIntegerField(
        default=12, help_text="Review every approved plan at least this often."
    )
    critical_review_interval_months = models.PositiveSmallIntegerField(
        default=12,
        help_text="Plans with a process of critical impact: review at least this often.",
    )
    exercises_per_year = models.PositiveSmallIntegerField(
        default=1, help_text="Exercises each plan needs per 12 months."
    )
    contact_confirmation_months = models.PositiveSmallIntegerField(
        default=6, help_text="Contacts not confirmed for longer are stale."
    )
    exempt_departments = models.ManyToManyField(
        "organizations.Department",
        blank=True,
        related_name="+",
        help_text="Departments that need no plan of their own (covered by another plan).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "continuity policies"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="bcp_one_policy_per_org"),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1)
                & Q(review_interval_months__lte=36)
                & Q(critical_review_interval_months__gte=1)
                & Q(critical_review_interval_months__lte=36),
                name="bcp_policy_review_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(exercises_per_year__gte=1) & Q(exercises_per_year__lte=12),
                name="bcp_policy_exercises_range",
            ),
            models.CheckConstraint(
                condition=Q(contact_confirmation_months__gte=1)
                & Q(contact_confirmation_months__lte=24),
                name="bcp_policy_contact_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Continuity policy of {self.organization_id}"


class ReviewCampaign(OrgOwnedModel):
    """An organization-wide review round: "all departmental plans reviewed by 31 March".

    A plan counts as reviewed when a version of it was approved on or after the campaign's start.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    starts_on = models.DateField(default=timezone.localdate)
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("starts_on")),
                name="bcp_campaign_due_after_start",
                violation_error_message="The due date cannot be before the start.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Review(TenantChildModel, PublicIdModel):
    """A reviewer's decision on one version, in one review round."""

    TENANT_FIELD = "version__plan__organization"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        WITHDRAWN = "withdrawn", "Withdrawn (round closed)"

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(default=1)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bc_reviews"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    notes = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "id"]
        indexes = [models.Index(fields=["reviewer", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "round", "reviewer"], name="bcp_review_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(status="withdrawn") | Q(decided_at__isnull=False),
                name="bcp_review_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="changes_requested") | ~Q(notes=""),
                name="bcp_review_changes_need_notes",
                violation_error_message="Say what needs to change.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.reviewer} · {self.get_status_display()}"


class Acknowledgment(TenantChildModel):
    """A member's "I have read and understood" of one active version."""

    TENANT_FIELD = "version__plan__organization"

    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="acknowledgments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bc_acknowledgments"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="bcp_ack_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.version}"


class ChangeLogEntry(PlanChild):
    """Links an external change record (by GUID) to a plan, as BC3's change-log map did."""

    change_guid = models.UUIDField("Change GUID")
    summary = models.CharField(max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        default_related_name = "change_log_entries"
        ordering = ["plan", "-created_at"]
        verbose_name_plural = "change log entries"
        constraints = [
            models.UniqueConstraint(fields=["plan", "change_guid"], name="bcp_change_once_per_plan")
        ]

    def __str__(self) -> str:
        return str(self.change_guid)


def content_section_text(value: Any) -> str:
    """A section's value as plain text (for diffs and completeness checks)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        lines = []
        # JSONB does not keep key order: list the escalation levels from minor to critical.
        rank = {"minor": 0, "moderate": 1, "major": 2, "critical": 3}
        for level, row in sorted(value.items(), key=lambda item: rank.get(item[0], 9)):
            if isinstance(row, dict):
                description = row.get("description", "")
                response, escalation = row.get("response_time", ""), row.get("escalation_level", "")
                lines.append(
                    f"{level.title()}: {description} · respond within {response} · "
                    f"escalate to {escalation}"
                )
            else:
                lines.append(f"{level}: {row}")
        return "\n".join(lines)
    return str(value)


class GenerationJob(OrgOwnedModel, PublicIdModel, CreatedModel):
    """One request to draft a plan with the AI generator; its row is what the progress bar polls.

    The task locks this row and checks its status before working, so a re-delivered task never
    drafts twice for one job.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.FAILED)

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="generation_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="Jobs started together by one command."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.TextField(blank=True, help_text="What the job is doing, for the progress bar.")
    error = models.TextField(blank=True)
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="bcp_generation_progress_percent"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(version__isnull=False),
                name="bcp_generation_done_has_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Generation for {self.plan} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class Export(TenantChildModel, PublicIdModel, CreatedModel):
    """A PDF or DOCX rendering of one plan version, with the SHA-256 of the file's bytes.

    Files are stored under their hash, so re-exporting an unchanged version (same bytes) points
    at the same file; the hash is what "verify a file" compares uploads against.
    """

    TENANT_FIELD = "version__plan__organization"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="exports")
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    #: What the file shows (bcp.exports.source_fingerprint): an identical request reuses it.
    source_sha256 = models.CharField(max_length=64, blank=True)
    storage_name = models.CharField(max_length=300, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="bcp_export_done_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.get_format_display()}"

    @property
    def filename(self) -> str:
        plan = self.version.plan
        slug = "".join(c if c.isalnum() else "-" for c in plan.title.lower()).strip("-")[:60]
        return f"{slug or 'plan'}-v{self.version.version_number}.{self.format}"


class RecoveryStrategy(models.Model):
    """How a critical process keeps going or comes back (ISO 22301 8.3), and what it needs.

    The resources follow the standard's list (people, information and data, ICT, buildings and
    facilities); each is free text a BCM coordinator writes as they would say it ("2 cashiers
    from Finance", "offline ledger on the backup laptop")."""

    TENANT_FIELD = "process__plan__organization"

    class Kind(models.TextChoices):
        WORKAROUND = "workaround", "Workaround"
        ALTERNATE_SITE = "alternate_site", "Alternate site"
        MANUAL_PROCEDURE = "manual_procedure", "Manual procedure"
        VENDOR = "vendor", "Vendor (supplier arrangement)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    process = models.ForeignKey(
        CriticalProcess, on_delete=models.CASCADE, related_name="recovery_strategies"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="In a few words, e.g. “Manual payroll”.")
    description = models.TextField(blank=True, help_text="How it is activated and run.")
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recovery_strategies",
        help_text="The supplier this strategy relies on (for a vendor strategy).",
    )
    activation_minutes = models.PositiveIntegerField(
        "Time to activate (minutes)",
        null=True,
        blank=True,
        help_text="How long until the strategy is running; should fit within the RTO.",
    )
    people = models.TextField(blank=True, help_text="Who is needed, and how many.")
    ict = models.TextField("ICT", blank=True, help_text="Systems, equipment, connectivity.")
    vital_records = models.TextField(
        blank=True, help_text="Records and data that must be at hand (where they are kept)."
    )
    facilities = models.TextField(blank=True, help_text="Workplace, building, transport.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["process", "kind", "title"]
        verbose_name_plural = "recovery strategies"
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="vendor") | Q(vendor__isnull=False),
                name="bcp_strategy_vendor_named",
                violation_error_message="A vendor strategy names the vendor it relies on.",
            ),
            models.UniqueConstraint(
                "process",
                Lower("title"),
                name="bcp_strategy_title_unique_per_process",
                violation_error_message="This process already has a strategy with that title.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"

    @property
    def plan(self) -> Plan:
        return self.process.plan

    @property
    def resources(self) -> list[tuple[str, str]]:
        """The resources written down, as (label, text) pairs."""
        labels = [
            ("People", self.people),
            ("ICT", self.ict),
            ("Vital records", self.vital_records),
            ("Facilities", self.facilities),
        ]
        return [(label, text) for label, text in labels if text.strip()]

    @property
    def too_slow(self) -> bool:
        """It takes longer to activate than the process may be down (its RTO)."""
        rto = self.process.rto_minutes
        return (
            self.activation_minutes is not None
            and rto is not None
            and (self.activation_minutes > rto)
        )


# --- plans shared per object (bcp/sharing.py) -----------------------------------------------------


class PlanShare(models.Model):
    """A grant: one plan shared with one person outside its organization, until an expiry.

    django-guardian carries the object permissions themselves (`PlanUserObjectPermission`);
    this record says who granted them, when, why, until when, and who ended them. Access needs
    both: a guardian permission *and* an open grant whose expiry has not passed, so an expired
    grant opens nothing even before the clean-up task removes its permissions."""

    TENANT_FIELD = "plan__organization"

    class Right(models.TextChoices):
        VIEW = "view", "View"
        COMMENT = "comment", "View and comment"
        REVIEW = "review", "View, comment and review"

    class EndReason(models.TextChoices):
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"
        REPLACED = "replaced", "Replaced by a new grant"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="shares")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bc_plan_shares"
    )
    right = models.CharField(max_length=10, choices=Right.choices, default=Right.VIEW)
    reason = models.CharField(
        max_length=300, help_text="Why they need it, e.g. “2026 internal audit of BCM”."
    )
    expires_at = models.DateTimeField(help_text="Access ends at this moment.")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["grantee", "expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "grantee"],
                condition=Q(revoked_at__isnull=True),
                name="bcp_share_one_open_grant",
                violation_error_message="This person already has access to this plan.",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="bcp_share_expires_after_grant"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, end_reason="")
                | Q(revoked_at__isnull=False) & ~Q(end_reason=""),
                name="bcp_share_ended_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} shared with {self.grantee} ({self.get_right_display().lower()})"

    def is_active(self, now: Any = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def last_day(self):
        """The last day the grant opens the plan (it ends at midnight after it, local time)."""
        import datetime

        return timezone.localtime(self.expires_at - datetime.timedelta(microseconds=1)).date()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return self.get_end_reason_display()
        return "Active" if self.is_active() else "Expired"


class PlanUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-object permission rows for plans, with a real foreign key (its
    "direct foreign key" models) instead of the generic table."""

    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class PlanComment(models.Model):
    """A remark on a plan by a member or a person it is shared with for comment or review."""

    TENANT_FIELD = "plan__organization"
    MAX_CHARS = 4000

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="comments")
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="bcp_comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.plan}"
