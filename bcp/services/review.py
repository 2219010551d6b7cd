"""Review workflow: submit a draft, reviewers' decisions, approval, acknowledgments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import notifications
from core import audit, contributions, formats, policies
from core.policies import bcp as bcp_policies
from core.tenancy import require
from organizations.models import Contribution

from .. import content as plan_content
from .. import cycle
from ..models import Acknowledgment, Plan, PlanVersion, Review
from ._common import _lock_plan, _record
from .plans import PLAN_FIELDS


@transaction.atomic
def version_submit_for_review(
    *, actor: Any, version: PlanVersion, reviewers: list[Any], note: str = ""
) -> list[Review]:
    """Send a complete draft to review: one pending review per reviewer, in a new round."""
    require(actor, version.plan.organization_id, "change")
    plan = _lock_plan(version.plan)
    version = PlanVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    version.plan = plan
    if version.status != PlanVersion.Status.DRAFT:
        raise ValidationError("Only a draft can be sent to review.")
    if not reviewers:
        raise ValidationError({"reviewers": "Choose at least one reviewer."})
    # Sending it makes the actor a contributor: they cannot be among its reviewers.
    contributions.record(actor=actor, subject=version, kind=Contribution.Kind.SUBMITTED)
    problems = policies.check_reviewers(version, reviewers, actor=actor)
    if problems:
        raise ValidationError({"reviewers": problems})
    missing = plan_content.missing_sections(plan.template, version.content)
    if missing:
        raise ValidationError(
            "These sections are still empty: " + "; ".join(missing) + ". Fill them in first."
        )
    version.review_round += 1
    version.status = PlanVersion.Status.IN_REVIEW
    version.submitted_at = timezone.now()
    version.save(update_fields=["review_round", "status", "submitted_at", "updated_at"])
    reviews = [
        Review.objects.create(
            version=version,
            round=version.review_round,
            reviewer=reviewer,
            requested_by=actor,
            notes="",
        )
        for reviewer in reviewers
    ]
    plan.status = Plan.Status.IN_REVIEW
    plan.save(update_fields=["status", "updated_at"])
    _record(
        actor,
        "bcp.version.submitted",
        version,
        plan,
        after={
            "round": version.review_round,
            "reviewers": [r.email for r in reviewers],
            "note": note,
        },
    )
    for review in reviews:
        notifications.emit("bcp.review_requested", review, actor=actor)
    return reviews


#: A reviewer's decision → the event its version's author and contributors are told of.
DECISION_EVENTS = {
    Review.Status.APPROVED: "bcp.review_decided",
    Review.Status.CHANGES_REQUESTED: "bcp.changes_requested",
}


@transaction.atomic
def review_decide(*, actor: Any, review: Review, decision: str, notes: str = "") -> Review:
    """Record a reviewer's decision. The version is approved when every reviewer approved it;
    one request for changes sends it back to draft (and closes the round).

    Rows are locked in the one order every bcp workflow uses (plan, then version, then reviews),
    so two reviewers deciding at the same moment queue on the plan instead of deadlocking; the
    second sees the first one's outcome and is told plainly when the review has closed."""
    review = Review.objects.select_related("version__plan").get(pk=review.pk)
    # An approver of the organization, or a person the plan is shared with for review.
    policies.require_reviewer_role(actor, review.version)
    bcp_policies.require_assigned_reviewer(actor, review)
    if decision not in (Review.Status.APPROVED, Review.Status.CHANGES_REQUESTED):
        raise ValidationError({"decision": "Choose approve or request changes."})
    if decision == Review.Status.CHANGES_REQUESTED and not notes.strip():
        raise ValidationError({"notes": "Say what needs to change."})
    plan = _lock_plan(review.version.plan)
    version = PlanVersion.objects.select_for_update(of=("self",)).get(pk=review.version_id)
    version.plan = plan
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    review.version = version
    if review.status != Review.Status.PENDING or version.status != PlanVersion.Status.IN_REVIEW:
        raise ValidationError(
            "This review is already closed (another reviewer's decision may have closed it "
            "meanwhile): nothing was recorded. Reload the page to see where the version stands."
        )
    policies.check_segregation(actor, version)
    review.status = decision
    review.notes = notes.strip()
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "notes", "decided_at"])
    _record(
        actor,
        f"bcp.review.{decision}",
        review,
        plan,
        after={"version": version.version_number, "notes": review.notes},
    )
    round_reviews = Review.objects.filter(version=version, round=version.review_round)
    if decision == Review.Status.CHANGES_REQUESTED:
        round_reviews.filter(status=Review.Status.PENDING).update(status=Review.Status.WITHDRAWN)
        version.status = PlanVersion.Status.DRAFT
        version.save(update_fields=["status", "updated_at"])
        # An approved plan stays approved (its active version still applies) while revised.
        plan.status = Plan.Status.APPROVED if plan.current_version_id else Plan.Status.DRAFT
        plan.save(update_fields=["status", "updated_at"])
    elif not round_reviews.exclude(status=Review.Status.APPROVED).exists():
        _approve(actor=actor, plan=plan, version=version)
    notifications.emit(DECISION_EVENTS[decision], version, actor=actor)
    return review


def _approve(*, actor: Any, plan: Plan, version: PlanVersion) -> None:
    """Make the version active, supersede the previous one, schedule the next review."""
    now = timezone.now()
    previous = plan.versions.filter(status=PlanVersion.Status.ACTIVE).first()
    if previous is not None:
        previous.status = PlanVersion.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    version.status = PlanVersion.Status.ACTIVE
    version.approved_at = now
    version.save(update_fields=["status", "approved_at", "updated_at"])
    before = audit.snapshot(plan, PLAN_FIELDS)
    plan.current_version = version
    plan.status = Plan.Status.APPROVED
    plan.approved_at = now
    # The review policy of the organization (shorter per template or for critical plans).
    plan.next_review_date, plan.review_interval_months = cycle.next_review_after_approval(
        plan, timezone.localdate()
    )
    plan.save(
        update_fields=[
            "current_version",
            "status",
            "approved_at",
            "next_review_date",
            "review_interval_months",
            "updated_at",
        ]
    )
    _record(
        actor,
        "bcp.version.approved",
        version,
        plan,
        before=before,
        after={
            "version": version.version_number,
            "superseded": previous.version_number if previous else None,
            "next_review_date": plan.next_review_date,
            "review_interval_months": plan.review_interval_months,
        },
    )
    notifications.emit("bcp.version_approved", version, actor=actor)  # "please acknowledge"


@transaction.atomic
def acknowledgment_record(*, actor: Any, version: PlanVersion) -> Acknowledgment:
    """A member confirms they read the active version (once per version)."""
    require(actor, version.plan.organization_id, "view")
    bcp_policies.require_member(actor, version.plan.organization_id)
    if version.status != PlanVersion.Status.ACTIVE:
        raise ValidationError("Only the active (approved) version of a plan can be acknowledged.")
    existing = Acknowledgment.objects.filter(version=version, user=actor).first()
    if existing is not None:
        raise ValidationError(
            f"You already acknowledged version {version.version_number} on "
            f"{formats.date(timezone.localtime(existing.acknowledged_at))}."
        )
    try:
        with transaction.atomic():
            ack = Acknowledgment.objects.create(version=version, user=actor)
    except IntegrityError as exc:  # a double click racing the check above
        raise ValidationError(
            f"You already acknowledged version {version.version_number}."
        ) from exc
    _record(actor, "bcp.version.acknowledged", version, version.plan, after={"user": actor.email})
    return ack
