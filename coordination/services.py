"""Writes of the coordination app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited.

Who may do what (the views only translate these into pages):
  * editors (and above) of the lead organization create and edit the partnership, its milestones,
    and invite or withdraw participants;
  * org_admins of an invited organization accept or decline;
  * editors (and above) of an accepted participant comment and update the milestones their
    organization is responsible for; viewers read.
A foreign user never reaches a service with a partnership they cannot see: the views fetch it
through `Partnership.objects.for_user` first (404).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

import notifications
from core import audit, formats, locking, policies, writes
from core.tenancy import require, tenancy_of
from organizations.models import Membership, Organization

from .models import (
    Milestone,
    ParticipantState,
    Partnership,
    PartnershipComment,
    PartnershipParticipant,
)

PARTNERSHIP_FIELDS = [
    "title",
    "partnership_type",
    "objectives",
    "expected_outcomes",
    "deliverables",
    "status",
    "priority",
    "start_date",
    "end_date",
    "total_budget",
    "focal_person_id",
    "visible_to_ocm",
]
MILESTONE_FIELDS = [
    "title",
    "description",
    "due_date",
    "responsible_organization_id",
    "status",
    "progress",
]
#: What a responsible participant may change on a milestone (the plan itself is the lead's).
MILESTONE_PROGRESS_FIELDS = ["status", "progress"]


#: Someone else saved the record since the form was opened (optimistic locking).
StaleEdit = locking.StaleEdit


# --- permission helpers (pure, given the participant rows) ----------------------------------


def accepted_org_ids(partnership: Partnership) -> set[int]:
    """Organizations whose participation is accepted (one query)."""
    return set(
        partnership.participant_links.filter(state=ParticipantState.ACCEPTED).values_list(
            "organization_id", flat=True
        )
    )


#: Who writes for which organization is the policy layer's rule (kept here for the services).
contributing_organization = policies.contributing_organization
can_update_milestone = policies.may_update_milestone


# --- partnerships ---------------------------------------------------------------------------


@transaction.atomic
def partnership_create(*, actor: Any, organization: Organization, **data: Any) -> Partnership:
    """Create a partnership led by `organization` (an editor of it)."""
    require(actor, organization.pk, "change")
    partnership = Partnership(organization=organization, created_by=actor, **data)
    _check_focal_person(partnership)
    writes.create(partnership, actor=actor, action="partnership.created", fields=PARTNERSHIP_FIELDS)
    return partnership


@transaction.atomic
def partnership_update(
    *, actor: Any, partnership: Partnership, revision: int | None, **data: Any
) -> Partnership:
    """Change a partnership (lead editors). A missing or stale `revision` saves nothing
    (MissingRevision, StaleEdit)."""
    require(actor, partnership.organization_id, "change")
    partnership = writes.lock(
        partnership,
        revision=revision,
        stale_message="Someone else saved this partnership while you were editing it. "
        "Your changes were not saved: reload the page to see theirs, then edit again.",
    )
    writes.update(
        partnership,
        data,
        actor=actor,
        action="partnership.updated",
        fields=PARTNERSHIP_FIELDS,
        prepare=_check_focal_person,
        save_unchanged=False,
        bump_revision=True,
    )
    return partnership


def _check_focal_person(partnership: Partnership) -> None:
    if (
        partnership.focal_person_id
        and not Membership.objects.filter(
            user_id=partnership.focal_person_id, organization_id=partnership.organization_id
        ).exists()
    ):
        raise ValidationError(
            {"focal_person": "The focal person must be a member of the lead organization."}
        )


# --- invitations ----------------------------------------------------------------------------


@transaction.atomic
def participant_invite(
    *, actor: Any, partnership: Partnership, organization: Organization, message: str = ""
) -> PartnershipParticipant:
    """Invite an organization (lead editors). A declined or withdrawn organization may be
    invited again; an organization already invited or taking part may not."""
    require(actor, partnership.organization_id, "change")
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if organization.pk == partnership.organization_id:
        raise ValidationError(
            {"organization": "The lead organization cannot be invited to its own partnership."}
        )
    if not organization.is_active:
        raise ValidationError({"organization": "This organization is no longer active."})
    if partnership.status in (Partnership.Status.COMPLETED, Partnership.Status.TERMINATED):
        raise ValidationError(
            f"This partnership is {partnership.get_status_display().lower()}: "
            "it takes no new participants."
        )
    now = timezone.now()
    participant = PartnershipParticipant.objects.filter(
        partnership=partnership, organization=organization
    ).first()
    before = None
    if participant is not None:
        if participant.state in (ParticipantState.INVITED, ParticipantState.ACCEPTED):
            raise ValidationError(
                {
                    "organization": f"{organization.code} is already "
                    f"{participant.get_state_display().lower()} in this partnership."
                }
            )
        before = audit.snapshot(participant, ["state"])
        participant.state = ParticipantState.INVITED
        participant.responded_at = None
        participant.responded_by = None
    else:
        participant = PartnershipParticipant(partnership=partnership, organization=organization)
    participant.invited_by = actor
    participant.invited_at = now
    participant.message = message
    participant.full_clean()
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as exc:  # the database guard (trigger / unique) has the last word
        raise ValidationError(
            {"organization": f"{organization.code} cannot be invited to this partnership."}
        ) from exc
    audit.record(
        actor=actor,
        action="partnership.participant_invited",
        subject=partnership,
        before=before,
        after={"organization": organization.code, "state": participant.state},
    )
    notifications.emit(
        "partnership.invited",
        partnership,
        actor=actor,
        recipients=org_admins(organization.pk),
        text=f"{partnership.organization.code} invites {organization.code} to "
        f"“{partnership.title}”.",
        url=reverse("coordination:invitation-inbox"),
        organization_id=organization.pk,
    )
    return participant


@transaction.atomic
def participant_withdraw(*, actor: Any, participant: PartnershipParticipant) -> None:
    """Withdraw an invitation or a participation (lead editors). The organization loses access."""
    partnership = participant.partnership
    require(actor, partnership.organization_id, "change")
    participant = PartnershipParticipant.objects.select_for_update().get(pk=participant.pk)
    if participant.state not in (ParticipantState.INVITED, ParticipantState.ACCEPTED):
        raise ValidationError(
            f"{participant.organization.code} is not taking part "
            f"({participant.get_state_display().lower()})."
        )
    before = participant.state
    participant.state = ParticipantState.WITHDRAWN
    participant.responded_at = timezone.now()
    participant.save(update_fields=["state", "responded_at"])
    audit.record(
        actor=actor,
        action="partnership.participant_withdrawn",
        subject=partnership,
        before={"organization": participant.organization.code, "state": before},
        after={"organization": participant.organization.code, "state": participant.state},
    )
    # The withdrawn organization can no longer open the partnership: the notice is about its
    # own organization (which its admins can open), with no link.
    notifications.emit(
        "partnership.withdrawn",
        participant.organization,
        actor=actor,
        recipients=org_admins(participant.organization_id),
        text=f"{partnership.organization.code} withdrew {participant.organization.code} "
        f"from “{partnership.title}”.",
    )


def _answer(
    *, actor: Any, participant: PartnershipParticipant, state: str, verb: str, reason: str
) -> PartnershipParticipant:
    organization = participant.organization
    if not tenancy_of(actor).can(organization.pk, "admin"):
        raise PermissionDenied(
            f"Only an administrator of {organization.code} can answer this invitation."
        )
    participant = (
        PartnershipParticipant.objects.select_for_update(of=("self",))
        .select_related("partnership__organization", "partnership__focal_person", "organization")
        .get(pk=participant.pk)
    )
    if participant.state != ParticipantState.INVITED:
        raise ValidationError(
            f"This invitation was already answered or withdrawn "
            f"({participant.get_state_display().lower()})."
        )
    partnership = participant.partnership
    participant.state = state
    participant.responded_at = timezone.now()
    participant.responded_by = actor
    participant.save(update_fields=["state", "responded_at", "responded_by"])
    audit.record(
        actor=actor,
        action=f"partnership.invitation_{state}",
        subject=partnership,
        before={"organization": organization.code, "state": ParticipantState.INVITED},
        after={"organization": organization.code, "state": state, "reason": reason},
    )
    people = [participant.invited_by_id, partnership.focal_person_id]
    recipients = [pk for pk in dict.fromkeys(people) if pk] or org_admins(
        partnership.organization_id
    )
    text = f"{organization.code} {state} the invitation to “{partnership.title}”."
    if reason:
        text = f"{text} Reason: {reason}"[:300]
    notifications.emit(
        verb,
        partnership,
        actor=actor,
        recipients=recipients,
        text=text,
        url=reverse("coordination:partnership-detail", args=[partnership.public_id]),
    )
    return participant


@transaction.atomic
def invitation_accept(*, actor: Any, participant: PartnershipParticipant) -> PartnershipParticipant:
    """Accept an invitation (org_admin of the invited organization)."""
    return _answer(
        actor=actor,
        participant=participant,
        state=ParticipantState.ACCEPTED,
        verb="partnership.accepted",
        reason="",
    )


@transaction.atomic
def invitation_decline(
    *, actor: Any, participant: PartnershipParticipant, reason: str = ""
) -> PartnershipParticipant:
    """Decline an invitation (org_admin of the invited organization). Access ends at once."""
    return _answer(
        actor=actor,
        participant=participant,
        state=ParticipantState.DECLINED,
        verb="partnership.declined",
        reason=reason.strip(),
    )


# --- milestones and comments ----------------------------------------------------------------


def _check_responsible(milestone: Milestone, accepted: set[int]) -> None:
    allowed = accepted | {milestone.partnership.organization_id}
    if milestone.responsible_organization_id not in allowed:
        raise ValidationError(
            {
                "responsible_organization": "Choose the lead or an organization that accepted "
                "the invitation."
            }
        )


@transaction.atomic
def milestone_create(*, actor: Any, partnership: Partnership, **data: Any) -> Milestone:
    """Add a milestone (lead editors). The responsible organization is the lead or an accepted
    participant."""
    require(actor, partnership.organization_id, "change")
    milestone = Milestone(partnership=partnership, updated_by=actor, **data)
    _check_responsible(milestone, accepted_org_ids(partnership))
    milestone.check_due_in_period()
    writes.create(milestone, actor=actor, action="milestone.created", fields=MILESTONE_FIELDS)
    return milestone


@transaction.atomic
def milestone_update(*, actor: Any, milestone: Milestone, **data: Any) -> Milestone:
    """Change a milestone. Lead editors change everything; an accepted participant's editors
    change only the status and progress of the milestones their organization carries."""
    partnership = milestone.partnership
    accepted = accepted_org_ids(partnership)
    if not can_update_milestone(actor, milestone, accepted):
        raise PermissionDenied("Your role does not allow you to update this milestone.")
    is_lead_editor = tenancy_of(actor).can(partnership.organization_id, "change")
    if not is_lead_editor and set(data) - set(MILESTONE_PROGRESS_FIELDS):
        raise PermissionDenied("You may only update the status and progress of this milestone.")
    milestone = writes.lock(milestone)
    milestone.partnership = partnership
    old_due = milestone.due_date

    def prepare(milestone: Milestone) -> None:
        if milestone.due_date != old_due:
            milestone.check_due_in_period()
        if milestone.status == Milestone.Status.COMPLETED:
            milestone.progress = 100
        _check_responsible(milestone, accepted)

    if not writes.update(
        milestone,
        {**data, "updated_by": actor},
        actor=actor,
        action="milestone.updated",
        fields=MILESTONE_FIELDS,
        prepare=prepare,
        save_unchanged=False,
    ):
        return milestone
    if not is_lead_editor and partnership.focal_person_id:
        notifications.emit(
            "partnership.milestone_updated",
            partnership,
            actor=actor,
            recipients=[partnership.focal_person_id],
            text=f"{milestone.responsible_organization.code} updated “{milestone.title}”: "
            f"{milestone.get_status_display().lower()}, {milestone.progress}%.",
            url=reverse("coordination:partnership-detail", args=[partnership.public_id]),
        )
    return milestone


@transaction.atomic
def comment_add(*, actor: Any, partnership: Partnership, body: str) -> PartnershipComment:
    """Post to the partnership's thread (editors of the lead or of an accepted participant)."""
    organization_id = contributing_organization(actor, partnership, accepted_org_ids(partnership))
    if organization_id is None:
        raise PermissionDenied("Your role does not allow you to comment on this partnership.")
    comment = PartnershipComment(
        partnership=partnership,
        author=actor,
        organization_id=organization_id,
        body=body.strip(),
    )
    comment.full_clean()
    comment.save()
    audit.record(
        actor=actor,
        action="partnership.commented",
        subject=partnership,
        after={"comment": str(comment.public_id)},
    )
    return comment


# --- notifications --------------------------------------------------------------------------


def org_admins(organization_id: int) -> list[int]:
    """Active org_admins of an organization: they answer invitations."""
    return list(
        Membership.objects.filter(
            organization_id=organization_id,
            role__in=policies.roles_allowing("admin"),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def milestones_flag_overdue(*, today: datetime.date | None = None) -> int:
    """Notify the people responsible for each milestone that just became overdue.

    Idempotent: a milestone is flagged once per due date (`overdue_notified_for`), so running the
    task twice, or a retried task, sends nothing new; moving the due date and missing it again is
    a new event. Rows locked by a concurrent run are skipped, not waited for.
    """
    today = today or timezone.localdate()
    due = (
        Milestone.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("partnership", "responsible_organization")
        .filter(due_date__lt=today)
        .exclude(status__in=Milestone.CLOSED)
        .exclude(
            partnership__status__in=[
                Partnership.Status.COMPLETED,
                Partnership.Status.TERMINATED,
                Partnership.Status.DRAFT,
            ]
        )
        .exclude(overdue_notified_for=F("due_date"))
    )
    flagged = 0
    for milestone in due:
        partnership = milestone.partnership
        editors = Membership.objects.filter(
            organization_id=milestone.responsible_organization_id,
            role__in=policies.roles_allowing("change"),
            user__is_active=True,
        ).values_list("user_id", flat=True)
        recipients = [*editors, partnership.focal_person_id]
        notifications.emit(
            "partnership.milestone_overdue",
            partnership,
            recipients=[pk for pk in recipients if pk],
            text=f"Milestone “{milestone.title}” of “{partnership.title}” "
            f"({milestone.responsible_organization.code}) was due on "
            f"{formats.date(milestone.due_date)} and is not completed.",
            url=reverse("coordination:partnership-detail", args=[partnership.public_id]),
            key=f"milestone-overdue:{milestone.pk}:{milestone.due_date.isoformat()}",
        )
        milestone.overdue_notified_for = milestone.due_date
        milestone.save(update_fields=["overdue_notified_for"])
        flagged += 1
    return flagged
