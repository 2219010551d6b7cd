"""Budget proposals, programs and their execution (allotments, obligations, disbursements).

Scope: `BudgetProposal.objects.for_user(user, action)` and the child models' `for_user`
(tenancy). The checks add the proposal's state: it is edited while editable (draft, returned),
decided (approved or returned) while submitted or under review by an approver who did not
contribute to it (segregation of duties); money moves only under an approved proposal: approvers
release allotments and void, editors obligate and pay. What counts against a ceiling is
budgeting's own rule (`budgeting/services.py`), not an access rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import may
from .segregation import decide_refusal


def proposals(user: Any, action: str = "view"):
    """The budget proposals `user` may see (or act on): the tenancy door."""
    from budgeting.models import BudgetProposal

    return BudgetProposal.objects.for_user(user, action)


def may_create_proposal(user: Any, organization: Any) -> bool:
    return organization is not None and may(user, organization.pk, "change")


def may_edit_proposal(user: Any, proposal: Any) -> bool:
    """Programs and line items change while the proposal is editable (draft or returned)."""
    return proposal.is_editable and may(user, proposal.organization_id, "change")


def is_being_decided(proposal: Any) -> bool:
    return proposal.status in (proposal.Status.SUBMITTED, proposal.Status.UNDER_REVIEW)


@dataclass(frozen=True)
class ProposalPermissions:
    """What a budget proposal's page may offer one user (`perms` in its templates)."""

    can_edit: bool
    can_decide: bool
    #: Why this approver may not decide (segregation of duties), else None.
    decide_refusal: str | None
    can_execute: bool


def proposal_permissions(user: Any, proposal: Any) -> ProposalPermissions:
    approver = is_being_decided(proposal) and may(user, proposal.organization_id, "approve")
    refusal = decide_refusal(user, proposal) if approver else None
    return ProposalPermissions(
        can_edit=may_edit_proposal(user, proposal),
        can_decide=approver and refusal is None,
        decide_refusal=refusal,
        can_execute=proposal.is_approved,
    )


@dataclass(frozen=True)
class LedgerPermissions:
    """What a program's ledger may offer: release allotments (approvers, approved proposals),
    obligate and pay (editors), cancel and void (approvers)."""

    can_release: bool
    can_spend: bool
    can_void: bool


def ledger_permissions(user: Any, program: Any) -> LedgerPermissions:
    organization_id = program.proposal.organization_id
    approver = may(user, organization_id, "approve")
    return LedgerPermissions(
        can_release=program.proposal.is_approved and approver,
        can_spend=may(user, organization_id, "change"),
        can_void=approver,
    )


def may_close_year(user: Any, organization: Any, year: int, today) -> bool:
    """Approvers close a fiscal year once it is over."""
    return may(user, organization.pk, "approve") and today.year > year
