"""Segregation of duties: the one helper, one exception and one message of the policy layer.

The role ladder (`core.tenancy`) says who may approve in an organization at all; this
module says who may approve or review *this* object. Views, forms (reviewer choices), services
and templates ask it (through `core.policies`) instead of re-deriving the rule.

The rule: **nobody approves, reviews or is asked to review content they contributed to or
submitted.** Contributors are recorded by the services on
every content save (`core.contributions.record`), per kind of decided object:

- a BC plan version: whoever drafted or edited its sections, whoever sent it to review, and
  whoever changed the plan's registers (processes, risks, contacts, attachments, linked changes,
  the plan's details) since the plan's last approval;
- a strategic plan: its creator and whoever changed it, its goals, work plans or objectives;
- a budget proposal: its creator, whoever changed it, its programs or line items, and whoever
  submitted it (each time).

A refusal is always `SegregationOfDuties` (a `PermissionDenied`: the portal answers 403 with the
message, the API 403 with it as `detail`), with the one message of `segregation_message()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from organizations.models import Contribution

from ..contributions import subject_key
from ..tenancy import require
from .base import is_approver, members_who_may
from .sharing import may_review_as_shared, shared_reviewers


def segregation_message(who: str, noun: str) -> str:
    """The one message of the rule (`who` is "You" or a person's name)."""
    return (
        f"{who} contributed to or submitted this {noun}, so someone else must decide on it: "
        "nobody approves or reviews what they contributed to (segregation of duties)."
    )


class SegregationOfDuties(PermissionDenied):
    """Someone who contributed to or submitted the content was about to decide on it."""

    def __init__(self, who: str, noun: str):
        self.who, self.noun = who, noun
        super().__init__(segregation_message(who, noun))

    @property
    def messages(self) -> list[str]:
        return [str(self)]


# --- who contributed, per kind of decided object -------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    noun: str
    organization_id: Callable[[Any], int]
    contributors: Callable[[Any], set[int]]


def _rows(*conditions: Q) -> set[int]:
    query = Q()
    for condition in conditions:
        query |= condition
    return set(Contribution.objects.filter(query).values_list("user_id", flat=True))


def _about(subject: models.Model) -> Q:
    subject_type, subject_id = subject_key(subject)
    return Q(subject_type=subject_type, subject_id=subject_id)


def _bc_version_contributors(version: Any) -> set[int]:
    plan = version.plan
    registers = _about(plan)
    # Register changes already decided by someone (before the plan's last approval) no longer
    # count; those made since are part of what this version's reviewers decide on.
    if plan.current_version_id and plan.current_version_id != version.pk and plan.approved_at:
        registers &= Q(last_at__gt=plan.approved_at)
    return _rows(_about(version), registers) | {version.author_id}


def _strategic_plan_contributors(plan: Any) -> set[int]:
    return _rows(_about(plan)) | {plan.created_by_id}


def _proposal_contributors(proposal: Any) -> set[int]:
    return _rows(_about(proposal)) | {proposal.created_by_id, proposal.submitted_by_id}


_KINDS: dict[str, _Kind] = {
    "bcp.planversion": _Kind(
        "BC plan version", lambda v: v.plan.organization_id, _bc_version_contributors
    ),
    "planning.strategicplan": _Kind(
        "strategic plan", lambda p: p.organization_id, _strategic_plan_contributors
    ),
    "budgeting.budgetproposal": _Kind(
        "budget proposal", lambda p: p.organization_id, _proposal_contributors
    ),
}


def _kind(subject: models.Model) -> _Kind:
    return _KINDS[subject._meta.label_lower]


def contributor_ids(subject: models.Model) -> set[int]:
    """Everyone who contributed to or submitted the content decided on (user ids)."""
    return _kind(subject).contributors(subject) - {None}


# --- the checks ----------------------------------------------------------------------------------


def segregation_problem(
    user: Any, subject: models.Model, *, contributors: set[int] | None = None, you: bool = True
) -> str | None:
    """The rule's message when `user` contributed to `subject`, else None."""
    ids = contributor_ids(subject) if contributors is None else contributors
    if user.pk in ids:
        return segregation_message("You" if you else str(user), _kind(subject).noun)
    return None


def check_segregation(
    user: Any, subject: models.Model, *, contributors: set[int] | None = None, you: bool = True
) -> None:
    """Raise SegregationOfDuties when `user` contributed to or submitted `subject`."""
    ids = contributor_ids(subject) if contributors is None else contributors
    if user.pk in ids:
        raise SegregationOfDuties("You" if you else str(user), _kind(subject).noun)


def require_may_decide(user: Any, subject: models.Model) -> None:
    """May `user` approve (or return, or review) `subject`? 403 with the reason if not."""
    require(user, _kind(subject).organization_id(subject), "approve")
    check_segregation(user, subject)


def may_decide(user: Any, subject: models.Model) -> bool:
    try:
        require_may_decide(user, subject)
    except PermissionDenied:
        return False
    return True


def decide_refusal(user: Any, subject: models.Model) -> str | None:
    """For pages: why an approver may not decide on `subject` (None when they may, or when they
    are no approver at all, which the role ladder already shows)."""
    if not is_approver(user, _kind(subject).organization_id(subject)):
        return None
    return segregation_problem(user, subject)


def reviewer_problem(user: Any, subject: models.Model) -> str | None:
    """Why `user` cannot be asked to review `subject`, for the role ladder only (None: they can).
    Segregation of duties is checked separately (`check_segregation(..., you=False)`)."""
    if is_approver(user, _kind(subject).organization_id(subject)):
        return None
    if subject._meta.label_lower == "bcp.planversion" and may_review_as_shared(user, subject.plan):
        return None
    return f"{user} is not an approver of this organization, nor shared the plan for review."


@dataclass
class ReviewerChoices:
    """The approvers who may review `subject`, and those left out by segregation of duties."""

    eligible: list[Any]
    excluded: list[Any]
    noun: str

    @property
    def help_text(self) -> str:
        text = (
            "Only approvers who did not contribute to or submit this "
            f"{self.noun} are listed: nobody approves or reviews what they contributed to "
            "(segregation of duties)."
        )
        if self.excluded:
            text += " Not listed for that reason: " + ", ".join(map(str, self.excluded)) + "."
        return text


def reviewer_choices(subject: models.Model, *, submitter: Any) -> ReviewerChoices:
    """Approvers of the subject's organization who may be asked to review it, when `submitter`
    sends it (the submitter becomes a contributor by sending it). One query (two when the
    contributors are not known yet)."""
    kind = _kind(subject)
    organization_id = kind.organization_id(subject)
    ineligible = contributor_ids(subject) | {submitter.pk}
    approvers = list(members_who_may(organization_id, "approve"))
    if subject._meta.label_lower == "bcp.planversion":
        # People outside the organization the plan is shared with for review (policies/sharing.py).
        approvers += shared_reviewers(subject.plan)
    return ReviewerChoices(
        eligible=[u for u in approvers if u.pk not in ineligible],
        excluded=[u for u in approvers if u.pk in ineligible and u.pk != submitter.pk],
        noun=kind.noun,
    )


def check_reviewers(subject: models.Model, reviewers: Iterable[Any], *, actor: Any) -> list[str]:
    """Role problems of the reviewers `actor` chose (messages); raises SegregationOfDuties for the
    first reviewer who contributed to or submitted the subject (the actor included)."""
    ids = contributor_ids(subject)
    problems = []
    for reviewer in reviewers:
        check_segregation(reviewer, subject, contributors=ids, you=reviewer.pk == actor.pk)
        problem = reviewer_problem(reviewer, subject)
        if problem:
            problems.append(problem)
    return problems
