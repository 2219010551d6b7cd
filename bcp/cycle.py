"""The BC programme cycle's rules: review intervals, who must acknowledge a plan
version, and review campaigns.

One home for each rule, asked by the plan page, the services, the reminders (notifications app)
and the OCM aggregation:

* `review_interval_months(plan)`: how long an approval holds (the organization's policy, shorter
  per template or for a plan with a process of critical impact);
* `plan_audience(plan)` / `attach_audience(plans)`: who must acknowledge the plan's active
  version, for one plan and in bulk (same definition, pinned by tests against each other);
* `campaign_rows(campaign)`: each departmental plan's state in a review campaign.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from organizations.models import Department, Membership, Organization, User

from .models import (
    Acknowledgment,
    ContinuityPolicy,
    CriticalProcess,
    Plan,
    PlanVersion,
    ReviewCampaign,
)

# --- policy ---------------------------------------------------------------------------------------


def policy_for(organization_id: int) -> ContinuityPolicy:
    """The organization's programme rules; an unsaved row with the defaults when it has none."""
    policy = ContinuityPolicy.objects.filter(organization_id=organization_id).first()
    return policy or ContinuityPolicy(organization_id=organization_id)


def review_interval_months(plan: Plan, policy: ContinuityPolicy | None = None) -> int:
    """How long an approval of this plan holds: the shortest of the organization's interval,
    the template's (if it sets one) and, for a plan with a critical-impact process, the
    organization's interval for critical plans."""
    policy = policy or policy_for(plan.organization_id)
    months = [policy.review_interval_months]
    if plan.template.review_interval_months:
        months.append(plan.template.review_interval_months)
    if CriticalProcess.objects.filter(
        plan=plan, impact_rating=CriticalProcess.Impact.CRITICAL
    ).exists():
        months.append(policy.critical_review_interval_months)
    return min(months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan → 28 Feb)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month0 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - unreachable


def next_review_after_approval(plan: Plan, approved_on: datetime.date) -> tuple[datetime.date, int]:
    """The next review date an approval on `approved_on` sets, and the interval it applied."""
    months = review_interval_months(plan)
    return add_months(approved_on, months), months


# --- audience: who must acknowledge a version -----------------------------------------------------


def plan_audience(plan: Plan) -> QuerySet[User]:
    """Who must acknowledge the plan's active version, in name order (the plan page's list).

    Active users who are members of the plan's organization and, for a departmental plan, of
    its department. A department without members has an empty audience (never the whole
    organization); acknowledgments by anyone else (other departments, OCM staff, people shared
    the plan) are kept but never count.
    """
    memberships = Membership.objects.filter(organization_id=plan.organization_id)
    if plan.department_id:
        memberships = memberships.filter(department_id=plan.department_id)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "email"
    )


def acknowledgments_due(user: Any, organization: Organization) -> QuerySet[PlanVersion]:
    """Active versions of the organization's plans that `user` must acknowledge and has not: the
    same rule as `plan_audience`, asked from the reader's side (the department's members for a
    departmental plan, every member for an organization-wide one)."""
    member = Membership.objects.filter(user=user, organization_id=OuterRef("plan__organization_id"))
    in_department = member.filter(department_id=OuterRef("plan__department_id"))
    acked = Acknowledgment.objects.filter(version=OuterRef("pk"), user=user)
    return (
        PlanVersion.objects.for_user(user)
        .filter(plan__organization=organization, plan__current_version=F("pk"))
        .filter((Q(plan__department__isnull=True) & Q(Exists(member))) | Q(Exists(in_department)))
        .filter(~Exists(acked))
        .select_related("plan")
        .order_by("approved_at")
    )


def unacknowledged(plan: Plan) -> QuerySet[User]:
    """The audience members who have not acknowledged the active version."""
    if plan.current_version_id is None:
        return User.objects.none()
    acked = Acknowledgment.objects.filter(version_id=plan.current_version_id, user=OuterRef("pk"))
    return plan_audience(plan).filter(~Exists(acked))


def attach_audience(plans: list[Plan]) -> list[Plan]:
    """Set `audience_size` and `audience_acknowledged` (of the active version) on each plan, by
    the same rule as `plan_audience`. Two plain queries whatever the number of plans (cheap to
    plan and run: the OCM aggregation calls it for every organization)."""
    org_ids = {p.organization_id for p in plans}
    version_ids = {p.current_version_id for p in plans if p.current_version_id}
    members: dict[int, set[int]] = {}
    by_department: dict[int, set[int]] = {}
    for org_id, dept_id, user_id in Membership.objects.filter(
        organization_id__in=org_ids, user__is_active=True
    ).values_list("organization_id", "department_id", "user_id"):
        members.setdefault(org_id, set()).add(user_id)
        if dept_id is not None:
            by_department.setdefault(dept_id, set()).add(user_id)
    acknowledged: dict[int, set[int]] = {}
    for version_id, user_id in Acknowledgment.objects.filter(
        version_id__in=version_ids
    ).values_list("version_id", "user_id"):
        acknowledged.setdefault(version_id, set()).add(user_id)
    for plan in plans:
        if plan.department_id:
            audience = by_department.get(plan.department_id, set())
        else:
            audience = members.get(plan.organization_id, set())
        plan.audience_size = len(audience)
        plan.audience_acknowledged = (
            len(audience & acknowledged.get(plan.current_version_id, set()))
            if plan.current_version_id
            else 0
        )
    return plans


# --- review campaigns -----------------------------------------------------------------------------


@dataclass
class CampaignRow:
    """One department (or organization-wide plan) in a review campaign."""

    department: Department | None
    plan: Plan | None
    state: str  # reviewed / in_review / draft / not_started / no_plan
    label: str
    overdue: bool


CAMPAIGN_STATES = {
    "reviewed": "Reviewed",
    "in_review": "In review",
    "draft": "Revision in progress",
    "not_started": "Not started",
    "no_plan": "No plan",
}


def campaign_rows(campaign: ReviewCampaign) -> list[CampaignRow]:
    """Each department that must have a plan (and each plan), with its state in the campaign.

    A plan is *reviewed* when a version was approved on or after the campaign's start; otherwise
    it is in review, being revised (a draft opened since the start) or not started. Unreviewed
    rows are overdue once the due date has passed. Three queries whatever the size.
    """
    from .models import PlanVersion

    today = timezone.localdate()
    start = datetime.datetime.combine(
        campaign.starts_on, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    approved_since = PlanVersion.objects.filter(plan=OuterRef("pk"), approved_at__gte=start)
    open_status = Subquery(
        PlanVersion.objects.filter(plan=OuterRef("pk"), status__in=PlanVersion.OPEN_STATUSES)
        .order_by()
        .values("status")[:1]
    )
    plans = list(
        Plan.objects.filter(organization_id=campaign.organization_id)
        .exclude(status=Plan.Status.ARCHIVED)
        .select_related("department", "current_version")
        .annotate(reviewed=Exists(approved_since), open_status=open_status)
        .order_by("department__name", "title")
    )
    rows: list[CampaignRow] = []
    covered: set[int] = set()
    for plan in plans:
        if plan.reviewed:
            state = "reviewed"
        elif plan.open_status == "in_review":
            state = "in_review"
        elif plan.open_status == "draft":
            state = "draft"
        else:
            state = "not_started"
        if plan.department_id:
            covered.add(plan.department_id)
        rows.append(
            CampaignRow(
                plan.department,
                plan,
                state,
                CAMPAIGN_STATES[state],
                state != "reviewed" and campaign.due_date < today,
            )
        )
    for department in departments_needing_plans(campaign.organization_id):
        if department.pk not in covered:
            rows.append(
                CampaignRow(
                    department,
                    None,
                    "no_plan",
                    CAMPAIGN_STATES["no_plan"],
                    campaign.due_date < today,
                )
            )
    rows.sort(
        key=lambda r: (r.department.name if r.department else "", r.plan.title if r.plan else "")
    )
    return rows


def departments_needing_plans(organization_id: int) -> QuerySet[Department]:
    """The organization's departments that must have a plan (all but the policy's exemptions)."""
    exempt = ContinuityPolicy.exempt_departments.through.objects.filter(
        continuitypolicy__organization_id=organization_id
    ).values("department_id")
    return (
        Department.objects.filter(organization_id=organization_id)
        .exclude(pk__in=exempt)
        .order_by("name")
    )


def campaigns_for(user: Any, organization: Organization) -> QuerySet[ReviewCampaign]:
    return ReviewCampaign.objects.for_user(user).for_organization(organization)
