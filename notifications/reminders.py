"""Reminders and escalation (Celery beat, daily; settings.CELERY_BEAT_SCHEDULE).

Each reminder is an event with a key naming the item and its due date, so running a task twice
(or a retried task) notifies nobody twice: `fan_out` skips recipients who already have a
notification with that key, and items already reminded are not even emitted again. An overdue
item escalates once (per due date) to its organization's admins after
NOTIFY_ESCALATE_AFTER_DAYS days.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import formats

from . import audience as who
from .models import Notification
from .service import emit


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _fresh(keys: Iterable[str]) -> set[str]:
    """The keys no notification carries yet (one query)."""
    keys = set(keys)
    done = set(
        Notification.objects.filter(event_key__in=keys)
        .values_list("event_key", flat=True)
        .distinct()
    )
    return keys - done


def _emit_once(items: list[tuple[str, str, Any, dict]]) -> int:
    """items: (key, verb, target, emit kwargs); emits those not done yet; returns how many."""
    fresh = _fresh(key for key, *_ in items)
    count = 0
    with transaction.atomic():
        for key, verb, target, kwargs in items:
            if key in fresh:
                emit(verb, target, key=key, **kwargs)
                count += 1
    return count


def bc_reviews(today: datetime.date) -> int:
    """BC plans whose review is due within 30 days, or overdue (escalated after a while)."""
    from bcp.models import Plan

    soon = today + datetime.timedelta(days=_setting("NOTIFY_REVIEW_DUE_DAYS", 30))
    escalate_before = today - datetime.timedelta(days=_setting("NOTIFY_ESCALATE_AFTER_DAYS", 7))
    items = []
    plans = Plan.objects.exclude(status=Plan.Status.ARCHIVED).filter(
        next_review_date__isnull=False, next_review_date__lte=soon
    )
    for plan in plans.select_related("organization"):
        due = plan.next_review_date.isoformat()
        if plan.next_review_date >= today:
            items.append((f"bc-review-due:{plan.pk}:{due}", "bcp.review_due", plan, {}))
            continue
        items.append((f"bc-review-overdue:{plan.pk}:{due}", "bcp.review_overdue", plan, {}))
        if plan.next_review_date <= escalate_before:
            items.append(
                (
                    f"escalated:bc-plan:{plan.pk}:{due}",
                    "escalation.overdue",
                    plan,
                    {
                        "text": f"The review of the BC plan “{plan.title}” is overdue since "
                        f"{formats.date(plan.next_review_date)}.",
                        "url": reverse("bcp:plan-detail", args=[plan.public_id]),
                    },
                )
            )
    return _emit_once(items)


def acknowledgments(now: datetime.datetime) -> int:
    """Active versions approved at least NOTIFY_ACK_REMINDER_DAYS days ago: one reminder to each
    member of the audience who has not acknowledged (once per version)."""
    from bcp.models import Plan

    before = now - datetime.timedelta(days=_setting("NOTIFY_ACK_REMINDER_DAYS", 7))
    versions = [
        plan.current_version
        for plan in Plan.objects.exclude(status=Plan.Status.ARCHIVED)
        .filter(current_version__approved_at__lte=before)
        .select_related("current_version")
    ]
    return _emit_once([(f"ack-pending:{v.pk}", "bcp.ack_pending", v, {}) for v in versions])


def proposals(now: datetime.datetime) -> int:
    """Budget proposals waiting for a decision more than NOTIFY_PROPOSAL_REVIEW_DAYS days: the
    approvers who may decide are reminded, and the admins told once it is overdue too long."""
    from budgeting.models import BudgetProposal

    days = _setting("NOTIFY_PROPOSAL_REVIEW_DAYS", 10)
    escalate = days + _setting("NOTIFY_ESCALATE_AFTER_DAYS", 7)
    items = []
    for proposal in BudgetProposal.objects.filter(
        status__in=[BudgetProposal.Status.SUBMITTED, BudgetProposal.Status.UNDER_REVIEW],
        submitted_at__lte=now - datetime.timedelta(days=days),
    ):
        since = proposal.submitted_at.date().isoformat()
        items.append(
            (f"proposal-stale:{proposal.pk}:{since}", "budget.proposal_stale", proposal, {})
        )
        if proposal.submitted_at <= now - datetime.timedelta(days=escalate):
            items.append(
                (
                    f"escalated:proposal:{proposal.pk}:{since}",
                    "escalation.overdue",
                    proposal,
                    {
                        "text": f"The budget proposal “{proposal.title}” has waited for a "
                        f"decision since {formats.date(proposal.submitted_at)}.",
                        "url": reverse("budgeting:proposal-detail", args=[proposal.public_id]),
                    },
                )
            )
    return _emit_once(items)


def milestones(today: datetime.date) -> int:
    """Overdue partnership milestones: the responsible people are told by the coordination
    service when a milestone becomes overdue (coordination.services.milestones_flag_overdue);
    after NOTIFY_ESCALATE_AFTER_DAYS days the responsible organization's admins are told once."""
    from coordination.models import Milestone, Partnership
    from coordination.services import milestones_flag_overdue

    flagged = milestones_flag_overdue(today=today)
    before = today - datetime.timedelta(days=_setting("NOTIFY_ESCALATE_AFTER_DAYS", 7))
    items = []
    for milestone in (
        Milestone.objects.filter(due_date__lte=before)
        .exclude(status__in=Milestone.CLOSED)
        .exclude(
            partnership__status__in=[
                Partnership.Status.COMPLETED,
                Partnership.Status.TERMINATED,
                Partnership.Status.DRAFT,
            ]
        )
        .select_related("partnership", "responsible_organization")
    ):
        items.append(
            (
                f"escalated:milestone:{milestone.pk}:{milestone.due_date.isoformat()}",
                "escalation.overdue",
                milestone.partnership,
                {
                    "recipients": who.org_admins(milestone.responsible_organization_id),
                    "text": f"Milestone “{milestone.title}” of “{milestone.partnership.title}” "
                    f"({milestone.responsible_organization.code}) is overdue since "
                    f"{formats.date(milestone.due_date)}.",
                    "url": reverse(
                        "coordination:partnership-detail", args=[milestone.partnership.public_id]
                    ),
                    "organization_id": milestone.responsible_organization_id,
                },
            )
        )
    return flagged + _emit_once(items)


def run_all(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "bc_reviews": bc_reviews(today),
        "acknowledgments": acknowledgments(now),
        "proposals": proposals(now),
        "milestones": milestones(today),
    }


def overdue_by_organization() -> dict[int, int]:
    """For the OCM dashboard: overdue items per organization (BC plans past their review date,
    milestones past due, proposals waiting too long); three grouped queries."""
    from django.db.models import Count

    from bcp.models import Plan
    from budgeting.models import BudgetProposal
    from coordination.models import Milestone

    today = timezone.localdate()
    counts: dict[int, int] = {}

    def add(rows):
        for org_id, n in rows:
            counts[org_id] = counts.get(org_id, 0) + n

    add(
        Plan.objects.exclude(status=Plan.Status.ARCHIVED)
        .filter(next_review_date__lt=today)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    add(
        Milestone.objects.filter(due_date__lt=today)
        .exclude(status__in=Milestone.CLOSED)
        .values("responsible_organization_id")
        .annotate(n=Count("pk"))
        .values_list("responsible_organization_id", "n")
    )
    days = _setting("NOTIFY_PROPOSAL_REVIEW_DAYS", 10)
    add(
        BudgetProposal.objects.filter(
            status__in=[BudgetProposal.Status.SUBMITTED, BudgetProposal.Status.UNDER_REVIEW],
            submitted_at__lte=timezone.now() - datetime.timedelta(days=days),
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    return counts
