"""Plans shared per object: writes and reads of grants.

The rules (who may share, with whom, what a grant opens) live in the policy layer
(`core.policies`, "sharing" part); this module writes grants and answers the lists.
django-guardian carries the permissions (`bcp.PlanUserObjectPermission`), `PlanShare` the
record. What a grant opens, and nothing more (docs/bcp.md, "Sharing a plan"):

* **view**: the shared plan's page (`bcp:shared-plan`): the plan's details, the text of its
  current approved version, its critical processes with recovery objectives, strategies and
  dependencies, and its risks. Not the drafts, the version history, exports or attachments,
  the contacts (staff phone numbers), acknowledgments, the vendor registry or anything else of
  the organization.
* **comment**: view, and add comments to the plan (seen by the organization on the plan page).
* **review**: comment, and the version in review when it is open; the person can be asked to
  review it and decide, under segregation of duties like any reviewer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from core import audit, policies
from core.tenancy import tenancy_of

from ..models import Plan, PlanComment, PlanShare, PlanVersion, Review

#: A grant lasts this long unless the coordinator says otherwise, and never longer than the max.
DEFAULT_DAYS = 30
MAX_DAYS = 366
ALL_CODENAMES = policies.SHARE_PERMISSIONS["review"]


def expiry_moment(last_day: datetime.date) -> datetime.datetime:
    """Access "until 31 March" means through that day: it ends at midnight after it (local)."""
    return timezone.make_aware(
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time())
    )


def last_day_of(share: PlanShare) -> datetime.date:
    """The last day a grant opens the plan (the inverse of `expiry_moment`)."""
    return share.last_day


def check_last_day(last_day: datetime.date | None) -> None:
    today = timezone.localdate()
    if last_day is None:
        raise ValidationError({"last_day": "Say until when the person may open the plan."})
    if last_day < today:
        raise ValidationError({"last_day": "The last day cannot be in the past."})
    if last_day > today + datetime.timedelta(days=MAX_DAYS - 1):
        raise ValidationError(
            {"last_day": "A grant lasts at most a year; share it again when it ends."}
        )


def _lock(plan: Plan) -> Plan:
    return (
        Plan.objects.select_related("organization").select_for_update(of=("self",)).get(pk=plan.pk)
    )


def _ensure_plan_permissions() -> None:
    """The plan's permission rows (`view_plan`, …) exist: migrations create them, but a database
    flushed since (a transactional test, a restore without them) would refuse every grant."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    if Permission.objects.filter(
        content_type__app_label="bcp", codename__in=ALL_CODENAMES
    ).count() < len(ALL_CODENAMES):
        create_permissions(apps.get_app_config("bcp"), verbosity=0)


def _set_permissions(user: Any, plan: Plan, right: str | None) -> None:
    """Make guardian's rows for (user, plan) exactly those of `right` (None: none)."""
    wanted = set(policies.SHARE_PERMISSIONS[right]) if right else set()
    _ensure_plan_permissions()
    for codename in ALL_CODENAMES:
        if codename in wanted:
            assign_perm(f"bcp.{codename}", user, plan)
        else:
            remove_perm(f"bcp.{codename}", user, plan)
    policies.forget_shared_rights(user)


def _end(share: PlanShare, *, by: Any, reason: str, now: datetime.datetime) -> None:
    share.revoked_at = now
    share.revoked_by = by
    share.end_reason = reason
    share.save(update_fields=["revoked_at", "revoked_by", "end_reason"])
    _set_permissions(share.grantee, share.plan, None)


def _after(share: PlanShare) -> dict[str, Any]:
    return {
        "grantee": share.grantee.email,
        "right": share.right,
        "expires_at": share.expires_at,
        "reason": share.reason,
    }


@transaction.atomic
def share_grant(
    *, actor: Any, plan: Plan, grantee: Any, right: str, last_day: datetime.date, reason: str
) -> PlanShare:
    """Share one plan with one person outside its organization until the end of `last_day`.
    An open grant of the same person is replaced (ended, then granted anew), so changing a
    right or extending a date is one step and leaves both records."""
    policies.require_may_share(actor, plan)
    plan = _lock(plan)
    policies.require_may_share(actor, plan)
    problem = policies.grantee_problem(grantee, plan)
    if problem:
        raise ValidationError({"grantee": problem})
    if right not in PlanShare.Right.values:
        raise ValidationError({"right": "Choose view, comment or review."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why they need access (it goes in the audit log)."})
    check_last_day(last_day)
    now = timezone.now()
    previous = (
        PlanShare.objects.select_for_update()
        .filter(plan=plan, grantee=grantee, revoked_at__isnull=True)
        .first()
    )
    if previous is not None:
        previous.plan = plan
        reason_ended = (
            PlanShare.EndReason.REPLACED if previous.is_active(now) else PlanShare.EndReason.EXPIRED
        )
        _end(
            previous, by=actor if reason_ended == "replaced" else None, reason=reason_ended, now=now
        )
        audit.record(
            actor=actor,
            action=f"bcp.share.{reason_ended}",
            subject=previous,
            organization=plan.organization,
            before=_after(previous),
        )
    share = PlanShare(
        plan=plan,
        grantee=grantee,
        right=right,
        reason=reason.strip(),
        expires_at=expiry_moment(last_day),
        granted_by=actor,
        granted_at=now,
    )
    share.full_clean()
    share.save()
    _set_permissions(grantee, plan, right)
    audit.record(
        actor=actor,
        action="bcp.share.granted",
        subject=share,
        organization=plan.organization,
        after=_after(share),
    )
    return share


@transaction.atomic
def share_revoke(*, actor: Any, share: PlanShare) -> PlanShare:
    """End a grant now. Its pending reviews are withdrawn: a reviewer without access cannot
    decide, and the round must not wait for them."""
    policies.require_may_share(actor, share.plan)
    plan = _lock(share.plan)
    share = PlanShare.objects.select_for_update().select_related("grantee").get(pk=share.pk)
    share.plan = plan
    if share.revoked_at is not None:
        raise ValidationError(f"This grant already ended ({share.get_end_reason_display()}).")
    _end(share, by=actor, reason=PlanShare.EndReason.REVOKED, now=timezone.now())
    withdrawn = _withdraw_pending_reviews(share)
    audit.record(
        actor=actor,
        action="bcp.share.revoked",
        subject=share,
        organization=plan.organization,
        before=_after(share),
        after={"withdrawn_reviews": withdrawn},
    )
    return share


def _withdraw_pending_reviews(share: PlanShare) -> int:
    return Review.objects.filter(
        version__plan=share.plan, reviewer=share.grantee, status=Review.Status.PENDING
    ).update(status=Review.Status.WITHDRAWN)


def shares_expire(now: datetime.datetime | None = None) -> int:
    """End every open grant whose expiry has passed and remove its guardian permissions (the
    beat task). Access already ended at the expiry (the policy checks it); this tidies up and
    records it. Idempotent: an ended grant is not touched again."""
    now = now or timezone.now()
    ended = 0
    due = PlanShare.objects.filter(revoked_at__isnull=True, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for share_id in list(due):
        with transaction.atomic():
            share = (
                PlanShare.objects.select_for_update(skip_locked=True)
                .select_related("plan__organization", "grantee")
                .filter(pk=share_id, revoked_at__isnull=True)
                .first()
            )
            if share is None:
                continue
            _end(share, by=None, reason=PlanShare.EndReason.EXPIRED, now=now)
            withdrawn = _withdraw_pending_reviews(share)
            audit.record(
                actor=None,
                action="bcp.share.expired",
                subject=share,
                organization=share.plan.organization,
                before=_after(share),
                after={"withdrawn_reviews": withdrawn},
            )
            ended += 1
    return ended


@transaction.atomic
def comment_add(*, actor: Any, plan: Plan, body: str) -> PlanComment:
    """A comment on the plan, by a member who reads it or a person with a comment grant."""
    if not may_comment(actor, plan):
        raise PermissionDenied("You may read this plan but not comment on it.")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    comment = PlanComment(
        plan=plan,
        version=plan.current_version or open_version_for(actor, plan),
        author=actor,
        body=body,
    )
    comment.full_clean()
    comment.save()
    audit.record(
        actor=actor,
        action="bcp.comment.added",
        subject=comment,
        organization=plan.organization,
        after={"body": body},
    )
    return comment


# --- reads ----------------------------------------------------------------------------------------


def may_comment(user: Any, plan: Plan) -> bool:
    if policies.is_plan_member(user, plan):
        return plan.organization_id in (
            tenancy_of(user).organization_ids("view", "bcp")
        ) and not policies.is_read_only(user)
    return "comment" in policies.shared_rights(user, plan)


def shared_plan_or_404(user: Any, public_id: Any, right: str = "view") -> tuple[Plan, frozenset]:
    """The plan `public_id` for a person it is shared with, and their rights: 404 without an
    open, unexpired grant (or with the business continuity module off for the plan's
    organization), 403 when the grant is there but lacks `right`."""
    plan = (
        Plan.objects.select_related("organization", "department", "owner", "current_version")
        .filter(public_id=public_id)
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    rights = policies.shared_rights(user, plan)
    if not rights or not policies.sharing_open(plan):
        raise Http404("No such plan.")
    if right not in rights:
        raise PermissionDenied(f"This plan is shared with you to {_verb(rights)}, not to {right}.")
    return plan, rights


def _verb(rights: frozenset) -> str:
    return "review" if "review" in rights else "comment" if "comment" in rights else "view"


def open_version_for(user: Any, plan: Plan) -> PlanVersion | None:
    """The version in review, for a shared reviewer (other people see no open version here)."""
    if "review" not in policies.shared_rights(user, plan) or policies.is_plan_member(user, plan):
        return None
    return plan.versions.filter(status=PlanVersion.Status.IN_REVIEW).first()


def grants_of(plan: Plan) -> QuerySet[PlanShare]:
    """Every grant of a plan, open ones first (for the plan's sharing page)."""
    return (
        PlanShare.objects.filter(plan=plan)
        .select_related("grantee", "granted_by", "revoked_by")
        .order_by("revoked_at", "-granted_at")
    )


def shared_with(user: Any) -> QuerySet[PlanShare]:
    """The user's open, unexpired grants ("Shared with me"), each with its plan; the guardian
    permission must be there too (the same two conditions as `policies.shared_rights`)."""
    from django.db.models import Exists, OuterRef

    from ..models import PlanUserObjectPermission

    permission = PlanUserObjectPermission.objects.filter(
        user_id=OuterRef("grantee_id"), content_object_id=OuterRef("plan_id")
    )
    return (
        PlanShare.objects.filter(
            grantee=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .filter(Exists(permission))
        .select_related("plan__organization", "plan__department", "granted_by")
        .order_by("expires_at")
    )


def pending_shared_reviews(user: Any) -> QuerySet[Review]:
    """Reviews asked of the user on plans shared with them for review (still open)."""
    plan_ids = [s.plan_id for s in shared_with(user) if s.right == PlanShare.Right.REVIEW]
    return (
        Review.objects.filter(
            reviewer=user,
            status=Review.Status.PENDING,
            version__status=PlanVersion.Status.IN_REVIEW,
            version__plan_id__in=plan_ids,
        )
        .select_related("version__plan__organization", "requested_by")
        .order_by("requested_at")
    )
