"""Every event the portal announces: its category, its label, who must act or be informed, and
the title and link of the notice. Services emit events by verb (`notifications.emit(verb, obj)`);
the fan-out task (notifications.service.fan_out) looks the verb up here, in the worker.

An audience function gets the event's object and the `Event` and answers user ids; the tenancy
gate (notifications.audience.openers) then keeps only those who can open the object. The actor
is never told about their own action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from . import audience as who
from .models import Category


@dataclass
class Event:
    """One event as the worker sees it."""

    verb: str
    target: Any
    actor_id: int | None = None
    #: Explicit recipients named by the emitting service (partnerships compute theirs).
    recipients: list[int] = field(default_factory=list)
    text: str = ""
    url: str = ""


@dataclass(frozen=True)
class EventType:
    category: str
    label: str
    audience: Callable[[Any, Event], set[int]]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    organization: Callable[[Any], int | None]


def _named(target: Any, event: Event) -> set[int]:
    return set(event.recipients)


def _link(name: str, attr: str = "public_id") -> Callable[[Any], str]:
    def build(target: Any) -> str:
        value = target
        for part in attr.split("."):
            value = getattr(value, part)
        return reverse(name, args=[value])

    return build


# --- per module ------------------------------------------------------------------------------


def _sp(title: str) -> dict[str, Any]:
    return {
        "title": lambda p: title.format(p=p),
        "url": _link("planning:plan-detail"),
        "organization": lambda p: p.organization_id,
    }


def _proposal(title: str) -> dict[str, Any]:
    return {
        "title": lambda p: title.format(p=p),
        "url": _link("budgeting:proposal-detail"),
        "organization": lambda p: p.organization_id,
    }


def _version(title: str) -> dict[str, Any]:
    return {
        "title": lambda v: title.format(v=v, plan=v.plan),
        "url": _link("bcp:version-detail"),
        "organization": lambda v: v.plan.organization_id,
    }


def _plan(title: str) -> dict[str, Any]:
    return {
        "title": lambda p: title.format(p=p),
        "url": _link("bcp:plan-detail"),
        "organization": lambda p: p.organization_id,
    }


def _owner_or_admins(plan: Any, event: Event) -> set[int]:
    return {plan.owner_id} if plan.owner_id else who.org_admins(plan.organization_id)


def _allotment_org(allotment: Any) -> int:
    return allotment.program.proposal.organization_id


def _partnership(verb_label: str) -> EventType:
    return EventType(
        Category.PARTNERSHIPS,
        verb_label,
        _named,
        title=lambda p: "",
        # The notice of a withdrawal is about the withdrawn organization itself (no link).
        url=lambda p: (
            reverse("coordination:partnership-detail", args=[p.public_id])
            if hasattr(p, "focal_person_id")
            else ""
        ),
        organization=lambda p: getattr(p, "organization_id", p.pk),
    )


EVENTS: dict[str, EventType] = {
    # planning (a strategic plan has no submission step: approvers decide on drafts)
    "planning.plan_approved": EventType(
        Category.OUTCOMES,
        "Strategic plan approved",
        lambda p, e: who.contributors(p),
        **_sp("The strategic plan “{p.title}” was approved."),
    ),
    "planning.plan_reopened": EventType(
        Category.OUTCOMES,
        "Strategic plan returned to draft",
        lambda p, e: who.contributors(p),
        **_sp("The strategic plan “{p.title}” was reopened as a draft for changes."),
    ),
    # budgeting
    "budget.proposal_submitted": EventType(
        Category.DECISIONS,
        "Budget proposal to decide",
        lambda p, e: who.deciders(p, p.organization_id),
        **_proposal("The budget proposal “{p.title}” (FY {p.fiscal_year}) waits for a decision."),
    ),
    "budget.proposal_under_review": EventType(
        Category.OUTCOMES,
        "Budget proposal under review",
        lambda p, e: who.contributors(p),
        **_proposal("Your budget proposal “{p.title}” is under review."),
    ),
    "budget.proposal_approved": EventType(
        Category.OUTCOMES,
        "Budget proposal approved",
        lambda p, e: who.contributors(p),
        **_proposal("The budget proposal “{p.title}” (FY {p.fiscal_year}) was approved."),
    ),
    "budget.proposal_returned": EventType(
        Category.OUTCOMES,
        "Budget proposal returned",
        lambda p, e: who.contributors(p),
        **_proposal("The budget proposal “{p.title}” was returned to you for changes."),
    ),
    "budget.proposal_stale": EventType(
        Category.REMINDERS,
        "Budget proposal waiting too long",
        lambda p, e: who.deciders(p, p.organization_id),
        **_proposal(
            "The budget proposal “{p.title}” has waited for a decision since "
            "{p.submitted_at:%d %b %Y}."
        ),
    ),
    "budget.allotment_released": EventType(
        Category.BUDGET,
        "Allotment released",
        lambda a, e: who.editors(_allotment_org(a)),
        title=lambda a: (
            f"An allotment ({a.release_reference}) was released for “{a.program.name}”."
        ),
        url=_link("budgeting:program-ledger", "program.public_id"),
        organization=_allotment_org,
    ),
    "budget.allotment_90": EventType(
        Category.BUDGET,
        "Allotment 90 % obligated",
        lambda a, e: who.editors(_allotment_org(a)),
        title=lambda a: (
            f"Obligations reached 90 % of allotment {a.release_reference} of “{a.program.name}”."
        ),
        url=_link("budgeting:program-ledger", "program.public_id"),
        organization=_allotment_org,
    ),
    # BC plans
    "bcp.review_requested": EventType(
        Category.DECISIONS,
        "BC plan review requested",
        lambda r, e: {r.reviewer_id},
        title=lambda r: (
            f"You are asked to review version {r.version.version_number} of "
            f"the BC plan “{r.version.plan.title}”."
        ),
        url=_link("bcp:review-decide"),
        organization=lambda r: r.version.plan.organization_id,
    ),
    "bcp.review_decided": EventType(
        Category.OUTCOMES,
        "BC plan review decided",
        lambda v, e: who.contributors(v),
        **_version("A reviewer approved version {v.version_number} of “{plan.title}”."),
    ),
    "bcp.changes_requested": EventType(
        Category.OUTCOMES,
        "Changes requested on a BC plan",
        lambda v, e: who.contributors(v),
        **_version("Changes were requested on version {v.version_number} of “{plan.title}”."),
    ),
    "bcp.version_approved": EventType(
        Category.ACKNOWLEDGMENTS,
        "BC plan approved: please read and acknowledge",
        # The plan's audience: the one definition of who must acknowledge (bcp.selectors).
        lambda v, e: _acknowledgers(v),
        **_version(
            "Version {v.version_number} of the BC plan “{plan.title}” is approved: "
            "please read and acknowledge it."
        ),
    ),
    "bcp.ack_pending": EventType(
        Category.ACKNOWLEDGMENTS,
        "Acknowledgment pending",
        lambda v, e: _unacknowledged(v),
        **_version(
            "Please read and acknowledge version {v.version_number} of the BC plan "
            "“{plan.title}”, approved on {v.approved_at:%d %b %Y}."
        ),
    ),
    "bcp.review_due": EventType(
        Category.REMINDERS,
        "BC plan review due",
        _owner_or_admins,
        **_plan("The BC plan “{p.title}” is due for review on {p.next_review_date:%d %b %Y}."),
    ),
    "bcp.review_overdue": EventType(
        Category.REMINDERS,
        "BC plan review overdue",
        _owner_or_admins,
        **_plan("The review of the BC plan “{p.title}” was due on {p.next_review_date:%d %b %Y}."),
    ),
    "bcp.draft_ready": EventType(
        Category.JOBS,
        "AI draft ready",
        lambda j, e: {j.requested_by_id} - {None},
        title=lambda j: f"The generated draft of “{j.plan.title}” is ready.",
        url=_link("bcp:generation-detail"),
        organization=lambda j: j.organization_id,
    ),
    "bcp.draft_failed": EventType(
        Category.JOBS,
        "AI draft failed",
        lambda j, e: {j.requested_by_id} - {None},
        title=lambda j: f"The draft of “{j.plan.title}” could not be generated.",
        url=_link("bcp:generation-detail"),
        organization=lambda j: j.organization_id,
    ),
    "bcp.export_ready": EventType(
        Category.JOBS,
        "Export ready",
        lambda x, e: {x.requested_by_id} - {None},
        title=lambda x: (
            f"The {x.get_format_display()} export of “{x.version.plan.title}” "
            f"version {x.version.version_number} is ready."
        ),
        url=_link("bcp:export-detail"),
        organization=lambda x: x.version.plan.organization_id,
    ),
    # escalation of overdue items to the organization's admins (once per item and due date)
    "escalation.overdue": EventType(
        Category.REMINDERS,
        "Overdue in your organization",
        lambda obj, e: set(e.recipients) or who.org_admins(_organization_of(obj)),
        title=lambda obj: "",  # the reminder task writes the text
        url=lambda obj: "",
        organization=lambda obj: _organization_of(obj),
    ),
    # partnerships: the coordination services name the recipients and write the text
    "partnership.invited": _partnership("Partnership invitation"),
    "partnership.accepted": _partnership("Invitation accepted"),
    "partnership.declined": _partnership("Invitation declined"),
    "partnership.withdrawn": _partnership("Participation withdrawn"),
    "partnership.milestone_updated": _partnership("Milestone updated"),
    "partnership.milestone_overdue": _partnership("Milestone overdue"),
    # onboarding
    "onboarding.invitation_accepted": EventType(
        Category.ONBOARDING,
        "Invitation accepted",
        lambda i, e: who.org_admins(i.organization_id),
        title=lambda i: (
            f"{i.user} accepted the invitation to join {i.organization.code} "
            f"as {i.get_role_display().lower()}."
        ),
        url=lambda i: reverse("organizations:member-list"),
        organization=lambda i: i.organization_id,
    ),
    "onboarding.import_finished": EventType(
        Category.ONBOARDING,
        "User import finished",
        lambda j, e: {j.created_by_id} - {None},
        title=lambda j: f"The import of {j.filename} is {j.get_status_display().lower()}.",
        url=_link("organizations:user-import-job"),
        organization=lambda j: j.organization_id,
    ),
}


def _acknowledgers(version: Any) -> set[int]:
    from bcp.selectors import plan_audience

    return set(plan_audience(version.plan).values_list("pk", flat=True))


def _unacknowledged(version: Any) -> set[int]:
    from bcp.models import Acknowledgment

    acked = Acknowledgment.objects.filter(version=version).values_list("user_id", flat=True)
    return _acknowledgers(version) - set(acked)


def _organization_of(obj: Any) -> int | None:
    from core.tenancy import tenant_organization_id

    return tenant_organization_id(obj)


def label_of(verb: str) -> str:
    event = EVENTS.get(verb)
    return event.label if event else "Notification"
