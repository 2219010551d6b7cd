"""Partnerships: who sees one, who sees its work, who writes for which organization.

One rule, two forms: `partnership_scope()` is the queryset form (the door of
`Partnership.objects.for_user`, and through it of participants, milestones and comments), and
`sees_work()` the same rule asked of one partnership whose accepted participants are known:

* members of the lead organization, and of organizations whose participation is accepted, see
  the partnership and its work (milestones, comments);
* org admins of an invited organization see the partnership, to answer, not its work;
* oversight sees what is shared with it: OCM users the partnerships marked `visible_to_ocm`
  (`shared_with_ocm()`, also what the OCM dashboard counts), superusers everything;
* an organization where the coordination module is off takes no part, as lead or participant.

Writing: the lead's editors change the partnership and its milestones; an accepted
participant's editors comment and update the milestones their organization is responsible for;
OCM read-only users write nothing (`TenancyProfile.can`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..tenancy import ACTION_MIN_ROLE, tenancy_of
from .base import may

#: The module whose switch governs partnerships (core/modules.py).
MODULE = "coordination"

#: What the OCM sees of partnerships: those their lead chose to share with it.
SHARED_WITH_OCM = Q(visible_to_ocm=True)


def shared_with_ocm(queryset: QuerySet) -> QuerySet:
    """The partnerships of `queryset` shared with the OCM (its dashboard and drill-down)."""
    return queryset.filter(SHARED_WITH_OCM)


def partnership_scope(
    queryset: QuerySet, user: Any, action: str = "view", *, include_invitations: bool = True
) -> QuerySet:
    """The partnerships of `queryset` that `user` may see (`action="view"`) or act on (any other
    action: the lead organization's, `require()` then gives 403 for a role too low)."""
    from coordination.models import ParticipantState, PartnershipParticipant

    if action not in ACTION_MIN_ROLE:
        raise ValueError(f"Unknown action {action!r}")
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    profile = tenancy_of(user)
    if profile.is_superuser:
        return queryset.all()
    if action != "view":
        return queryset.filter(organization_id__in=profile.organization_ids(action, MODULE))
    member_orgs = profile.organization_ids("view", MODULE)
    condition = Q(organization_id__in=member_orgs) | Q(
        Exists(
            PartnershipParticipant.objects.filter(
                partnership=OuterRef("pk"),
                state=ParticipantState.ACCEPTED,
                organization_id__in=member_orgs,
            )
        )
    )
    if include_invitations:
        condition |= Q(
            Exists(
                PartnershipParticipant.objects.filter(
                    partnership=OuterRef("pk"),
                    state=ParticipantState.INVITED,
                    organization_id__in=profile.organization_ids("admin", MODULE),
                )
            )
        )
    if profile.is_ocm:
        condition |= SHARED_WITH_OCM
    return queryset.filter(condition)


def sees_work(user: Any, partnership: Any, accepted: set[int]) -> bool:
    """`partnership_scope(..., include_invitations=False)` for one partnership, given the ids
    of its accepted participants (no query)."""
    profile = tenancy_of(user)
    if profile.is_superuser:
        return True
    member_orgs = set(profile.organization_ids("view", MODULE))
    return (
        partnership.organization_id in member_orgs
        or bool(accepted & member_orgs)
        or (profile.is_ocm and partnership.visible_to_ocm)
    )


def contributing_organization(user: Any, partnership: Any, accepted: set[int]) -> int | None:
    """The organization the user writes for in this partnership (comments, milestone updates):
    the lead if they are its editor, else an accepted participant where they are an editor;
    None for everyone else (viewers, OCM read-only users, invitees)."""
    if may(user, partnership.organization_id, "change"):
        return partnership.organization_id
    for org_id in sorted(accepted):
        if may(user, org_id, "change"):
            return org_id
    return None


def may_update_milestone(user: Any, milestone: Any, accepted: set[int]) -> bool:
    """Lead editors update any milestone; an accepted participant's editors update the
    milestones their organization is responsible for."""
    if may(user, milestone.partnership.organization_id, "change"):
        return True
    org_id = milestone.responsible_organization_id
    return org_id in accepted and may(user, org_id, "change")


def may_answer_invitations(user: Any, organization: Any) -> bool:
    """An organization's admins accept or decline the invitations addressed to it."""
    return organization is not None and may(user, organization.pk, "admin")


def may_create_partnership(user: Any, organization: Any) -> bool:
    return organization is not None and may(user, organization.pk, "change")


@dataclass(frozen=True)
class PartnershipPermissions:
    """What a partnership's page may offer one user (`perms` in its templates)."""

    can_edit: bool
    sees_work: bool
    can_comment: bool
    #: The invitations of this partnership the user may answer (their organizations' admins).
    answerable: tuple


def partnership_permissions(
    user: Any, partnership: Any, participants: list, accepted: set[int]
) -> PartnershipPermissions:
    """Given the partnership's participant rows and accepted organization ids (no query)."""
    from coordination.models import ParticipantState

    work = sees_work(user, partnership, accepted)
    return PartnershipPermissions(
        can_edit=may(user, partnership.organization_id, "change"),
        sees_work=work,
        can_comment=work and contributing_organization(user, partnership, accepted) is not None,
        answerable=tuple(
            p
            for p in participants
            if p.state == ParticipantState.INVITED and may(user, p.organization_id, "admin")
        ),
    )
