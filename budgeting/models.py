"""Budget preparation (proposal → programs → line items) and execution (allotments, obligations,
disbursements).

Ceilings (ARCHITECTURE.md §4) are enforced in `budgeting.services` under `select_for_update()` on
the parent row; amounts > 0 and the stored line-item totals are CHECK constraints.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from organizations.tenancy import OrgOwnedModel, OrgQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2}


def positive(field: str, name: str, label: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gt": 0}),
        name=name,
        violation_error_message=f"The {label} must be more than zero.",
    )


class FundSource(models.TextChoices):
    GAAB = "gaab", "General Appropriations Act of the Bangsamoro (GAAB)"
    BLOCK_GRANT = "block_grant", "Annual block grant"
    SPECIAL_DEVELOPMENT = "sdf", "Special Development Fund"
    TDIF = "tdif", "Transitional Development Impact Fund"
    ODA = "oda", "Official development assistance"


class ExpenseClass(models.TextChoices):
    PS = "PS", "Personnel services (PS)"
    MOOE = "MOOE", "Maintenance and other operating expenses (MOOE)"
    CO = "CO", "Capital outlay (CO)"


class BudgetProposal(OrgOwnedModel):
    """An organization's budget proposal for one fiscal year (one per organization and year)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fiscal_year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    strategic_plan = models.ForeignKey(
        "planning.StrategicPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_proposals",
    )
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(blank=True)
    #: Optimistic lock: bumped on every save through the services.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"],
                name="budgeting_one_proposal_per_org_year",
                violation_error_message="Your organization already has a proposal for that year.",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="budgeting_proposal_year_sane",
                violation_error_message="The fiscal year must be between 2000 and 2100.",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="budgeting_approved_proposal_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"FY {self.fiscal_year} · {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class ProgramBudget(models.Model):
    """A program, activity or project of a proposal, serving a strategic goal."""

    TENANT_FIELD = "proposal__organization"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(BudgetProposal, on_delete=models.CASCADE, related_name="programs")
    code = models.CharField(max_length=30, blank=True, help_text="PAP code, if there is one.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    goal = models.ForeignKey(
        "planning.StrategicGoal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
    )
    work_plan = models.ForeignKey(
        "planning.AnnualWorkPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
    )
    fund_source = models.CharField(
        max_length=20, choices=FundSource.choices, default=FundSource.GAAB
    )
    requested_amount = models.DecimalField(**MONEY)
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["code", "name"]
        constraints = [
            positive(
                "requested_amount", "budgeting_program_requested_positive", "requested amount"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="budgeting_program_approved_not_negative",
                violation_error_message="The approved amount cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class BudgetLineItem(models.Model):
    """One costed line of a program: unit cost × quantity, the total computed once and stored."""

    TENANT_FIELD = "program__proposal__organization"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(ProgramBudget, on_delete=models.CASCADE, related_name="line_items")
    expense_class = models.CharField(max_length=4, choices=ExpenseClass.choices)
    description = models.CharField(max_length=300)
    unit_cost = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    total_cost = models.DecimalField(**MONEY, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["expense_class", "id"]
        constraints = [
            positive("unit_cost", "budgeting_line_unit_cost_positive", "unit cost"),
            positive("quantity", "budgeting_line_quantity_positive", "quantity"),
            # The stored total can never disagree with its factors.
            models.CheckConstraint(
                condition=Q(total_cost=F("unit_cost") * F("quantity")),
                name="budgeting_line_total_is_unit_times_quantity",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs):
        self.compute_total()
        super().save(*args, **kwargs)

    def compute_total(self) -> None:
        if self.unit_cost is not None and self.quantity is not None:
            self.total_cost = (Decimal(self.unit_cost) * self.quantity).quantize(Decimal("0.01"))


class Quarter(models.IntegerChoices):
    Q1 = 1, "Q1"
    Q2 = 2, "Q2"
    Q3 = 3, "Q3"
    Q4 = 4, "Q4"


class Allotment(models.Model):
    """Authority to obligate released against an approved program for one quarter."""

    TENANT_FIELD = "program__proposal__organization"

    class Status(models.TextChoices):
        RELEASED = "released", "Released"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(ProgramBudget, on_delete=models.PROTECT, related_name="allotments")
    quarter = models.PositiveSmallIntegerField(choices=Quarter.choices)
    amount = models.DecimalField(**MONEY)
    release_reference = models.CharField(max_length=60, help_text="e.g. the SARO number.")
    release_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RELEASED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["quarter", "release_date", "id"]
        constraints = [positive("amount", "budgeting_allotment_amount_positive", "amount")]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.get_quarter_display()} {self.release_reference}"


class Obligation(models.Model):
    """A commitment to pay a payee, charged against an allotment."""

    TENANT_FIELD = "allotment__program__proposal__organization"

    class Status(models.TextChoices):
        OBLIGATED = "obligated", "Obligated"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    allotment = models.ForeignKey(Allotment, on_delete=models.PROTECT, related_name="obligations")
    payee = models.CharField(max_length=200)
    expense_class = models.CharField(
        max_length=4, choices=ExpenseClass.choices, default=ExpenseClass.MOOE
    )
    description = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=60, blank=True, help_text="e.g. the ORS number.")
    amount = models.DecimalField(**MONEY)
    obligated_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OBLIGATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["obligated_on", "id"]
        constraints = [positive("amount", "budgeting_obligation_amount_positive", "amount")]
        indexes = [models.Index(fields=["allotment", "status"])]

    def __str__(self) -> str:
        return f"{self.payee} · {self.reference or self.public_id}"


class Disbursement(models.Model):
    """A payment against an obligation; its cost-centre lines add up to its amount."""

    TENANT_FIELD = "obligation__allotment__program__proposal__organization"

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    class PaymentMethod(models.TextChoices):
        CHECK = "check", "Check"
        ADA = "ada", "Advice to debit account (ADA)"
        CASH_ADVANCE = "cash_advance", "Cash advance"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, related_name="disbursements"
    )
    amount = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=60, blank=True, help_text="Check or ADA number.")
    disbursed_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROCESSING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["disbursed_on", "id"]
        constraints = [positive("amount", "budgeting_disbursement_amount_positive", "amount")]
        indexes = [models.Index(fields=["obligation", "status"])]
        triggers = [
            # A voided payment stays void: its money must not silently count again.
            pgtrigger.Trigger(
                name="budgeting_void_disbursement_final",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Condition("OLD.status = 'void' AND NEW.status <> 'void'"),
                func="RAISE EXCEPTION 'budgeting: a void disbursement stays void'"
                " USING ERRCODE = 'check_violation'; RETURN NULL;",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_payment_method_display()} {self.reference or self.public_id}"


class DisbursementLineItem(models.Model):
    """The share of a disbursement charged to one cost centre."""

    TENANT_FIELD = "disbursement__obligation__allotment__program__proposal__organization"

    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.CASCADE, related_name="line_items"
    )
    cost_centre = models.CharField(max_length=120)
    amount = models.DecimalField(**MONEY)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [positive("amount", "budgeting_disbursement_line_positive", "amount")]

    def __str__(self) -> str:
        return f"{self.cost_centre}: {self.amount}"
