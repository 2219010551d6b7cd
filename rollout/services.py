"""Writes of the rollout app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

import notifications
from bcp.files import check_upload
from core import audit
from core.tenancy import require, tenancy_of
from organizations.models import Membership, Organization

from . import policy
from .models import (
    Announcement,
    Certificate,
    Enrolment,
    Feedback,
    FeedbackNotification,
    TrainingSession,
    UATResult,
    UATRun,
    UATScript,
)

ANNOUNCEMENT_FIELDS = [
    "title", "body", "severity", "audience", "wave", "organization_id", "starts_at", "ends_at",
]  # fmt: skip
FEEDBACK_TRIAGE_FIELDS = ["status", "owner_id", "duplicate_of_id"]
SCREENSHOT_TYPES = {"png", "jpg", "jpeg"}


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


# --- announcements -----------------------------------------------------------------------------


def _check_announcement(actor: Any, announcement: Announcement) -> None:
    if not policy.can_manage_announcement(actor, announcement):
        raise PermissionDenied(
            "Organization admins publish announcements to their own organization only."
        )


@transaction.atomic
def announcement_create(*, actor: Any, **data: Any) -> Announcement:
    announcement = Announcement(created_by=actor, **data)
    _check_announcement(actor, announcement)
    _save(announcement)
    audit.record(
        actor=actor,
        action="announcement.published",
        subject=announcement,
        after=audit.snapshot(announcement, ANNOUNCEMENT_FIELDS),
    )
    return announcement


@transaction.atomic
def announcement_update(*, actor: Any, announcement: Announcement, **data: Any) -> Announcement:
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    _check_announcement(actor, announcement)
    before = audit.snapshot(announcement, ANNOUNCEMENT_FIELDS)
    for name, value in data.items():
        setattr(announcement, name, value)
    _check_announcement(actor, announcement)  # the new audience too
    _save(announcement)
    audit.record_if_changed(
        actor=actor,
        action="announcement.updated",
        subject=announcement,
        fields=ANNOUNCEMENT_FIELDS,
        before=before,
    )
    return announcement


@transaction.atomic
def announcement_delete(*, actor: Any, announcement: Announcement) -> None:
    _check_announcement(actor, announcement)
    audit.record(
        actor=actor,
        action="announcement.deleted",
        subject=announcement,
        before=audit.snapshot(announcement, ANNOUNCEMENT_FIELDS),
    )
    announcement.delete()


# --- feedback ----------------------------------------------------------------------------------


@transaction.atomic
def feedback_create(
    *,
    actor: Any,
    organization: Organization | None,
    kind: str,
    summary: str,
    description: str = "",
    page_url: str = "",
    user_agent: str = "",
    screenshot: tuple[str, bytes] | None = None,
) -> Feedback:
    """File a report in the reporter's organization, with an optional checked screenshot."""
    if organization is None:
        raise ValidationError(
            "Feedback belongs to an organization and you are not a member of any. "
            "Write to the rollout team instead."
        )
    require(actor, organization.pk, "view")
    feedback = Feedback(
        organization=organization,
        reporter=actor,
        kind=kind,
        summary=summary,
        description=description,
        page_url=page_url[:500],
        user_agent=user_agent[:300],
    )
    stored = None
    if screenshot is not None:
        name, data = screenshot
        checked = check_upload(name, data)
        if checked.extension not in SCREENSHOT_TYPES:
            raise ValidationError({"screenshot": "A screenshot must be a PNG or JPG image."})
        stored = default_storage.save(
            f"rollout/feedback/{organization.code}/{uuid.uuid4().hex}.{checked.extension}",
            ContentFile(checked.data),
        )
        feedback.screenshot_name = checked.name
        feedback.screenshot_storage = stored
        feedback.screenshot_type = checked.content_type
    try:
        _save(feedback)
        audit.record(
            actor=actor,
            action="feedback.filed",
            subject=feedback,
            after={"kind": kind, "summary": summary, "page_url": feedback.page_url},
        )
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return feedback


def _notify_reporter(feedback: Feedback, message: str, *, actor: Any) -> None:
    """Keep the message on the report's page and tell the reporter through the notification
    service (a title and the link: the note itself is read on the page)."""
    notification = FeedbackNotification.objects.create(feedback=feedback, message=message)
    notifications.emit(
        "rollout.feedback_changed",
        feedback,
        actor=actor,
        key=f"rollout.feedback_changed:{notification.pk}",
    )


@transaction.atomic
def feedback_triage(
    *,
    actor: Any,
    feedback: Feedback,
    status: str,
    owner: Any = None,
    duplicate_of: Feedback | None = None,
    note: str = "",
) -> Feedback:
    """Status, owner and duplicate-of (rollout team only); the reporter is e-mailed a change."""
    if not policy.can_triage_feedback(actor):
        raise PermissionDenied("Only the rollout team triages feedback.")
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    before = audit.snapshot(feedback, FEEDBACK_TRIAGE_FIELDS)
    if duplicate_of is not None:
        if duplicate_of.organization_id != feedback.organization_id:
            raise ValidationError({"duplicate_of": "Duplicates are of the same organization."})
        seen, cursor = {feedback.pk}, duplicate_of.pk
        while cursor is not None:  # follow the stored chain, not the caller's copies
            if cursor in seen:
                raise ValidationError({"duplicate_of": "That would make a circle of duplicates."})
            seen.add(cursor)
            cursor = Feedback.objects.filter(pk=cursor).values_list("duplicate_of", flat=True)[0]
    feedback.status = status
    feedback.owner = owner
    feedback.duplicate_of = duplicate_of
    _save(feedback)
    entry = audit.record_if_changed(
        actor=actor,
        action="feedback.triaged",
        subject=feedback,
        fields=FEEDBACK_TRIAGE_FIELDS,
        before=before,
    )
    if entry is not None or note:
        lines = [f"Your report “{feedback.summary}” is now: {feedback.get_status_display()}."]
        if duplicate_of is not None:
            lines.append(f"It is a duplicate of “{duplicate_of.summary}”, tracked there.")
        if note:
            lines.append(f"Note from the rollout team: {note}")
        _notify_reporter(feedback, "\n\n".join(lines), actor=actor)
    return feedback


# --- UAT ---------------------------------------------------------------------------------------


@transaction.atomic
def uat_run_start(*, actor: Any, organization: Organization, script: UATScript) -> UATRun:
    require(actor, organization.pk, "change")
    run, created = UATRun.objects.get_or_create(organization=organization, script=script)
    if created:
        audit.record(actor=actor, action="uat.started", subject=run)
    return run


@transaction.atomic
def uat_result_record(
    *, actor: Any, run: UATRun, step: int, outcome: str, notes: str = ""
) -> UATResult:
    run = UATRun.objects.select_for_update().select_related("script").get(pk=run.pk)
    if not policy.can_record_uat(actor, run):
        raise PermissionDenied("Testers are the organization's editors, approvers and admins.")
    if run.signed_off_at is not None:
        raise ValidationError("This UAT is signed off; its results can no longer change.")
    if not 0 <= step < len(run.script.steps):
        raise ValidationError("There is no such step in this script.")
    if outcome == UATResult.Outcome.FAIL and not notes.strip():
        raise ValidationError({"notes": "Say what went wrong when a step fails."})
    result = UATResult.objects.filter(run=run, step=step).first() or UATResult(run=run, step=step)
    result.outcome, result.notes, result.tester = outcome, notes, actor
    _save(result)
    audit.record(
        actor=actor,
        action="uat.step_recorded",
        subject=run,
        after={"step": step + 1, "outcome": outcome, "notes": notes},
    )
    return result


@transaction.atomic
def uat_sign_off(*, actor: Any, run: UATRun) -> UATRun:
    run = UATRun.objects.select_for_update().select_related("script").get(pk=run.pk)
    results = {r.step: r for r in run.results.all()}
    refusal = policy.sign_off_refusal(actor, run, results)
    if refusal is not None:
        if not tenancy_of(actor).can(run.organization_id, "admin"):
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)
    run.signed_off_by, run.signed_off_at = actor, timezone.now()
    run.save(update_fields=["signed_off_by", "signed_off_at"])
    audit.record(actor=actor, action="uat.signed_off", subject=run)
    return run


# --- training ----------------------------------------------------------------------------------


@transaction.atomic
def training_session_create(*, actor: Any, **data: Any) -> TrainingSession:
    if not policy.can_manage_training(actor):
        raise PermissionDenied("Only the rollout team schedules training sessions.")
    session = TrainingSession(**data)
    _save(session)
    audit.record(
        actor=actor,
        action="training.session_created",
        subject=session,
        after={"title": session.title, "starts_at": session.starts_at.isoformat()},
    )
    return session


@transaction.atomic
def enrolment_create(*, actor: Any, session: TrainingSession, membership: Membership) -> Enrolment:
    """Enrol a member (themselves, or by their org admin): a seat, or the waiting list when
    the session is full. The session row is locked, so two last seats are never both given."""
    if membership.user_id != actor.pk and not policy.can_enrol_others(
        actor, membership.organization_id
    ):
        raise PermissionDenied("Org admins enrol the members of their own organization.")
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has started; enrolment is closed.")
    if session.audience_role and membership.role != session.audience_role:
        raise ValidationError(
            f"This session is for the role {session.get_audience_role_display()} only."
        )
    existing = Enrolment.objects.filter(session=session, user_id=membership.user_id).first()
    if existing is not None and existing.status != Enrolment.Status.CANCELLED:
        raise ValidationError(f"{membership.user} is already on the list of this session.")
    taken = session.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    status = Enrolment.Status.ENROLLED if taken < session.capacity else Enrolment.Status.WAITLISTED
    enrolment = existing or Enrolment(session=session, user_id=membership.user_id)
    enrolment.organization_id = membership.organization_id
    enrolment.role = membership.role
    enrolment.status = status
    enrolment.enrolled_by = actor
    enrolment.attended = None
    _save(enrolment)
    audit.record(
        actor=actor,
        action="training.enrolled",
        subject=enrolment,
        after={"session": session.title, "status": status},
    )
    return enrolment


@transaction.atomic
def enrolment_cancel(*, actor: Any, enrolment: Enrolment) -> Enrolment | None:
    """Cancel a place; the first person on the waiting list takes it. Returns who moved up."""
    if enrolment.user_id != actor.pk and not policy.can_enrol_others(
        actor, enrolment.organization_id
    ):
        raise PermissionDenied("Only the person or their org admin cancels an enrolment.")
    session = TrainingSession.objects.select_for_update().get(pk=enrolment.session_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.attended is not None:
        raise ValidationError("Attendance is already recorded for this place.")
    was_enrolled = enrolment.status == Enrolment.Status.ENROLLED
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save(update_fields=["status"])
    audit.record(actor=actor, action="training.cancelled", subject=enrolment)
    if not was_enrolled:
        return None
    promoted = (
        session.enrolments.select_for_update()
        .filter(status=Enrolment.Status.WAITLISTED)
        .order_by("created_at", "id")
        .first()
    )
    if promoted is not None:
        promoted.status = Enrolment.Status.ENROLLED
        promoted.save(update_fields=["status"])
        audit.record(actor=actor, action="training.promoted_from_waiting_list", subject=promoted)
    return promoted


@transaction.atomic
def attendance_record(
    *, actor: Any, session: TrainingSession, marks: dict[int, bool]
) -> dict[str, int]:
    """Mark who attended (enrolment id → True/False). Attendees get a certificate; a
    correction to "absent" revokes the certificate at once (its code stops verifying)."""
    if not policy.can_take_attendance(actor, session):
        raise PermissionDenied("Only the trainer or the rollout team takes attendance.")
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.starts_at > timezone.now():
        raise ValidationError("Attendance is taken once the session has started.")
    enrolments = {
        e.pk: e
        for e in session.enrolments.select_for_update().filter(
            status=Enrolment.Status.ENROLLED, pk__in=list(marks)
        )
    }
    unknown = set(marks) - set(enrolments)
    if unknown:
        raise ValidationError("Some of these people are not enrolled in this session.")
    counts = {"issued": 0, "revoked": 0}
    now = timezone.now()
    for pk, present in marks.items():
        enrolment = enrolments[pk]
        if enrolment.attended == present:
            continue
        enrolment.attended = present
        enrolment.save(update_fields=["attended"])
        valid = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True)
        if present:
            if not valid.exists():  # a new code each time: a revoked code never comes back
                Certificate.objects.create(enrolment=enrolment)
                counts["issued"] += 1
        else:
            counts["revoked"] += valid.update(
                revoked_at=now, revoked_reason="Attendance corrected to absent."
            )
        audit.record(
            actor=actor,
            action="training.attendance",
            subject=enrolment,
            after={"attended": present},
        )
    return counts
