"""Object rules beyond the role ladder: the beginning of the portal's policy layer.

The role ladder (`organizations.tenancy`) says who may approve in an organization at all; this
module says who may approve or review *this* object. Views, forms (reviewer choices), services
and templates ask it instead of re-deriving the rule.

Segregation of duties, the one rule here so far: **nobody approves, reviews or is asked to
review content they contributed to or submitted.** Contributors are recorded by the services on
every content save (`organizations.contributions.record`), per kind of decided object:

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

from .contributions import subject_key
from .models import Contribution, User
from .tenancy import ACTION_MIN_ROLE, ROLE_RANK, Role, require, tenancy_of

#: Roles that may approve (and so review), from the role ladder.
APPROVER_ROLES = [r for r in Role if ROLE_RANK[r] >= ROLE_RANK[ACTION_MIN_ROLE["approve"]]]


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


def is_approver(user: Any, organization_id: int) -> bool:
    """The role ladder's part: an approver (or admin) member of the organization."""
    profile = tenancy_of(user)
    return profile.can(organization_id, "approve") and not profile.is_ocm_only


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
    approvers = list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__role__in=APPROVER_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
    if subject._meta.label_lower == "bcp.planversion":
        # People outside the organization the plan is shared with for review (sharing below).
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


# --- sharing: one plan shared per object with someone outside its organization ---------------
# (issue 18 item 6; decision record docs/decisions/0003-guardian-carries-per-object-grants.md)
#
# django-guardian stores the per-object permissions (bcp.PlanUserObjectPermission: view_plan,
# comment_plan, review_plan); bcp.PlanShare records the grant (who, why, until when, ended by
# whom). A shared right counts only while *both* exist and the grant is open and unexpired, so
# an expired grant opens nothing even before the clean-up task removes its permissions. These
# functions are the only place that reads guardian's rows: `user.has_perm(perm, plan)` is never
# asked, because guardian alone does not know about expiry.

#: A right and the guardian permissions (codenames) it carries; each right includes the lower.
SHARE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ("view_plan",),
    "comment": ("view_plan", "comment_plan"),
    "review": ("view_plan", "comment_plan", "review_plan"),
}
_CODENAME_RIGHT = {"view_plan": "view", "comment_plan": "comment", "review_plan": "review"}


def shared_rights(user: Any, plan: Any) -> frozenset[str]:
    """The rights an open, unexpired grant gives `user` on `plan` ("view", "comment",
    "review"); empty for everyone else. One query, remembered on the user for the request."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from bcp.models import PlanShare, PlanUserObjectPermission

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    memo = user.__dict__.setdefault("_shared_rights", {})
    if plan.pk not in memo:
        open_grant = PlanShare.objects.filter(
            plan_id=OuterRef("content_object_id"),
            grantee_id=OuterRef("user_id"),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        codenames = PlanUserObjectPermission.objects.filter(
            user=user, content_object_id=plan.pk, permission__content_type__app_label="bcp"
        ).filter(Exists(open_grant))
        memo[plan.pk] = frozenset(
            _CODENAME_RIGHT[c]
            for c in codenames.values_list("permission__codename", flat=True)
            if c in _CODENAME_RIGHT
        )
    return memo[plan.pk]


def forget_shared_rights(user: Any) -> None:
    """Drop the request's memo (after a grant changes within a request)."""
    user.__dict__.pop("_shared_rights", None)


def is_plan_member(user: Any, plan: Any) -> bool:
    """A member of the plan's organization (whatever the role): the role ladder applies."""
    return tenancy_of(user).roles.get(plan.organization_id) is not None


def may_share(user: Any, plan: Any) -> bool:
    """May `user` share `plan` (or revoke its grants)? The organization's BCM coordinators:
    an approver or org admin of the plan's organization, never an OCM read-only user, never
    someone the plan is only shared with; an archived plan is shared with nobody."""
    from bcp.models import Plan

    return is_approver(user, plan.organization_id) and plan.status != Plan.Status.ARCHIVED


def require_may_share(user: Any, plan: Any) -> None:
    if not may_share(user, plan):
        raise PermissionDenied(
            "Only the organization's BCM coordinators (approvers and organization admins) may "
            "share a plan or end a grant."
        )


def grantee_problem(grantee: Any, plan: Any) -> str | None:
    """Why `grantee` cannot be given a grant on `plan` (None: they can). Grants are for people
    outside the organization who could not otherwise read it, with an account that works."""
    if grantee is None or not grantee.is_active:
        return "Choose a person with an active account."
    profile = tenancy_of(grantee)
    if profile.is_superuser:
        return f"{grantee} is a system administrator and needs no grant."
    if profile.is_ocm_only:
        return (
            f"{grantee} has OCM read-only access: they already read every plan, and OCM access "
            "never writes, so a grant would add nothing (and cannot open comments or reviews)."
        )
    if profile.roles.get(plan.organization_id) is not None:
        return (
            f"{grantee} is a member of {plan.organization.code}: their role already decides "
            "what they may do with its plans."
        )
    return None


def may_review_as_shared(user: Any, plan: Any) -> bool:
    """Someone outside the organization holding an open "review" grant on the plan."""
    return not is_plan_member(user, plan) and "review" in shared_rights(user, plan)


def may_review(user: Any, version: Any) -> bool:
    """The role ladder's part of deciding on a plan version: an approver of its organization,
    or a person the plan is shared with for review (segregation of duties applies to both)."""
    plan = version.plan
    return is_approver(user, plan.organization_id) or may_review_as_shared(user, plan)


def require_reviewer_role(user: Any, version: Any) -> None:
    """403 unless `user` may review the version: an approver, or an open review grant."""
    if not may_review(user, version):
        raise PermissionDenied("Your role does not allow you to approve this.")


def require_may_review(user: Any, version: Any) -> None:
    """403 unless `user` may review the version (role or grant), then segregation of duties."""
    require_reviewer_role(user, version)
    check_segregation(user, version)


def shared_reviewers(plan: Any) -> list[Any]:
    """People outside the organization with an open, unexpired review grant on the plan (the
    reviewers a submitter may ask besides the organization's approvers). One query."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from bcp.models import PlanShare, PlanUserObjectPermission

    open_grant = PlanShare.objects.filter(
        plan=plan, grantee_id=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    review_permission = PlanUserObjectPermission.objects.filter(
        content_object=plan, user_id=OuterRef("pk"), permission__codename="review_plan"
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Exists(open_grant), Exists(review_permission))
        .exclude(memberships__organization_id=plan.organization_id)
        .order_by("last_name", "first_name", "email")
    )
