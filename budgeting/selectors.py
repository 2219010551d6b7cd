"""Reads of the budgeting app, scoped to the user asking. Utilization is computed in SQL.

Definitions (as in the government's budget execution reports):
  allotted  = live (not cancelled) allotments       obligation rate  = obligated / allotted
  obligated = live (not cancelled) obligations, each at its amount plus its adjustments
  disbursed = disbursements that are not void       disbursement rate = disbursed / obligated
Allotment classes (PS, MOOE, FinEx, CO) are those of the allotment; an obligation always has its
allotment's class (budgeting.services).
A cancelled allotment carries no live obligation and a cancelled obligation no live payment (the
services refuse it), so each sum filters only its own rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404

from core import versioned_cache
from organizations.models import Organization

from . import rules
from .models import (
    NET_OBLIGATION,
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    ExpenseClass,
    Obligation,
    ProgramBudget,
    Quarter,
)

MONEY = DecimalField(max_digits=18, decimal_places=2)
RATE = DecimalField(max_digits=9, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def _sum_of(queryset: QuerySet, group: str, field: Any = "amount") -> Coalesce:
    """SQL: the sum of `field` over the rows of `queryset` grouped by `group` (0 when none)."""
    sub = queryset.values(group).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(sub, output_field=MONEY), ZERO)


def rate(numerator, denominator) -> ExpressionWrapper:
    """SQL: numerator / denominator in percent, NULL when the denominator is zero."""
    return ExpressionWrapper(
        F(numerator) * Value(100) / NullIf(F(denominator), ZERO), output_field=RATE
    )


def with_utilization(programs: QuerySet[ProgramBudget]) -> QuerySet[ProgramBudget]:
    """Programs annotated with allotted/obligated/disbursed sums and both rates (one query)."""
    return programs.annotate(
        allotted=_sum_of(Allotment.objects.live().filter(program=OuterRef("pk")), "program"),
        obligated=_sum_of(
            Obligation.objects.live().filter(allotment__program=OuterRef("pk")),
            "allotment__program",
            NET_OBLIGATION,
        ),
        disbursed=_sum_of(
            Disbursement.objects.filter(obligation__allotment__program=OuterRef("pk")).live(),
            "obligation__allotment__program",
        ),
    ).annotate(
        obligation_rate=rate("obligated", "allotted"),
        disbursement_rate=rate("disbursed", "obligated"),
        unallotted=ExpressionWrapper(
            Coalesce(F("approved_amount"), ZERO) - F("allotted"), output_field=MONEY
        ),
    )


# --- proposals -----------------------------------------------------------------------------------


def proposals_for(user: Any, organization: Organization) -> QuerySet[BudgetProposal]:
    """The organization's proposals with program counts and totals (one query, any size)."""
    requested = ProgramBudget.objects.filter(proposal=OuterRef("pk"))
    return (
        BudgetProposal.objects.for_user(user)
        .for_organization(organization)
        .select_related("created_by")
        .annotate(
            program_count=Coalesce(
                Subquery(
                    requested.values("proposal").annotate(n=Count("pk")).values("n"),
                ),
                0,
            ),
            requested_total=Coalesce(
                Subquery(
                    requested.values("proposal").annotate(s=Sum("requested_amount")).values("s"),
                    output_field=MONEY,
                ),
                ZERO,
            ),
            approved_total=Coalesce(
                Subquery(
                    requested.values("proposal").annotate(s=Sum("approved_amount")).values("s"),
                    output_field=MONEY,
                ),
                ZERO,
            ),
        )
        .order_by("-fiscal_year")
    )


def proposal_for(user: Any, public_id) -> BudgetProposal:
    """One proposal the user may see (404 otherwise)."""
    return get_object_or_404(
        BudgetProposal.objects.for_user(user).select_related(
            "organization", "created_by", "submitted_by", "approved_by", "strategic_plan"
        ),
        public_id=public_id,
    )


#: Line items shown under each program on the proposal page; the rest are one click away on the
#: program's own paginated list (a program can hold a thousand lines).
ITEMS_SHOWN = 5


def _class_total(expense_class: str) -> Sum:
    return Sum("line_items__total_cost", filter=Q(line_items__expense_class=expense_class))


def programs_of(proposal: BudgetProposal) -> list[ProgramBudget]:
    """A proposal's programs with line totals by expense class and their first line items.

    Two queries whatever the number of line items: the programs with their sums and counts, and
    the first ITEMS_SHOWN line items of each (`shown_items`)."""
    return list(
        proposal.programs.select_related("goal", "work_plan")
        .annotate(
            line_total=Sum("line_items__total_cost"),
            line_count=Count("line_items"),
            ps_total=_class_total(ExpenseClass.PS),
            mooe_total=_class_total(ExpenseClass.MOOE),
            co_total=_class_total(ExpenseClass.CO),
        )
        .prefetch_related(
            Prefetch(
                "line_items",
                queryset=BudgetLineItem.objects.order_by("expense_class", "id")[:ITEMS_SHOWN],
                to_attr="shown_items",
            )
        )
        .order_by("code", "name")
    )


def program_for(user: Any, public_id) -> ProgramBudget:
    """One program the user may see (404 otherwise), with its proposal and line totals."""
    return get_object_or_404(
        ProgramBudget.objects.for_user(user)
        .select_related("proposal__organization", "goal", "work_plan")
        .annotate(line_total=Sum("line_items__total_cost"), line_count=Count("line_items")),
        public_id=public_id,
    )


def line_items_of(program: ProgramBudget) -> QuerySet[BudgetLineItem]:
    return program.line_items.order_by("expense_class", "id")


# --- execution -----------------------------------------------------------------------------------

#: The execution dashboard's year summary (totals, quarters, classes) is cached per organization
#: and year under this version namespace; any budgeting write bumps it (budgeting/apps.py).
EXECUTION_CACHE = "budget"


def forget_execution_summaries() -> None:
    """After bulk writes that send no signals."""
    versioned_cache.bump(EXECUTION_CACHE)


def cached_execution_years(organization: Organization) -> list[int]:
    """`execution_years`, cached (see above)."""
    return versioned_cache.cached(
        EXECUTION_CACHE, [organization.pk, "years"], lambda: execution_years(organization)
    )


def year_summary(organization: Organization, fiscal_year: int) -> dict[str, Any]:
    """Totals and rates, by quarter and by expense class, of one organization's year (cached:
    the same for everyone who may see the organization's budget)."""
    return versioned_cache.cached(
        EXECUTION_CACHE,
        [organization.pk, fiscal_year],
        lambda: {
            "totals": organization_utilization(organization, fiscal_year),
            **quarters_and_classes(organization, fiscal_year),
        },
    )


def execution_years(organization: Organization) -> list[int]:
    return list(
        BudgetProposal.objects.filter(
            organization=organization, status=BudgetProposal.Status.APPROVED
        )
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
    )


def executed_programs(user: Any, organization: Organization, fiscal_year: int) -> QuerySet:
    """Programs of the organization's approved proposal for a year, with their utilization."""
    return with_utilization(
        ProgramBudget.objects.for_user(user)
        .filter(
            proposal__organization=organization,
            proposal__fiscal_year=fiscal_year,
            proposal__status=BudgetProposal.Status.APPROVED,
        )
        .order_by("code", "name")
    )


def organization_utilization(
    organization: Organization, fiscal_year: int
) -> dict[str, Decimal | None]:
    """Totals and rates of one organization's year, in one query (a subquery per total)."""

    def scope(prefix: str) -> dict[str, Any]:
        return {
            f"{prefix}proposal__organization": OuterRef("pk"),
            f"{prefix}proposal__fiscal_year": fiscal_year,
            f"{prefix}proposal__status": BudgetProposal.Status.APPROVED,
        }

    org_key = "proposal__organization"
    return (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            approved=_sum_of(ProgramBudget.objects.filter(**scope("")), org_key, "approved_amount"),
            allotted=_sum_of(
                Allotment.objects.live().filter(**scope("program__")),
                f"program__{org_key}",
            ),
            obligated=_sum_of(
                Obligation.objects.live().filter(**scope("allotment__program__")),
                f"allotment__program__{org_key}",
                NET_OBLIGATION,
            ),
            disbursed=_sum_of(
                Disbursement.objects.filter(**scope("obligation__allotment__program__")).live(),
                f"obligation__allotment__program__{org_key}",
            ),
        )
        .annotate(
            obligation_rate=rate("obligated", "allotted"),
            disbursement_rate=rate("disbursed", "obligated"),
        )
        .values(
            "approved", "allotted", "obligated", "disbursed", "obligation_rate", "disbursement_rate"
        )
        .get()
    )


def _year_scope(prefix: str, organization: Organization, fiscal_year: int) -> dict[str, Any]:
    return {
        f"{prefix}proposal__organization": organization,
        f"{prefix}proposal__fiscal_year": fiscal_year,
        f"{prefix}proposal__status": BudgetProposal.Status.APPROVED,
    }


def _class_appropriations(line_items: QuerySet[BudgetLineItem]):
    """(program id, organization id, allotment class, appropriation) of the approved programs
    whose line items are given (one grouped query; rules.class_appropriations splits each
    program's approved amount by its line items per class)."""
    lines: dict[int, dict[str, Decimal]] = {}
    amounts: dict[int, tuple[int, Decimal | None, Decimal]] = {}
    # Grouped by program and class only: the program's own columns are the same on each of its
    # lines, so Min() reads them without making PostgreSQL sort by them as well.
    for program_id, expense_class, total, org_id, approved, requested in (
        line_items.values_list("program_id", "expense_class")
        .annotate(
            Sum("total_cost"),
            Min("program__proposal__organization_id"),
            Min("program__approved_amount"),
            Min("program__requested_amount"),
        )
        .order_by()
    ):
        lines.setdefault(program_id, {})[expense_class] = total
        amounts[program_id] = (org_id, approved, requested)
    for program_id, (org_id, approved, requested) in amounts.items():
        split = rules.class_appropriations(approved, requested, lines[program_id])
        for allotment_class, amount in split.items():
            yield program_id, org_id, allotment_class, amount


def appropriations_by_program_class(
    organization: Organization, fiscal_year: int
) -> dict[tuple[int, str], Decimal]:
    """(program id, allotment class) → approved appropriation, for the organization's approved
    programs of a year (one grouped query)."""
    return {
        (program_id, allotment_class): amount
        for program_id, _org, allotment_class, amount in _class_appropriations(
            BudgetLineItem.objects.filter(**_year_scope("program__", organization, fiscal_year))
        )
    }


def quarters_and_classes(organization: Organization, fiscal_year: int) -> dict[str, Any]:
    """Allotted, obligated and disbursed per quarter of release and per allotment class, with
    the appropriation per class (four grouped queries, whatever the rows)."""
    zero = Decimal("0.00")
    quarter_sums = {
        q: {"allotted": zero, "obligated": zero, "disbursed": zero} for q, _ in Quarter.choices
    }
    class_sums = {
        c: {"appropriation": zero, "allotted": zero, "obligated": zero, "disbursed": zero}
        for c, _ in ExpenseClass.choices
    }
    grouped = [
        (
            "allotted",
            Allotment.objects.filter(**_year_scope("program__", organization, fiscal_year))
            .live()
            .values_list("quarter", "allotment_class")
            .annotate(Sum("amount")),
        ),
        (
            "obligated",
            Obligation.objects.filter(
                **_year_scope("allotment__program__", organization, fiscal_year)
            )
            .live()
            .values_list("allotment__quarter", "allotment__allotment_class")
            .annotate(total=Sum(NET_OBLIGATION)),
        ),
        (
            "disbursed",
            Disbursement.objects.filter(
                **_year_scope("obligation__allotment__program__", organization, fiscal_year)
            )
            .live()
            .values_list("obligation__allotment__quarter", "obligation__allotment__allotment_class")
            .annotate(Sum("amount")),
        ),
    ]
    for figure, queryset in grouped:
        for quarter, allotment_class, total in queryset.order_by():
            quarter_sums[quarter][figure] += total
            class_sums[allotment_class][figure] += total
    for (_program, allotment_class), amount in appropriations_by_program_class(
        organization, fiscal_year
    ).items():
        class_sums[allotment_class]["appropriation"] += amount
    return {
        "quarters": [{"label": label, **quarter_sums[value]} for value, label in Quarter.choices],
        "classes": [
            {
                "code": value,
                "label": label,
                **class_sums[value],
                # kept under its old name for the pages and the API that read it
                "budgeted": class_sums[value]["appropriation"],
                "unobligated": class_sums[value]["allotted"] - class_sums[value]["obligated"],
            }
            for value, label in ExpenseClass.choices
        ],
    }


def program_with_utilization(user: Any, public_id) -> ProgramBudget:
    """One program the user may see (404 otherwise) with its utilization."""
    return get_object_or_404(
        with_utilization(ProgramBudget.objects.for_user(user)).select_related(
            "proposal__organization", "goal"
        ),
        public_id=public_id,
    )


def allotments_of(program: ProgramBudget) -> QuerySet[Allotment]:
    return program.allotments.annotate(
        obligated=_sum_of(
            Obligation.objects.live().filter(allotment=OuterRef("pk")),
            "allotment",
            NET_OBLIGATION,
        )
    ).order_by("quarter", "allotment_class", "release_date", "id")


def obligations_of(program: ProgramBudget) -> QuerySet[Obligation]:
    return (
        Obligation.objects.filter(allotment__program=program)
        .select_related("allotment", "object_code")
        .annotate(
            disbursed=_sum_of(
                Disbursement.objects.filter(obligation=OuterRef("pk")).live(),
                "obligation",
            )
        )
        .order_by("obligated_on", "id")
    )


def disbursements_of(program: ProgramBudget) -> QuerySet[Disbursement]:
    return (
        Disbursement.objects.filter(obligation__allotment__program=program)
        .select_related("obligation__allotment")
        .prefetch_related("line_items")
        .order_by("disbursed_on", "id")
    )


# --- every organization at once, grouped (the OCM dashboard composes these) ----------------------
# The same rules as above, for all organizations in one grouped query each: only approved
# proposals carry an appropriation, and only the live rows count (the models' `live()`).

APPROVED = BudgetProposal.Status.APPROVED


def approved_by_organization() -> QuerySet:
    """(organization id, fiscal year, approved appropriation) of every approved proposal."""
    return (
        ProgramBudget.objects.filter(proposal__status=APPROVED)
        .values_list("proposal__organization_id", "proposal__fiscal_year")
        .annotate(Sum("approved_amount"))
        .order_by()
    )


def execution_by_organization() -> QuerySet:
    """(organization id, fiscal year, quarter, allotment class, allotted, obligated, disbursed)
    of approved budgets, one grouped query over the allotments: allotted counts the live
    allotments; obligated and disbursed are the allotments' running totals (AllotmentExecution:
    live obligations at their amount plus adjustments, payments that are not void), so no
    obligation or payment is read. Quarter and class are the allotment's."""
    zero = Value(Decimal("0.00"))
    return (
        Allotment.objects.filter(program__proposal__status=APPROVED)
        .values_list(
            "program__proposal__organization_id",
            "program__proposal__fiscal_year",
            "quarter",
            "allotment_class",
        )
        .annotate(
            allotted=Coalesce(Sum("amount", filter=Allotment.live_q()), zero),
            obligated=Coalesce(Sum("execution__obligated"), zero),
            disbursed=Coalesce(Sum("execution__disbursed"), zero),
        )
        .order_by()
    )


def appropriations_by_organization_class(fiscal_year: int) -> dict[tuple[int, str], Decimal]:
    """(organization id, allotment class) → appropriation of the year's approved programs."""
    result: dict[tuple[int, str], Decimal] = {}
    for _program, org_id, allotment_class, amount in _class_appropriations(
        BudgetLineItem.objects.filter(
            program__proposal__status=APPROVED, program__proposal__fiscal_year=fiscal_year
        )
    ):
        key = (org_id, allotment_class)
        result[key] = result.get(key, Decimal("0.00")) + amount
    return result
