"""Every event the portal announces: its category, its label, who must act or be informed, and
the title and link of the notice. Services emit events by verb (`notifications.emit(verb, obj)`);
the fan-out task (notifications.service.fan_out) looks the verb up here, in the worker.

An audience function gets the event's object and the `Event` and answers user ids; the tenancy
gate (notifications.audience.openers) then keeps only those who can open the object. The actor
is never told about their own action.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from core import formats

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


# --- the kinds of object events are about ----------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What every event about one kind of object shares: its link, its organization and the
    names its titles may use (`"{p.title}"`, `"{plan.title}"`, ...)."""

    url: Callable[[Any], str]
    organization: Callable[[Any], int | None]
    names: Callable[[Any], dict[str, Any]]


def _link(name: str, attr: str = "public_id") -> Callable[[Any], str]:
    def build(target: Any) -> str:
        value = target
        for part in attr.split("."):
            value = getattr(value, part)
        return reverse(name, args=[value])

    return build


def _own_organization(obj: Any) -> int:
    return obj.organization_id


def _allotment_org(allotment: Any) -> int:
    return allotment.program.proposal.organization_id


def _organization_of(obj: Any) -> int | None:
    from core.tenancy import tenant_organization_id

    return tenant_organization_id(obj)


def _partnership_url(p: Any) -> str:
    # The notice of a withdrawal is about the withdrawn organization itself (no link).
    if not hasattr(p, "focal_person_id"):
        return ""
    return reverse("coordination:partnership-detail", args=[p.public_id])


STRATEGIC_PLAN = Target(_link("planning:plan-detail"), _own_organization, lambda p: {"p": p})
PROPOSAL = Target(_link("budgeting:proposal-detail"), _own_organization, lambda p: {"p": p})
ALLOTMENT = Target(
    _link("budgeting:program-ledger", "program.public_id"), _allotment_org, lambda a: {"a": a}
)
BC_PLAN = Target(_link("bcp:plan-detail"), _own_organization, lambda p: {"p": p})
VERSION = Target(
    _link("bcp:version-detail"),
    lambda v: v.plan.organization_id,
    lambda v: {"v": v, "plan": v.plan},
)
REVIEW = Target(
    _link("bcp:review-decide"),
    lambda r: r.version.plan.organization_id,
    lambda r: {"v": r.version, "plan": r.version.plan},
)
GENERATION = Target(_link("bcp:generation-detail"), _own_organization, lambda j: {"plan": j.plan})
EXPORT = Target(
    _link("bcp:export-detail"),
    lambda x: x.version.plan.organization_id,
    lambda x: {"v": x.version, "plan": x.version.plan, "format": x.get_format_display()},
)
INVITATION = Target(
    lambda i: reverse("organizations:member-list"),
    _own_organization,
    lambda i: {"i": i, "role": i.get_role_display().lower()},
)
IMPORT_JOB = Target(
    _link("organizations:user-import-job"),
    _own_organization,
    lambda j: {"j": j, "status": j.get_status_display().lower()},
)
PARTNERSHIP = Target(
    _partnership_url, lambda p: getattr(p, "organization_id", p.pk), lambda p: {"p": p}
)
INCIDENT = Target(_link("incidents:incident-detail"), _own_organization, lambda i: {"i": i})
FEEDBACK = Target(
    _link("rollout:feedback-detail"),
    _own_organization,
    lambda f: {"f": f, "status": f.get_status_display()},
)
GO_LIVE = Target(
    lambda a: reverse("rollout:board-organization", args=[a.organization.code]),
    _own_organization,
    lambda a: {"a": a, "blocking": len(a.blocking_items)},
)
#: Whatever is overdue (the reminder task writes the text and names no link).
OVERDUE_ITEM = Target(lambda obj: "", _organization_of, lambda obj: {})


# --- who is told -------------------------------------------------------------------------------


def _named(target: Any, event: Event) -> set[int]:
    return set(event.recipients)


def _contributors(subject: Any, event: Event) -> set[int]:
    return who.contributors(subject)


def _deciders(subject: Any, event: Event) -> set[int]:
    return who.deciders(subject, subject.organization_id)


def _program_editors(allotment: Any, event: Event) -> set[int]:
    return who.editors(_allotment_org(allotment))


def _reviewer(review: Any, event: Event) -> set[int]:
    return {review.reviewer_id}


def _owner_or_admins(plan: Any, event: Event) -> set[int]:
    return {plan.owner_id} if plan.owner_id else who.org_admins(plan.organization_id)


def _requester(job: Any, event: Event) -> set[int]:
    return {job.requested_by_id} - {None}


def _creator(job: Any, event: Event) -> set[int]:
    return {job.created_by_id} - {None}


def _admins(obj: Any, event: Event) -> set[int]:
    return who.org_admins(obj.organization_id)


def _reporter(feedback: Any, event: Event) -> set[int]:
    return {feedback.reporter_id}


def _rollout_team(attempt: Any, event: Event) -> set[int]:
    from rollout.policy import rollout_team_ids

    return rollout_team_ids()


def _named_or_admins(obj: Any, event: Event) -> set[int]:
    return set(event.recipients) or who.org_admins(_organization_of(obj))


def _acknowledgers(version: Any, event: Event | None = None) -> set[int]:
    """The plan's audience: the one definition of who must acknowledge (bcp.selectors)."""
    from bcp.selectors import plan_audience

    return set(plan_audience(version.plan).values_list("pk", flat=True))


def _unacknowledged(version: Any, event: Event) -> set[int]:
    from bcp.models import Acknowledgment

    acked = Acknowledgment.objects.filter(version=version).values_list("user_id", flat=True)
    return _acknowledgers(version) - set(acked)


class _TitleFormatter(string.Formatter):
    """str.format with one more spec: `{p.submitted_at:date}` is the portal's date ("2 Dec 2026",
    Philippine time)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "date":
            return formats.date(value)
        return super().format_field(value, format_spec)


_TITLE = _TitleFormatter()


def on(target: Target, category: str, label: str, audience, title: str = "") -> EventType:
    """One event: what it is about, its category and label, who is told, its title (a format
    string of the target's names; empty where the emitting service writes the text)."""
    return EventType(
        category,
        label,
        audience,
        title=lambda obj: _TITLE.format(title, **target.names(obj)) if title else "",
        url=target.url,
        organization=target.organization,
    )


C = Category

EVENTS: dict[str, EventType] = {
    # planning (a strategic plan has no submission step: approvers decide on drafts)
    "planning.plan_approved": on(
        STRATEGIC_PLAN, C.OUTCOMES, "Strategic plan approved", _contributors,
        "The strategic plan “{p.title}” was approved.",
    ),
    "planning.plan_reopened": on(
        STRATEGIC_PLAN, C.OUTCOMES, "Strategic plan returned to draft", _contributors,
        "The strategic plan “{p.title}” was reopened as a draft for changes.",
    ),
    # budgeting
    "budget.proposal_submitted": on(
        PROPOSAL, C.DECISIONS, "Budget proposal to decide", _deciders,
        "The budget proposal “{p.title}” (FY {p.fiscal_year}) waits for a decision.",
    ),
    "budget.proposal_under_review": on(
        PROPOSAL, C.OUTCOMES, "Budget proposal under review", _contributors,
        "Your budget proposal “{p.title}” is under review.",
    ),
    "budget.proposal_approved": on(
        PROPOSAL, C.OUTCOMES, "Budget proposal approved", _contributors,
        "The budget proposal “{p.title}” (FY {p.fiscal_year}) was approved.",
    ),
    "budget.proposal_returned": on(
        PROPOSAL, C.OUTCOMES, "Budget proposal returned", _contributors,
        "The budget proposal “{p.title}” was returned to you for changes.",
    ),
    "budget.proposal_stale": on(
        PROPOSAL, C.REMINDERS, "Budget proposal waiting too long", _deciders,
        "The budget proposal “{p.title}” has waited for a decision since "
        "{p.submitted_at:date}.",
    ),
    "budget.allotment_released": on(
        ALLOTMENT, C.BUDGET, "Allotment released", _program_editors,
        "An allotment ({a.release_reference}) was released for “{a.program.name}”.",
    ),
    "budget.allotment_90": on(
        ALLOTMENT, C.BUDGET, "Allotment 90 % obligated", _program_editors,
        "Obligations reached 90 % of allotment {a.release_reference} of “{a.program.name}”.",
    ),
    # BC plans
    "bcp.review_requested": on(
        REVIEW, C.DECISIONS, "BC plan review requested", _reviewer,
        "You are asked to review version {v.version_number} of the BC plan “{plan.title}”.",
    ),
    "bcp.review_decided": on(
        VERSION, C.OUTCOMES, "BC plan review decided", _contributors,
        "A reviewer approved version {v.version_number} of “{plan.title}”.",
    ),
    "bcp.changes_requested": on(
        VERSION, C.OUTCOMES, "Changes requested on a BC plan", _contributors,
        "Changes were requested on version {v.version_number} of “{plan.title}”.",
    ),
    "bcp.version_approved": on(
        VERSION, C.ACKNOWLEDGMENTS, "BC plan approved: please read and acknowledge",
        _acknowledgers,
        "Version {v.version_number} of the BC plan “{plan.title}” is approved: "
        "please read and acknowledge it.",
    ),
    "bcp.ack_pending": on(
        VERSION, C.ACKNOWLEDGMENTS, "Acknowledgment pending", _unacknowledged,
        "Please read and acknowledge version {v.version_number} of the BC plan "
        "“{plan.title}”, approved on {v.approved_at:date}.",
    ),
    "bcp.review_due": on(
        BC_PLAN, C.REMINDERS, "BC plan review due", _owner_or_admins,
        "The BC plan “{p.title}” is due for review on {p.next_review_date:date}.",
    ),
    "bcp.review_overdue": on(
        BC_PLAN, C.REMINDERS, "BC plan review overdue", _owner_or_admins,
        "The review of the BC plan “{p.title}” was due on {p.next_review_date:date}.",
    ),
    "bcp.draft_ready": on(
        GENERATION, C.JOBS, "AI draft ready", _requester,
        "The generated draft of “{plan.title}” is ready.",
    ),
    "bcp.draft_failed": on(
        GENERATION, C.JOBS, "AI draft failed", _requester,
        "The draft of “{plan.title}” could not be generated.",
    ),
    "bcp.export_ready": on(
        EXPORT, C.JOBS, "Export ready", _requester,
        "The {format} export of “{plan.title}” version {v.version_number} is ready.",
    ),
    # escalation of overdue items to the organization's admins (once per item and due date)
    "escalation.overdue": on(
        OVERDUE_ITEM, C.REMINDERS, "Overdue in your organization", _named_or_admins
    ),
    # partnerships: the coordination services name the recipients and write the text
    "partnership.invited": on(PARTNERSHIP, C.PARTNERSHIPS, "Partnership invitation", _named),
    "partnership.accepted": on(PARTNERSHIP, C.PARTNERSHIPS, "Invitation accepted", _named),
    "partnership.declined": on(PARTNERSHIP, C.PARTNERSHIPS, "Invitation declined", _named),
    "partnership.withdrawn": on(PARTNERSHIP, C.PARTNERSHIPS, "Participation withdrawn", _named),
    "partnership.milestone_updated": on(PARTNERSHIP, C.PARTNERSHIPS, "Milestone updated", _named),
    "partnership.milestone_overdue": on(PARTNERSHIP, C.PARTNERSHIPS, "Milestone overdue", _named),
    # incidents (the call tree's e-mails and SMS are the incident's own: incidents/services.py)
    "incident.recovery_breach": on(
        INCIDENT, C.INCIDENTS, "Recovery time passed", _admins,
        "A process of the incident “{i.title}” is past its recovery time.",
    ),
    # rollout
    "rollout.feedback_changed": on(
        FEEDBACK, C.ROLLOUT, "Your report changed", _reporter,
        "Your report “{f.summary}” is now: {status}.",
    ),
    "rollout.go_live_blocked": on(
        GO_LIVE, C.ROLLOUT, "Go-live blocked", _rollout_team,
        "The go-live of {a.organization.code} on {a.go_live_date:date} is blocked by "
        "{blocking} checklist item(s).",
    ),
    # onboarding
    "onboarding.invitation_accepted": on(
        INVITATION, C.ONBOARDING, "Invitation accepted", _admins,
        "{i.user} accepted the invitation to join {i.organization.code} as {role}.",
    ),
    "onboarding.import_finished": on(
        IMPORT_JOB, C.ONBOARDING, "User import finished", _creator,
        "The import of {j.filename} is {status}.",
    ),
}  # fmt: skip


def label_of(verb: str) -> str:
    event = EVENTS.get(verb)
    return event.label if event else "Notification"
