"""Writes of the budgeting app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited.

Ceilings that can never be overshot: each write that adds money locks the parent row
(`select_for_update()`) before it sums what the parent already carries, so concurrent requests
queue on that row and the second one sees the first one's money.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import notifications
from core import audit, contributions, locking, policies, writes
from core.tenancy import require
from organizations.models import Contribution, Organization

from . import ceilings, rules
from .ceilings import CeilingExceeded
from .models import (
    NET_OBLIGATION,
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    DisbursementLineItem,
    DocumentCounter,
    ObjectCode,
    Obligation,
    ObligationAdjustment,
    ProgramBudget,
    YearEndClose,
)
from .templatetags.money import peso

PROPOSAL_FIELDS = ["fiscal_year", "title", "strategic_plan_id", "notes", "status"]
PROGRAM_FIELDS = [
    "code",
    "name",
    "description",
    "goal_id",
    "work_plan_id",
    "fund_source",
    "requested_amount",
    "approved_amount",
]
LINE_FIELDS = [
    "expense_class",
    "object_code_id",
    "description",
    "unit_cost",
    "quantity",
    "total_cost",
]
ALLOTMENT_FIELDS = [
    "allotment_class",
    "quarter",
    "amount",
    "release_reference",
    "release_date",
    "valid_until",
    "status",
]
OBLIGATION_FIELDS = [
    "ors_number",
    "payee",
    "expense_class",
    "object_code_id",
    "description",
    "reference",
    "amount",
    "obligated_on",
    "status",
]
DISBURSEMENT_FIELDS = [
    "dv_number",
    "amount",
    "payment_method",
    "reference",
    "disbursed_on",
    "status",
]
ZERO = Decimal("0.00")
#: Obligations reaching this share of an allotment tell the program's editors (once).
THRESHOLD = Decimal("0.9")


#: Someone else saved the record since the form was opened (optimistic locking).
StaleEdit = locking.StaleEdit


def _require_editable(proposal: BudgetProposal) -> None:
    if not proposal.is_editable:
        raise ValidationError(
            f"This proposal is {proposal.get_status_display().lower()}: it is read-only. "
            "Only draft or returned proposals change."
        )


def _locked_proposal(proposal_id: int) -> BudgetProposal:
    return BudgetProposal.objects.select_for_update().get(pk=proposal_id)


# --- proposals -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(*, actor: Any, organization: Organization, **data: Any) -> BudgetProposal:
    """Start a draft proposal for a fiscal year (one per organization and year)."""
    require(actor, organization.pk, "change")
    proposal = BudgetProposal(organization=organization, created_by=actor, **data)
    proposal.status = BudgetProposal.Status.DRAFT
    plan = proposal.strategic_plan
    if plan is not None and plan.organization_id != organization.pk:
        raise ValidationError({"strategic_plan": "Choose a plan of your organization."})
    writes.create(proposal, actor=actor, action="budget_proposal.created", fields=PROPOSAL_FIELDS)
    contributions.record(actor=actor, subject=proposal)
    return proposal


@transaction.atomic
def proposal_update(
    *, actor: Any, proposal: BudgetProposal, revision: int | None, **data: Any
) -> BudgetProposal:
    """Change a draft or returned proposal. A missing or stale `revision` saves nothing
    (MissingRevision, StaleEdit)."""
    require(actor, proposal.organization_id, "change")
    proposal = writes.lock(
        proposal,
        revision=revision,
        stale_message="Someone else saved this proposal while you were editing it. Your changes "
        "were not saved: they are still in the form below; reload the page to see theirs, then "
        "edit again.",
    )
    _require_editable(proposal)
    if writes.update(
        proposal,
        data,
        actor=actor,
        action="budget_proposal.updated",
        fields=PROPOSAL_FIELDS,
        save_unchanged=False,
        bump_revision=True,
    ):
        contributions.record(actor=actor, subject=proposal)
    return proposal


def submission_problems(proposal: BudgetProposal) -> list[str]:
    """Every rule a proposal breaks before it may be submitted (an empty list: it may).

    Three queries whatever the number of programs: programs with their line sums."""
    problems: list[str] = []
    programs = list(
        proposal.programs.annotate(line_total=Sum("line_items__total_cost")).order_by(
            "code", "name"
        )
    )
    if not programs:
        problems.append("Add at least one program: the proposal has none.")
    for program in programs:
        if program.line_total is None:
            problems.append(f"Program “{program.name}” has no line items.")
        elif program.line_total != program.requested_amount:
            problems.append(
                f"Program “{program.name}”: its line items add up to {peso(program.line_total)}, "
                f"but it requests {peso(program.requested_amount)}."
            )
    return problems


def _transition(
    *, actor: Any, proposal: BudgetProposal, action: str, sources: Iterable[str], target: str
) -> tuple[BudgetProposal, dict]:
    proposal = _locked_proposal(proposal.pk)
    if proposal.status not in sources:
        raise ValidationError(
            f"A proposal that is {proposal.get_status_display().lower()} cannot be {action}."
        )
    before = audit.snapshot(proposal, ["status"])
    proposal.status = target
    proposal.revision += 1
    return proposal, before


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: BudgetProposal) -> BudgetProposal:
    """Submit a draft or returned proposal for review. Lists every failing rule if it may not."""
    require(actor, proposal.organization_id, "change")
    proposal, before = _transition(
        actor=actor,
        proposal=proposal,
        action="submitted",
        sources=BudgetProposal.EDITABLE,
        target=BudgetProposal.Status.SUBMITTED,
    )
    problems = submission_problems(proposal)
    if problems:
        raise ValidationError(problems)
    proposal.submitted_by = actor
    proposal.submitted_at = timezone.now()
    proposal.save()
    contributions.record(actor=actor, subject=proposal, kind=Contribution.Kind.SUBMITTED)
    audit.record(
        actor=actor,
        action="budget_proposal.submitted",
        subject=proposal,
        before=before,
        after=audit.snapshot(proposal, ["status"]),
    )
    notifications.emit("budget.proposal_submitted", proposal, actor=actor)
    return proposal


@transaction.atomic
def proposal_start_review(*, actor: Any, proposal: BudgetProposal) -> BudgetProposal:
    """An approver takes a submitted proposal under review."""
    require(actor, proposal.organization_id, "approve")
    proposal, before = _transition(
        actor=actor,
        proposal=proposal,
        action="taken under review",
        sources=[BudgetProposal.Status.SUBMITTED],
        target=BudgetProposal.Status.UNDER_REVIEW,
    )
    policies.check_segregation(actor, proposal)
    proposal.save()
    audit.record(
        actor=actor,
        action="budget_proposal.under_review",
        subject=proposal,
        before=before,
        after=audit.snapshot(proposal, ["status"]),
    )
    notifications.emit("budget.proposal_under_review", proposal, actor=actor)
    return proposal


@transaction.atomic
def proposal_approve(
    *, actor: Any, proposal: BudgetProposal, approved_amounts: dict[int, Decimal]
) -> BudgetProposal:
    """Approve a submitted proposal, setting each program's approved amount (≤ its request).

    `approved_amounts` maps program id → amount; a program left out is approved as requested."""
    require(actor, proposal.organization_id, "approve")
    proposal, before = _transition(
        actor=actor,
        proposal=proposal,
        action="approved",
        sources=[BudgetProposal.Status.SUBMITTED, BudgetProposal.Status.UNDER_REVIEW],
        target=BudgetProposal.Status.APPROVED,
    )
    policies.check_segregation(actor, proposal)
    programs = list(proposal.programs.select_for_update().order_by("pk"))
    problems = []
    for program in programs:
        amount = approved_amounts.get(program.pk, program.requested_amount)
        if amount is None or amount < 0:
            problems.append(f"“{program.name}”: the approved amount cannot be negative.")
        elif amount > program.requested_amount:
            problems.append(
                f"“{program.name}”: the approved amount ({peso(amount)}) is more than the "
                f"request ({peso(program.requested_amount)})."
            )
        program.approved_amount = amount
    if problems:
        raise ValidationError(problems)
    ProgramBudget.objects.bulk_update(programs, ["approved_amount"])
    proposal.approved_by = actor
    proposal.approved_at = timezone.now()
    proposal.return_reason = ""
    proposal.save()
    audit.record(
        actor=actor,
        action="budget_proposal.approved",
        subject=proposal,
        before=before,
        after={
            "status": proposal.status,
            "approved_amounts": {p.name: str(p.approved_amount) for p in programs},
        },
    )
    notifications.emit("budget.proposal_approved", proposal, actor=actor)
    return proposal


@transaction.atomic
def proposal_return(*, actor: Any, proposal: BudgetProposal, reason: str) -> BudgetProposal:
    """Send a submitted proposal back to its preparers with the reason."""
    require(actor, proposal.organization_id, "approve")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what must change before it comes back."})
    proposal, before = _transition(
        actor=actor,
        proposal=proposal,
        action="returned",
        sources=[BudgetProposal.Status.SUBMITTED, BudgetProposal.Status.UNDER_REVIEW],
        target=BudgetProposal.Status.RETURNED,
    )
    policies.check_segregation(actor, proposal)
    proposal.return_reason = reason.strip()
    proposal.save()
    audit.record(
        actor=actor,
        action="budget_proposal.returned",
        subject=proposal,
        before=before,
        after={"status": proposal.status, "reason": proposal.return_reason},
    )
    notifications.emit("budget.proposal_returned", proposal, actor=actor)
    return proposal


# --- programs and line items ---------------------------------------------------------------------


def _check_program_links(program: ProgramBudget, proposal: BudgetProposal) -> None:
    errors = {}
    if program.goal_id and program.goal.plan.organization_id != proposal.organization_id:
        errors["goal"] = "Choose a goal of your organization's plans."
    if program.work_plan_id:
        if program.work_plan.plan.organization_id != proposal.organization_id:
            errors["work_plan"] = "Choose a work plan of your organization."
        elif program.goal_id and program.work_plan.plan_id != program.goal.plan_id:
            errors["work_plan"] = "The work plan must belong to the goal's strategic plan."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_create(*, actor: Any, proposal: BudgetProposal, **data: Any) -> ProgramBudget:
    """Add a program to a draft or returned proposal."""
    require(actor, proposal.organization_id, "change")
    proposal = _locked_proposal(proposal.pk)
    _require_editable(proposal)
    data.pop("approved_amount", None)
    program = ProgramBudget(proposal=proposal, **data)
    _check_program_links(program, proposal)
    writes.create(program, actor=actor, action="program_budget.created", fields=PROGRAM_FIELDS)
    contributions.record(actor=actor, subject=proposal)
    return program


@transaction.atomic
def program_update(*, actor: Any, program: ProgramBudget, **data: Any) -> ProgramBudget:
    """Change a program of a draft or returned proposal."""
    proposal = program.proposal
    require(actor, proposal.organization_id, "change")
    proposal = _locked_proposal(proposal.pk)
    _require_editable(proposal)
    program = writes.lock(program)
    data.pop("approved_amount", None)
    if writes.update(
        program,
        data,
        actor=actor,
        action="program_budget.updated",
        fields=PROGRAM_FIELDS,
        organization=proposal.organization,
        prepare=lambda program: _check_program_links(program, proposal),
    ):
        contributions.record(actor=actor, subject=proposal)
    return program


@transaction.atomic
def program_delete(*, actor: Any, program: ProgramBudget) -> None:
    """Delete a program (and its line items) of a draft or returned proposal."""
    proposal = program.proposal
    require(actor, proposal.organization_id, "change")
    _require_editable(_locked_proposal(proposal.pk))
    contributions.record(actor=actor, subject=proposal)
    writes.delete(program, actor=actor, action="program_budget.deleted", fields=PROGRAM_FIELDS)


@transaction.atomic
def line_item_create(*, actor: Any, program: ProgramBudget, **data: Any) -> BudgetLineItem:
    """Add a costed line to a program; its total is unit cost × quantity, stored once."""
    proposal = program.proposal
    require(actor, proposal.organization_id, "change")
    _require_editable(_locked_proposal(proposal.pk))
    item = BudgetLineItem(program=program, **data)
    item.compute_total()
    writes.create(
        item,
        actor=actor,
        action="budget_line_item.created",
        fields=LINE_FIELDS,
        organization=proposal.organization,
    )
    contributions.record(actor=actor, subject=proposal)
    return item


@transaction.atomic
def line_item_update(*, actor: Any, item: BudgetLineItem, **data: Any) -> BudgetLineItem:
    """Change a line of a draft or returned proposal (its total is recomputed)."""
    proposal = item.program.proposal
    require(actor, proposal.organization_id, "change")
    _require_editable(_locked_proposal(proposal.pk))
    item = writes.lock(item)
    if writes.update(
        item,
        data,
        actor=actor,
        action="budget_line_item.updated",
        fields=LINE_FIELDS,
        organization=proposal.organization,
        prepare=BudgetLineItem.compute_total,
    ):
        contributions.record(actor=actor, subject=proposal)
    return item


@transaction.atomic
def line_item_delete(*, actor: Any, item: BudgetLineItem) -> None:
    """Delete a line of a draft or returned proposal."""
    proposal = item.program.proposal
    require(actor, proposal.organization_id, "change")
    _require_editable(_locked_proposal(proposal.pk))
    contributions.record(actor=actor, subject=proposal)
    writes.delete(
        item,
        actor=actor,
        action="budget_line_item.deleted",
        fields=LINE_FIELDS,
        organization=proposal.organization,
    )


# --- execution -----------------------------------------------------------------------------------


def _check_amount(amount: Decimal | None) -> None:
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})


def _class_label(allotment_class: str) -> str:
    return dict(rules.ExpenseClass.choices).get(allotment_class, allotment_class)


def appropriation_by_class(program: ProgramBudget) -> dict[str, Decimal]:
    """The program's approved appropriation per allotment class (rules.class_appropriations)."""
    line_totals = dict(
        program.line_items.values_list("expense_class").annotate(Sum("total_cost")).order_by()
    )
    return rules.class_appropriations(
        program.approved_amount, program.requested_amount, line_totals
    )


def allotment_room(program: ProgramBudget) -> dict[str, dict[str, Decimal]]:
    """Per class: appropriation, allotted (live allotments) and what is left to allot."""
    appropriation = appropriation_by_class(program)
    allotted = dict(
        program.allotments.live().values_list("allotment_class").annotate(Sum("amount")).order_by()
    )
    return {
        c: {
            "appropriation": appropriation[c],
            "allotted": allotted.get(c, ZERO),
            "left": appropriation[c] - allotted.get(c, ZERO),
        }
        for c in rules.CLASS_ORDER
    }


def _next_number(organization_id: int, kind: str, cluster: str, day: date) -> tuple[int, str]:
    """The next serial of the organization's ORS or DV numbers for the year of `day`, taken
    under a row lock on its counter (created on first use): concurrent requests queue here, and
    a transaction that rolls back gives its number back, so the serials have no gap."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(organization_id=organization_id, kind=kind, year=day.year)],
        ignore_conflicts=True,
    )
    counter = DocumentCounter.objects.select_for_update().get(
        organization_id=organization_id, kind=kind, year=day.year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial, rules.document_number(cluster, day, counter.last_serial)


@transaction.atomic
def allotment_release(
    *,
    actor: Any,
    program: ProgramBudget,
    quarter: int,
    amount: Decimal,
    release_reference: str,
    release_date: date,
    allotment_class: str,
) -> Allotment:
    """Release an allotment of one class for a quarter; the program's live allotments of that
    class ≤ its approved appropriation for the class."""
    proposal = program.proposal
    require(actor, proposal.organization_id, "approve")
    _check_amount(amount)
    if allotment_class not in rules.CLASS_ORDER:
        raise ValidationError({"allotment_class": "Choose PS, MOOE, FinEx or CO."})
    # The lock: concurrent releases for this program wait here, one after another.
    program = (
        ProgramBudget.objects.select_for_update().select_related("proposal").get(pk=program.pk)
    )
    if not program.proposal.is_approved or program.approved_amount is None:
        raise ValidationError("Allotments are released only for programs of approved proposals.")
    until = rules.valid_until(program.proposal.fiscal_year, allotment_class)
    rules.check_release_date(release_date, program.proposal.fiscal_year, until)
    room = allotment_room(program)[allotment_class]
    ceilings.add_under_ceiling(
        amount,
        ceiling=room["appropriation"],
        used=room["allotted"],
        refusal="Only {left} of the approved {ceiling} for {label} is left to allot ({used} is "
        "already allotted). Nothing was released.",
        label=_class_label(allotment_class),
    )
    allotment = Allotment(
        program=program,
        allotment_class=allotment_class,
        quarter=quarter,
        amount=amount,
        release_reference=release_reference,
        release_date=release_date,
        valid_until=until,
        created_by=actor,
    )
    writes.create(allotment, actor=actor, action="allotment.released", fields=ALLOTMENT_FIELDS)
    notifications.emit("budget.allotment_released", allotment, actor=actor)
    return allotment


@transaction.atomic
def allotment_cancel(*, actor: Any, allotment: Allotment) -> Allotment:
    """Cancel an allotment that carries no live obligation (its money stops counting)."""
    organization = allotment.program.proposal.organization
    require(actor, organization.pk, "approve")
    allotment = writes.lock(allotment)
    if allotment.status == Allotment.Status.CANCELLED:
        raise ValidationError("This allotment is already cancelled.")
    ceilings.refuse_while_counted(
        allotment.obligations,
        "This allotment carries obligations: cancel them first, then the allotment.",
    )
    writes.update(
        allotment,
        {"status": Allotment.Status.CANCELLED},
        actor=actor,
        action="allotment.cancelled",
        fields=["status"],
        organization=organization,
        validate=False,
        save_fields=["status"],
    )
    return allotment


def _obligated(allotment: Allotment) -> Decimal:
    return ceilings.counted(allotment.obligations, NET_OBLIGATION)


#: The refusal of an obligation (or an increase) above what is left of its allotment.
OBLIGATION_REFUSAL = (
    "Only {left} of this {ceiling} allotment is left to obligate ({used} is already obligated). "
    "Nothing was {done}."
)


def _check_open(allotment: Allotment) -> None:
    if allotment.status != Allotment.Status.RELEASED:
        raise ValidationError("This allotment is cancelled: nothing can be obligated against it.")
    if allotment.reverted_on is not None:
        raise ValidationError(
            f"This allotment's balance reverted at the year-end close "
            f"({allotment.reverted_on:%-d %b %Y}): nothing more can be obligated against it."
        )


@transaction.atomic
def obligation_create(
    *,
    actor: Any,
    allotment: Allotment,
    payee: str,
    amount: Decimal,
    obligated_on: date,
    object_code: ObjectCode | None,
    expense_class: str | None = None,
    description: str = "",
    reference: str = "",
) -> Obligation:
    """Obligate against a released allotment, charged to an object code of the allotment's
    class; all live obligations ≤ the allotment. Gives the obligation its ORS number."""
    program = allotment.program
    organization_id = program.proposal.organization_id
    require(actor, organization_id, "change")
    _check_amount(amount)
    if object_code is None:
        raise ValidationError({"object_code": "Choose the UACS object code to charge."})
    # The lock: concurrent obligations on this allotment wait here, one after another.
    allotment = Allotment.objects.select_for_update().get(pk=allotment.pk)
    _check_open(allotment)
    label = _class_label(allotment.allotment_class)
    if expense_class and expense_class != allotment.allotment_class:
        raise ValidationError(
            {
                "expense_class": f"This allotment is for {label}: a {expense_class} expense "
                f"must be charged to a {expense_class} allotment."
            }
        )
    if object_code.allotment_class != allotment.allotment_class:
        raise ValidationError(
            {
                "object_code": f"{object_code} is a {object_code.allotment_class} code; this "
                f"allotment is for {label}: choose one of its codes."
            }
        )
    rules.check_obligation_date(obligated_on, allotment)
    obligated = _obligated(allotment)
    ceilings.add_under_ceiling(
        amount,
        ceiling=allotment.amount,
        used=obligated,
        refusal=OBLIGATION_REFUSAL,
        done="obligated",
    )
    serial, number = _next_number(
        organization_id, "ors", rules.fund_cluster(program.fund_source), obligated_on
    )
    obligation = Obligation(
        allotment=allotment,
        organization_id=organization_id,
        payee=payee,
        amount=amount,
        obligated_on=obligated_on,
        expense_class=allotment.allotment_class,
        object_code=object_code,
        description=description,
        reference=reference,
        ors_year=obligated_on.year,
        ors_serial=serial,
        ors_number=number,
        created_by=actor,
    )
    writes.create(
        obligation,
        actor=actor,
        action="obligation.created",
        fields=OBLIGATION_FIELDS,
        organization=Organization(pk=organization_id),
    )
    if obligated < allotment.amount * THRESHOLD <= obligated + amount:  # when crossed; once
        notifications.emit("budget.allotment_90", allotment, actor=actor, key=f"90:{allotment.pk}")
    return obligation


@transaction.atomic
def obligation_adjust(
    *,
    actor: Any,
    obligation: Obligation,
    amount: Decimal,
    adjusted_on: date,
    reason: str,
    reference: str = "",
) -> ObligationAdjustment:
    """Increase (amount > 0) or decrease (amount < 0) a live obligation, with the reason. The
    original amount is never edited. An increase fits in the allotment's balance; a decrease
    leaves at least what was already paid (and more than zero)."""
    organization_id = obligation.allotment.program.proposal.organization_id
    require(actor, organization_id, "change")
    if amount is None or amount == 0:
        raise ValidationError({"amount": "Give the increase (positive) or decrease (negative)."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the obligation changes."})
    # Locks the allotment, then the obligation: obligation_create locks the allotment and
    # disbursement_create the obligation, so neither can wait on this one in reverse.
    allotment = Allotment.objects.select_for_update().get(pk=obligation.allotment_id)
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status != Obligation.Status.OBLIGATED:
        raise ValidationError("This obligation is cancelled: it cannot be adjusted.")
    rules.check_after_obligation("adjusted_on", adjusted_on, obligation, "adjustment date")
    if amount > 0:
        _check_open(allotment)
        ceilings.add_under_ceiling(
            amount,
            ceiling=allotment.amount,
            used=_obligated(allotment),
            refusal=OBLIGATION_REFUSAL,
            done="adjusted",
        )
    else:
        paid = ceilings.counted(obligation.disbursements)
        floor = max(paid, Decimal("0.01"))
        if obligation.net_amount + amount < floor:
            raise CeilingExceeded(
                {
                    "amount": f"The obligation stands at {peso(obligation.net_amount)} and "
                    f"{peso(paid)} of it is paid: it can be decreased by at most "
                    f"{peso(max(obligation.net_amount - floor, ZERO))}. To drop it entirely, "
                    "cancel it. Nothing was adjusted."
                }
            )
    adjustment = ObligationAdjustment(
        obligation=obligation,
        amount=amount,
        adjusted_on=adjusted_on,
        reason=reason.strip(),
        reference=reference,
        created_by=actor,
    )
    adjustment.full_clean()
    adjustment.save()
    before = str(obligation.net_amount)
    obligation.adjustments_total += amount
    obligation.save(update_fields=["adjustments_total"])
    audit.record(
        actor=actor,
        action="obligation.adjusted",
        subject=obligation,
        organization=Organization(pk=organization_id),
        before={"net_amount": before},
        after={
            "net_amount": str(obligation.net_amount),
            "adjustment": str(amount),
            "reason": adjustment.reason,
            "reference": reference,
        },
    )
    return adjustment


@transaction.atomic
def obligation_record_delivery(
    *, actor: Any, obligation: Obligation, delivered_on: date, delivery_reference: str = ""
) -> Obligation:
    """Record the delivery or service accepted: the unpaid balance becomes due and demandable."""
    organization_id = obligation.allotment.program.proposal.organization_id
    require(actor, organization_id, "change")
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status != Obligation.Status.OBLIGATED:
        raise ValidationError("This obligation is cancelled.")
    if obligation.delivered_on is not None:
        raise ValidationError(
            f"Delivery was already recorded on {obligation.delivered_on:%-d %b %Y}."
        )
    rules.check_after_obligation("delivered_on", delivered_on, obligation, "delivery date")
    obligation.delivered_on = delivered_on
    obligation.delivery_reference = delivery_reference
    obligation.save(update_fields=["delivered_on", "delivery_reference"])
    audit.record(
        actor=actor,
        action="obligation.delivered",
        subject=obligation,
        organization=Organization(pk=organization_id),
        after={"delivered_on": str(delivered_on), "delivery_reference": delivery_reference},
    )
    return obligation


@transaction.atomic
def obligation_cancel(*, actor: Any, obligation: Obligation) -> Obligation:
    """Cancel an obligation with no live disbursement (its money returns to the allotment)."""
    organization_id = obligation.allotment.program.proposal.organization_id
    require(actor, organization_id, "change")
    obligation = writes.lock(obligation)
    if obligation.status == Obligation.Status.CANCELLED:
        raise ValidationError("This obligation is already cancelled.")
    ceilings.refuse_while_counted(
        obligation.disbursements,
        "Payments were made against this obligation: void them first, then cancel it.",
    )
    writes.update(
        obligation,
        {"status": Obligation.Status.CANCELLED},
        actor=actor,
        action="obligation.cancelled",
        fields=["status"],
        organization=Organization(pk=organization_id),
        validate=False,
        save_fields=["status"],
    )
    return obligation


@transaction.atomic
def disbursement_create(
    *,
    actor: Any,
    obligation: Obligation,
    amount: Decimal,
    payment_method: str,
    disbursed_on: date,
    lines: list[tuple[str, Decimal]],
    reference: str = "",
) -> Disbursement:
    """Pay against a live obligation; all non-void payments ≤ the obligation (with its
    adjustments); the cost-centre lines must add up to the payment. Gives the DV number."""
    program = obligation.allotment.program
    organization_id = program.proposal.organization_id
    require(actor, organization_id, "change")
    _check_amount(amount)
    lines = [(centre.strip(), value) for centre, value in lines if centre and centre.strip()]
    if not lines:
        raise ValidationError("Charge the payment to at least one cost centre.")
    if any(value is None or value <= 0 for _c, value in lines):
        raise ValidationError("Each cost-centre amount must be more than zero.")
    lines_total = sum((value for _c, value in lines), ZERO)
    if lines_total != amount:
        raise ValidationError(
            f"The cost-centre lines add up to {peso(lines_total)}, but the payment is "
            f"{peso(amount)}: they must be equal."
        )
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status != Obligation.Status.OBLIGATED:
        raise ValidationError("This obligation is cancelled: nothing can be paid against it.")
    rules.check_after_obligation("disbursed_on", disbursed_on, obligation, "payment date")
    ceilings.add_under_ceiling(
        amount,
        ceiling=obligation.net_amount,
        used=ceilings.counted(obligation.disbursements),
        refusal="Only {left} of this {ceiling} obligation is left to pay ({used} is already "
        "disbursed). Nothing was paid.",
    )
    serial, number = _next_number(
        organization_id, "dv", rules.fund_cluster(program.fund_source), disbursed_on
    )
    disbursement = Disbursement(
        obligation=obligation,
        organization_id=organization_id,
        amount=amount,
        payment_method=payment_method,
        reference=reference,
        disbursed_on=disbursed_on,
        dv_year=disbursed_on.year,
        dv_serial=serial,
        dv_number=number,
        created_by=actor,
    )
    disbursement.full_clean()
    disbursement.save()
    DisbursementLineItem.objects.bulk_create(
        [
            DisbursementLineItem(disbursement=disbursement, cost_centre=centre, amount=value)
            for centre, value in lines
        ]
    )
    audit.record(
        actor=actor,
        action="disbursement.created",
        subject=disbursement,
        organization=Organization(pk=organization_id),
        after={
            **audit.snapshot(disbursement, DISBURSEMENT_FIELDS),
            "lines": [[c, str(v)] for c, v in lines],
        },
    )
    return disbursement


# --- year end ------------------------------------------------------------------------------------


def year_end_preview(organization: Organization, fiscal_year: int) -> dict[str, Any]:
    """What the close of a fiscal year does: the live allotments valid until the year's end
    (their unobligated balances revert) and the continuing ones (they stay open)."""
    year_end = date(fiscal_year, 12, 31)
    allotments = (
        Allotment.objects.live()
        .filter(
            program__proposal__organization=organization,
            program__proposal__status=BudgetProposal.Status.APPROVED,
            reverted_on__isnull=True,
            program__proposal__fiscal_year__lte=fiscal_year,
        )
        .select_related("program__proposal")
        .annotate(
            obligated=Coalesce(
                Sum(
                    F("obligations__amount") + F("obligations__adjustments_total"),
                    filter=Obligation.live_q("obligations__"),
                ),
                Value(ZERO),
            )
        )
        .order_by("program__proposal__fiscal_year", "program__code", "allotment_class", "quarter")
    )
    reverting, continuing = [], []
    for a in allotments:
        a.unobligated = a.amount - a.obligated
        year = a.program.proposal.fiscal_year
        until = a.valid_until or rules.valid_until(year, a.allotment_class)
        (reverting if until <= year_end else continuing).append(a)
    return {
        "reverting": reverting,
        "continuing": continuing,
        "reverting_total": sum((a.unobligated for a in reverting), ZERO),
        "continuing_total": sum((a.unobligated for a in continuing), ZERO),
        "closed": YearEndClose.objects.filter(
            organization=organization, fiscal_year=fiscal_year
        ).first(),
    }


@transaction.atomic
def year_end_close(
    *, actor: Any, organization: Organization, fiscal_year: int, closed_on: date | None = None
) -> YearEndClose:
    """Close a fiscal year (approvers, once the year is over): the unobligated balances of the
    allotments that expire with it revert, and nothing more can be obligated against them."""
    require(actor, organization.pk, "approve")
    closed_on = closed_on or timezone.localdate()
    if closed_on <= date(fiscal_year, 12, 31):
        raise ValidationError(
            f"FY {fiscal_year} is closed after its last day (31 Dec {fiscal_year}), not before."
        )
    if YearEndClose.objects.filter(organization=organization, fiscal_year=fiscal_year).exists():
        raise ValidationError(f"FY {fiscal_year} is already closed.")
    preview = year_end_preview(organization, fiscal_year)
    ids = [a.pk for a in preview["reverting"]]
    # Lock them, so no obligation slips in while they revert.
    list(Allotment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    Allotment.objects.filter(pk__in=ids).update(reverted_on=closed_on)
    close = YearEndClose(
        organization=organization,
        fiscal_year=fiscal_year,
        closed_on=closed_on,
        closed_by=actor,
        reverted_total=preview["reverting_total"],
    )
    close.full_clean()
    close.save()
    audit.record(
        actor=actor,
        action="budget_year.closed",
        subject=close,
        organization=organization,
        after={
            "fiscal_year": fiscal_year,
            "reverted_allotments": len(ids),
            "reverted_total": str(preview["reverting_total"]),
            "continuing_total": str(preview["continuing_total"]),
        },
    )
    return close


DISBURSEMENT_MOVES = {
    # action: (from statuses, to status, role action)
    "pay": ((Disbursement.Status.PROCESSING,), Disbursement.Status.PAID, "change"),
    "void": ((Disbursement.Status.PROCESSING, Disbursement.Status.PAID), "void", "approve"),
}


@transaction.atomic
def disbursement_set_status(*, actor: Any, disbursement: Disbursement, action: str) -> Disbursement:
    """Mark a payment paid, or void it (approvers; a void payment stops counting, for good)."""
    if action not in DISBURSEMENT_MOVES:
        raise ValidationError(f"Unknown action “{action}”.")
    sources, target, needed = DISBURSEMENT_MOVES[action]
    organization_id = disbursement.obligation.allotment.program.proposal.organization_id
    require(actor, organization_id, needed)
    disbursement = writes.lock(disbursement)
    if disbursement.status not in sources:
        raise ValidationError(
            f"A {disbursement.get_status_display().lower()} payment cannot be marked {target}."
        )
    writes.update(
        disbursement,
        {"status": target},
        actor=actor,
        action=f"disbursement.{target}",
        fields=["status"],
        organization=Organization(pk=organization_id),
        validate=False,
        save_fields=["status"],
    )
    return disbursement
