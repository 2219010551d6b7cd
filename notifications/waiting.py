""" "Waiting for you": what each person must act on, on the home page and counted in the menu.

Per person, in the organization they work in: reviews and approvals to decide, their drafts
returned to them, acknowledgments to give, overdue items they own (and, for an organization's
admins, overdue items of the organization), invitations to answer. Who may decide is the policy
layer's answer (`policies.may_decide`); who must acknowledge is bcp's (`plan_audience`).

The summary is cached (core/versioned_cache.py) under the tokens of the organization's
namespace ("waiting:<org>", bumped by every event and by writes of the records it is computed
from, notifications/signals.py), of the person's ("waiting-user:<id>", bumped by their
invitations) and of the tenancy profiles (a changed role or department changes what waits), so a
page pays one cache round trip for the menu's count. Because every change that matters bumps a
token and the key holds the date (overdue items), an entry lives for an hour, or until the first
of its invitations expires: a person computes their summary about once an hour, not on every
fifth minute's first page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from core import formats, policies, versioned_cache
from core.tenancy import NAMESPACE as TENANCY
from core.tenancy import tenancy_of

from .service import waiting_namespace
from .signals import user_namespace

#: Items listed per group on the home page (the count is complete).
LISTED = 5
#: At most this many pending proposals are checked one by one against segregation of duties.
PROPOSALS_CHECKED = 20
#: How long a summary is kept at most (every change that matters bumps one of its tokens).
CACHE_SECONDS = 3600
#: Items listed per group on the "Waiting for you" page itself.
PAGE_LISTED = 200


@dataclass
class Group:
    key: str
    title: str
    count: int = 0
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    limit: int = LISTED
    #: When the first of its items stops waiting by itself (an invitation expires), if ever.
    until: datetime | None = None

    def add(self, text: str, url: str) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append((text, url))


def compute(user: Any, organization: Any, listed: int = LISTED) -> list[Group]:
    """The groups for one person in one organization (None: no organization, e.g. OCM), each
    listing its first `listed` items."""
    from bcp.models import Plan, PlanVersion, Review
    from bcp.selectors import acknowledgments_due, review_queue
    from budgeting.models import BudgetProposal
    from coordination.models import Milestone, ParticipantState, PartnershipParticipant
    from core.policies import may_decide
    from organizations.invitations import pending_for, refusal

    profile = tenancy_of(user)
    decide = Group("decide", "Reviews and approvals to decide", limit=listed)
    returned = Group("returned", "Returned to you for changes", limit=listed)
    acknowledge = Group("acknowledge", "Plans to read and acknowledge", limit=listed)
    overdue = Group("overdue", "Overdue", limit=listed)
    invitations = Group("invitations", "Invitations to answer", limit=listed)
    today = timezone.localdate()

    # Only invitations the person could accept (an OCM read-only account cannot join).
    for invitation in pending_for(user) if refusal(user) is None else ():
        invitations.add(
            f"Join {invitation.organization.name} as {invitation.get_role_display().lower()}",
            reverse("organizations:my-invitations"),
        )
        invitations.until = min(filter(None, (invitations.until, invitation.expires_at)))
    org_id = organization.pk if organization is not None else None
    if org_id is None or policies.is_read_only(user):
        return [g for g in (invitations,) if g.count]
    modules = profile.modules_of(org_id)
    role = profile.roles.get(org_id)

    if "bcp" in modules:
        for review in review_queue(user, organization):
            decide.add(
                f"Review version {review.version.version_number} of “{review.version.plan.title}”",
                reverse("bcp:review-decide", args=[review.public_id]),
            )
        changes = Review.objects.filter(
            version=OuterRef("pk"),
            round=OuterRef("review_round"),
            status=Review.Status.CHANGES_REQUESTED,
        )
        for version in (
            PlanVersion.objects.for_user(user)
            .filter(plan__organization_id=org_id, author=user, status=PlanVersion.Status.DRAFT)
            .filter(Exists(changes))
            .select_related("plan")
        ):
            returned.add(
                f"Changes requested on version {version.version_number} of “{version.plan.title}”",
                reverse("bcp:version-detail", args=[version.public_id]),
            )
        for version in acknowledgments_due(user, organization):
            acknowledge.add(
                f"Acknowledge version {version.version_number} of “{version.plan.title}”",
                reverse("bcp:version-detail", args=[version.public_id]),
            )
        overdue_plans = (
            Plan.objects.for_user(user)
            .filter(organization_id=org_id, next_review_date__lt=today)
            .exclude(status=Plan.Status.ARCHIVED)
        )
        if role != "org_admin":
            overdue_plans = overdue_plans.filter(owner=user)
        for plan in overdue_plans.order_by("next_review_date"):
            overdue.add(
                f"BC plan “{plan.title}”: review due {formats.date(plan.next_review_date)}",
                reverse("bcp:plan-detail", args=[plan.public_id]),
            )

    if "budgeting" in modules:
        proposals = BudgetProposal.objects.for_user(user).filter(organization_id=org_id)
        if profile.can(org_id, "approve"):
            pending = proposals.filter(
                status__in=[BudgetProposal.Status.SUBMITTED, BudgetProposal.Status.UNDER_REVIEW]
            ).order_by("submitted_at")[:PROPOSALS_CHECKED]
            for proposal in pending:
                if may_decide(user, proposal):
                    decide.add(
                        f"Budget proposal “{proposal.title}” (FY {proposal.fiscal_year})",
                        reverse("budgeting:proposal-detail", args=[proposal.public_id]),
                    )
        for proposal in proposals.filter(status=BudgetProposal.Status.RETURNED).filter(
            Q(created_by=user) | Q(submitted_by=user)
        ):
            returned.add(
                f"Budget proposal “{proposal.title}” was returned",
                reverse("budgeting:proposal-detail", args=[proposal.public_id]),
            )

    if "coordination" in modules:
        if role == "org_admin":
            for participant in PartnershipParticipant.objects.filter(
                organization_id=org_id, state=ParticipantState.INVITED
            ).select_related("partnership"):
                invitations.add(
                    f"Partnership “{participant.partnership.title}”",
                    reverse("coordination:invitation-inbox"),
                )
        milestones = Milestone.objects.for_user(user).filter(due_date__lt=today)
        milestones = milestones.exclude(status__in=Milestone.CLOSED).filter(
            responsible_organization_id=org_id
        )
        if role != "org_admin":
            milestones = milestones.filter(partnership__focal_person=user)
        for milestone in milestones.select_related("partnership"):
            overdue.add(
                f"Milestone “{milestone.title}” of “{milestone.partnership.title}”: "
                f"due {formats.date(milestone.due_date)}",
                reverse("coordination:partnership-detail", args=[milestone.partnership.public_id]),
            )
    return [g for g in (decide, returned, acknowledge, overdue, invitations) if g.count]


def _keys(user: Any, organization: Any) -> tuple[list[str], str]:
    org_id = organization.pk if organization is not None else 0
    namespaces = [waiting_namespace(org_id), user_namespace(user.pk), TENANCY]
    return namespaces, versioned_cache.entry_key("waiting", [user.pk, org_id, timezone.localdate()])


def summary(user: Any, organization: Any) -> list[Group]:
    """The groups, from the cache when current (one round trip), else computed and stored;
    kept on the user object for the rest of the request (the menu and the home page)."""
    org_id = organization.pk if organization is not None else 0
    memo = getattr(user, "_waiting_summary", None)
    if memo is not None and memo[0] == org_id:
        return memo[1]
    groups = _summary(user, organization)
    user._waiting_summary = (org_id, groups)
    return groups


def _summary(user: Any, organization: Any) -> list[Group]:
    namespaces, key = _keys(user, organization)
    found = cache.get_many([*(versioned_cache.version_key(n) for n in namespaces), key])
    tokens = [versioned_cache.current_version(n, found) for n in namespaces]
    token = None if None in tokens else ".".join(tokens)
    stored = found.get(key)
    if token is not None and stored is not None and stored[0] == token:
        return stored[1]
    groups = compute(user, organization)
    if token is not None:
        cache.set(key, (token, groups), lifetime(groups))
    return groups


def lifetime(groups: list[Group]) -> int:
    """Seconds to keep a summary: CACHE_SECONDS, or less when an item expires before."""
    ends = [g.until for g in groups if g.until is not None]
    if not ends:
        return CACHE_SECONDS
    left = (min(ends) - timezone.now()).total_seconds()
    return max(1, min(CACHE_SECONDS, int(left)))


def count(user: Any, organization: Any) -> int:
    return sum(g.count for g in summary(user, organization))
