"""Budget preparation (proposal → programs → line items) and execution (allotments, obligations,
disbursements).

Ceilings (ARCHITECTURE.md §4) are enforced in `budgeting.services` under `select_for_update()` on
the parent row; amounts > 0 and the stored line-item totals are CHECK constraints.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.tenancy import OrgOwnedModel, OrgQuerySet
from organizations.fulltext import document_field, document_index, trigram_index
from organizations.modelbases import CreatedModel, PublicIdModel, TenantChildModel, TimestampedModel

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
    """The allotment classes of the appropriations act (UACS): an obligation is charged to one
    of them, and money of one class never pays for another."""

    PS = "PS", "Personnel services (PS)"
    MOOE = "MOOE", "Maintenance and other operating expenses (MOOE)"
    FINEX = "FinEx", "Financial expenses (FinEx)"
    CO = "CO", "Capital outlay (CO)"


#: The government's name for the same list.
AllotmentClass = ExpenseClass

#: UACS fund clusters by fund source (used in ORS and DV numbers and on the SAAODB).
FUND_CLUSTERS = {
    "gaab": "01",
    "block_grant": "01",
    "sdf": "03",
    "tdif": "03",
    "oda": "02",
}
FUND_CLUSTER_NAMES = {
    "01": "01 · Regular Agency Fund",
    "02": "02 · Foreign Assisted Projects Fund",
    "03": "03 · Special Account – Locally Funded/Domestic Grants Fund",
}


class ObjectCode(models.Model):
    """A UACS object code (the chart of the expenses the portal records), within one allotment
    class. Seeded by `manage.py load_uacs` (and the data migration); editable in the admin."""

    code = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=200)
    allotment_class = models.CharField(max_length=5, choices=ExpenseClass.choices)
    is_active = models.BooleanField(default=True, help_text="Inactive codes are not offered.")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{10}$"),
                name="budgeting_object_code_ten_digits",
                violation_error_message="A UACS object code has ten digits.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BudgetProposal(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """An organization's budget proposal for one fiscal year (one per organization and year)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

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

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("title", "notes")

    class Meta:
        ordering = ["-fiscal_year"]
        indexes = [
            document_index(name="budgeting_proposal_search"),
            trigram_index("title", name="budgeting_proposal_title_trgm"),
        ]
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


class ProgramBudget(TenantChildModel, PublicIdModel, TimestampedModel):
    """A program, activity or project of a proposal, serving a strategic goal."""

    TENANT_FIELD = "proposal__organization"

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

    #: The full-text document of the portal search (organizations/fulltext.py).
    search_document = document_field("name", "code", "description")

    class Meta:
        ordering = ["code", "name"]
        indexes = [
            document_index(name="budgeting_program_search"),
            trigram_index("name", name="budgeting_program_name_trgm"),
        ]
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


class BudgetLineItem(TenantChildModel, PublicIdModel, CreatedModel):
    """One costed line of a program: unit cost × quantity, the total computed once and stored."""

    TENANT_FIELD = "program__proposal__organization"

    program = models.ForeignKey(ProgramBudget, on_delete=models.CASCADE, related_name="line_items")
    expense_class = models.CharField(max_length=5, choices=ExpenseClass.choices)
    object_code = models.ForeignKey(
        ObjectCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    unit_cost = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    total_cost = models.DecimalField(**MONEY, editable=False)

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

    def clean(self) -> None:
        if self.object_code_id and self.object_code.allotment_class != self.expense_class:
            raise ValidationError(
                {
                    "object_code": f"{self.object_code} is a {self.object_code.allotment_class} "
                    f"code: choose a {self.expense_class} code, or change the class."
                }
            )

    def compute_total(self) -> None:
        if self.unit_cost is not None and self.quantity is not None:
            self.total_cost = (Decimal(self.unit_cost) * self.quantity).quantize(Decimal("0.01"))


class Quarter(models.IntegerChoices):
    Q1 = 1, "Q1"
    Q2 = 2, "Q2"
    Q3 = 3, "Q3"
    Q4 = 4, "Q4"


class MoneyQuerySet(OrgQuerySet):
    """Rows of money (allotments, obligations, disbursements). What counts is said once, by the
    model's `live_q()`: `live()` keeps the rows whose money counts in every total and against
    every ceiling (cancelled allotments and obligations and void disbursements never do)."""

    def live(self) -> MoneyQuerySet:
        return self.filter(self.model.live_q())


# --- running totals per allotment (kept by PostgreSQL, read by the OCM aggregation) -------------

_EXECUTION = "budgeting_allotmentexecution"


def _add_to_execution(column: str, deltas: str) -> str:
    """SQL adding `deltas` (a query of (allotment_id, delta)) to `column` of the allotments'
    running totals: increments, so concurrent statements add up instead of overwriting."""
    # Trigger DDL built from this module's constants, never from input.
    return (
        f"INSERT INTO {_EXECUTION} (allotment_id, obligated, disbursed)"  # noqa: S608
        f" SELECT allotment_id, {'SUM(delta)' if column == 'obligated' else '0'},"
        f" {'SUM(delta)' if column == 'disbursed' else '0'}"
        f" FROM ({deltas}) AS deltas GROUP BY allotment_id HAVING SUM(delta) <> 0"
        f" ON CONFLICT (allotment_id) DO UPDATE"
        f" SET {column} = {_EXECUTION}.{column} + EXCLUDED.{column};"
    )


def _execution_triggers(
    kind: str, column: str, live_rows: str, update_guard: str = ""
) -> list[pgtrigger.Trigger]:
    """The three statement-level AFTER triggers (insert, update, delete) that add the change of
    each statement to `column` of the running totals. `live_rows` is a query of (allotment_id,
    delta) over the counted rows among `{rows}`, with `{sign}` before the amount; an update
    counts its new rows and takes away its old ones. `update_guard` runs first on updates."""

    def live(sign: str, rows: str) -> str:
        return live_rows.format(sign=sign, rows=rows)

    deltas = {
        pgtrigger.Insert: live("", "new_rows"),
        pgtrigger.Update: live("", "new_rows") + " UNION ALL " + live("-", "old_rows"),
        pgtrigger.Delete: live("-", "old_rows"),
    }
    return [
        pgtrigger.Trigger(
            name=f"budgeting_execution_{kind}_{operation_name}",
            operation=operation,
            when=pgtrigger.After,
            level=pgtrigger.Statement,
            referencing=pgtrigger.Referencing(
                old=None if operation == pgtrigger.Insert else "old_rows",
                new=None if operation == pgtrigger.Delete else "new_rows",
            ),
            func=(update_guard if operation == pgtrigger.Update else "")
            + _add_to_execution(column, deltas[operation])
            + " RETURN NULL;",
        )
        for operation_name, operation in (
            ("insert", pgtrigger.Insert),
            ("update", pgtrigger.Update),
            ("delete", pgtrigger.Delete),
        )
    ]


#: (allotment, ± net amount) of the live obligations among `rows`.
_LIVE_OBLIGATIONS = (
    "SELECT allotment_id, {sign}(amount + adjustments_total) AS delta FROM {rows}"
    " WHERE status = 'obligated'"
)
#: (allotment, ± amount) of the live payments among `rows`.
_LIVE_PAYMENTS = (
    "SELECT o.allotment_id, {sign}d.amount AS delta FROM {rows} d"
    " JOIN budgeting_obligation o ON o.id = d.obligation_id WHERE d.status <> 'void'"
)


class Allotment(TenantChildModel, PublicIdModel, CreatedModel):
    """Authority to obligate released against an approved program (PAP), for one allotment class
    and quarter. Valid until `valid_until` (the end of its fiscal year, or later for continuing
    appropriations); `reverted_on` is set by the year-end close when its balance lapsed."""

    TENANT_FIELD = "program__proposal__organization"

    class Status(models.TextChoices):
        RELEASED = "released", "Released"
        CANCELLED = "cancelled", "Cancelled"

    program = models.ForeignKey(ProgramBudget, on_delete=models.PROTECT, related_name="allotments")
    allotment_class = models.CharField(
        max_length=5, choices=ExpenseClass.choices, default=ExpenseClass.MOOE
    )
    quarter = models.PositiveSmallIntegerField(choices=Quarter.choices)
    amount = models.DecimalField(**MONEY)
    release_reference = models.CharField(max_length=60, help_text="e.g. the SARO number.")
    release_date = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    reverted_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RELEASED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = MoneyQuerySet.as_manager()

    class Meta:
        ordering = ["quarter", "release_date", "id"]
        constraints = [positive("amount", "budgeting_allotment_amount_positive", "amount")]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.allotment_class} {self.get_quarter_display()} {self.release_reference}"

    @staticmethod
    def live_q(prefix: str = "") -> Q:
        """The allotments that count (released, not cancelled), from a path `prefix`."""
        return Q(**{f"{prefix}status": Allotment.Status.RELEASED})


class Obligation(TenantChildModel, PublicIdModel, CreatedModel):
    """A commitment to pay a payee, charged against an allotment and one UACS object code of the
    allotment's class. `amount` is the amount first obligated and never changes; adjustments
    (ObligationAdjustment) add up in `adjustments_total`, so the obligation stands at
    amount + adjustments_total. It is due and demandable once `delivered_on` is recorded."""

    TENANT_FIELD = "allotment__program__proposal__organization"

    class Status(models.TextChoices):
        OBLIGATED = "obligated", "Obligated"
        CANCELLED = "cancelled", "Cancelled"

    allotment = models.ForeignKey(Allotment, on_delete=models.PROTECT, related_name="obligations")
    #: Denormalized from the allotment's program, so ORS numbers are unique per organization.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payee = models.CharField(max_length=200)
    expense_class = models.CharField(
        max_length=5, choices=ExpenseClass.choices, default=ExpenseClass.MOOE
    )
    object_code = models.ForeignKey(
        ObjectCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=60, blank=True, help_text="e.g. the PO or contract.")
    ors_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ors_serial = models.PositiveIntegerField(null=True, blank=True)
    ors_number = models.CharField(max_length=30, blank=True)
    amount = models.DecimalField(**MONEY)
    adjustments_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    obligated_on = models.DateField()
    delivered_on = models.DateField(
        null=True, blank=True, help_text="Delivery or service accepted: the obligation is due."
    )
    delivery_reference = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OBLIGATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = MoneyQuerySet.as_manager()

    class Meta:
        ordering = ["obligated_on", "id"]
        constraints = [
            positive("amount", "budgeting_obligation_amount_positive", "amount"),
            models.UniqueConstraint(
                fields=["organization", "ors_year", "ors_serial"],
                name="budgeting_one_ors_serial_per_org_year",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=-F("adjustments_total")),
                name="budgeting_obligation_net_positive",
                violation_error_message="An obligation cannot be adjusted to zero or less.",
            ),
        ]
        indexes = [models.Index(fields=["allotment", "status"])]
        triggers = [
            # The running totals of AllotmentExecution, kept by whatever writes obligations
            # (services, bulk loads, the shell): what counts is the live_q() below.
            *_execution_triggers(
                "obligation",
                "obligated",
                _LIVE_OBLIGATIONS,
                update_guard="IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n"
                " ON n.id = o.id WHERE n.allotment_id <> o.allotment_id) THEN RAISE EXCEPTION"
                " 'budgeting: an obligation stays charged to its allotment'"
                " USING ERRCODE = 'check_violation'; END IF; ",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} · {self.ors_number or self.reference or self.public_id}"

    @staticmethod
    def live_q(prefix: str = "") -> Q:
        """The obligations that count (not cancelled), from a path `prefix`."""
        return Q(**{f"{prefix}status": Obligation.Status.OBLIGATED})

    @property
    def net_amount(self) -> Decimal:
        """What the obligation stands at: the amount first obligated plus its adjustments."""
        return self.amount + self.adjustments_total


#: SQL: an obligation's current amount (original + adjustments).
NET_OBLIGATION = F("amount") + F("adjustments_total")


class ObligationAdjustment(TenantChildModel, CreatedModel):
    """An increase (> 0) or decrease (< 0) of a recorded obligation, with its reason: the
    original amount is never edited."""

    TENANT_FIELD = "obligation__allotment__program__proposal__organization"

    obligation = models.ForeignKey(
        "Obligation", on_delete=models.PROTECT, related_name="adjustments"
    )
    amount = models.DecimalField(**MONEY)
    adjusted_on = models.DateField()
    reason = models.CharField(max_length=300)
    reference = models.CharField(max_length=60, blank=True, help_text="e.g. the amended PO.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["adjusted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0),
                name="budgeting_adjustment_not_zero",
                violation_error_message="An adjustment cannot be zero.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} {self.reason}"


class Disbursement(TenantChildModel, PublicIdModel, CreatedModel):
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

    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, related_name="disbursements"
    )
    #: Denormalized from the obligation, so DV numbers are unique per organization.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dv_year = models.PositiveSmallIntegerField(null=True, blank=True)
    dv_serial = models.PositiveIntegerField(null=True, blank=True)
    dv_number = models.CharField(max_length=30, blank=True)
    amount = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=60, blank=True, help_text="Check or ADA number.")
    disbursed_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROCESSING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = MoneyQuerySet.as_manager()

    class Meta:
        ordering = ["disbursed_on", "id"]
        constraints = [
            positive("amount", "budgeting_disbursement_amount_positive", "amount"),
            models.UniqueConstraint(
                fields=["organization", "dv_year", "dv_serial"],
                name="budgeting_one_dv_serial_per_org_year",
            ),
        ]
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
            ),
            # The running totals of AllotmentExecution (see Obligation's triggers).
            *_execution_triggers("payment", "disbursed", _LIVE_PAYMENTS),
        ]

    def __str__(self) -> str:
        return f"{self.get_payment_method_display()} {self.reference or self.public_id}"

    @staticmethod
    def live_q(prefix: str = "") -> Q:
        """The payments that count (processing or paid, never void), from a path `prefix`."""
        return ~Q(**{f"{prefix}status": Disbursement.Status.VOID})


class AllotmentExecution(models.Model):
    """Running totals of one allotment: what its live obligations stand at (amount plus
    adjustments) and what its live payments add up to. Kept by PostgreSQL triggers on
    obligations and disbursements (statement-level, adding each statement's change), never
    written by Django; read where every allotment of every organization is summed (the OCM
    dashboard), so that no read has to scan every obligation and payment. A missing row
    means nothing obligated or paid yet."""

    allotment = models.OneToOneField(
        Allotment, on_delete=models.CASCADE, primary_key=True, related_name="execution"
    )
    obligated = models.DecimalField(**MONEY, default=Decimal("0.00"))
    disbursed = models.DecimalField(**MONEY, default=Decimal("0.00"))

    def __str__(self) -> str:
        return f"{self.allotment}: obligated {self.obligated}, disbursed {self.disbursed}"


class DisbursementLineItem(TenantChildModel):
    """The share of a disbursement charged to one cost centre."""

    TENANT_FIELD = "disbursement__obligation__allotment__program__proposal__organization"

    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.CASCADE, related_name="line_items"
    )
    cost_centre = models.CharField(max_length=120)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [positive("amount", "budgeting_disbursement_line_positive", "amount")]

    def __str__(self) -> str:
        return f"{self.cost_centre}: {self.amount}"


class DocumentCounter(models.Model):
    """The last serial given to an organization's ORS or DV numbers in a year. Locked with
    SELECT … FOR UPDATE while a number is taken, in the transaction that records the document,
    so numbers are gapless and never repeat."""

    class Kind(models.TextChoices):
        ORS = "ors", "Obligation request and status (ORS)"
        DV = "dv", "Disbursement voucher (DV)"

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=3, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "year"], name="budgeting_one_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_serial}"


class ReportSignatory(OrgOwnedModel):
    """Who signs an organization's budget reports in each certification role."""

    class Role(models.TextChoices):
        BUDGET_OFFICER = "budget_officer", "Budget officer"
        CHIEF_ACCOUNTANT = "chief_accountant", "Chief accountant"
        HEAD_OF_OFFICE = "head_of_office", "Head of office"

    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["organization", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "role"], name="budgeting_one_signatory_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class YearEndClose(OrgOwnedModel, CreatedModel):
    """An organization's fiscal year closed: the unobligated balances of its allotments that
    expire with the year reverted (Allotment.reverted_on); continuing ones stay open."""

    fiscal_year = models.PositiveSmallIntegerField()
    closed_on = models.DateField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reverted_total = models.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="budgeting_one_close_per_org_year"
            )
        ]

    def __str__(self) -> str:
        return f"FY {self.fiscal_year} closed"
