"""Reads of the coordination app, always scoped to the user asking (through `for_user`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Round

from core import policies
from organizations.models import Organization

from .models import (
    Milestone,
    ParticipantState,
    Partnership,
    PartnershipComment,
    PartnershipParticipant,
)

TABS = {
    "leads": "My organization leads",
    "participates": "My organization takes part",
    "invitations": "Invitations waiting",
}
OCM_TAB = {"ocm": "Shared with OCM"}


def _progress_subquery() -> Subquery:
    """Partnership progress in SQL: the mean of its milestones' progress (cancelled ones left
    out), rounded to a whole percent; 0 with no milestone."""
    mean = (
        Milestone.objects.filter(partnership=OuterRef("pk"))
        .exclude(status=Milestone.Status.CANCELLED)
        .values("partnership")
        .annotate(mean=Round(Avg("progress")))
        .values("mean")
    )
    return Subquery(mean, output_field=IntegerField())


def _count_subquery(queryset: QuerySet) -> Subquery:
    counted = queryset.values("partnership").annotate(n=Count("pk")).values("n")
    return Subquery(counted, output_field=IntegerField())


def with_rollups(queryset: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """Progress, accepted participants and milestone counts as subqueries (no row growth)."""
    return queryset.annotate(
        progress=Coalesce(_progress_subquery(), Value(0)),
        participant_count=Coalesce(
            _count_subquery(
                PartnershipParticipant.objects.filter(
                    partnership=OuterRef("pk"), state=ParticipantState.ACCEPTED
                )
            ),
            Value(0),
        ),
        milestone_count=Coalesce(
            _count_subquery(Milestone.objects.filter(partnership=OuterRef("pk"))), Value(0)
        ),
    )


#: Version-token namespace of the cached partnership lists (see core.versioned_cache).
CACHE_NAMESPACE = "coordination"


def partnership_list(
    user: Any, organization: Organization | None, tab: str
) -> QuerySet[Partnership]:
    """One tab of the list page, for the user's current organization.

    leads: partnerships the organization leads; participates: accepted participations;
    invitations: invitations waiting for an answer; ocm: partnerships shared with OCM.
    Always a subset of `Partnership.objects.for_user(user)`.
    """
    visible = Partnership.objects.for_user(user, "view")
    if tab == "ocm":
        qs = policies.shared_with_ocm(visible)
    elif organization is None:
        qs = visible.none()
    elif tab == "leads":
        qs = visible.filter(organization=organization)
    else:
        state = ParticipantState.INVITED if tab == "invitations" else ParticipantState.ACCEPTED
        qs = visible.filter(
            participant_links__organization=organization, participant_links__state=state
        )
    return with_rollups(qs.select_related("organization")).order_by("-start_date", "title")


def tab_counts(user: Any, organization: Organization | None) -> dict[str, int]:
    """How many partnerships each tab holds, in one query."""
    if organization is None:
        return {}
    visible = Partnership.objects.for_user(user, "view")
    counts = visible.aggregate(
        leads=Count("pk", filter=Q(organization=organization), distinct=True),
        participates=Count(
            "pk",
            filter=Q(
                participant_links__organization=organization,
                participant_links__state=ParticipantState.ACCEPTED,
            ),
            distinct=True,
        ),
        invitations=Count(
            "pk",
            filter=Q(
                participant_links__organization=organization,
                participant_links__state=ParticipantState.INVITED,
            ),
            distinct=True,
        ),
    )
    return counts


def partnership_detail(user: Any, public_id: Any) -> Partnership:
    """One partnership the user may open, with its rollups (404 otherwise)."""
    from django.shortcuts import get_object_or_404

    qs = with_rollups(
        Partnership.objects.for_user(user, "view").select_related(
            "organization", "focal_person", "created_by"
        )
    )
    return get_object_or_404(qs, public_id=public_id)


def participants_of(partnership: Partnership) -> list[PartnershipParticipant]:
    return list(
        partnership.participant_links.select_related(
            "organization", "invited_by", "responded_by"
        ).order_by("organization__code")
    )


def milestones_of(partnership: Partnership) -> list[Milestone]:
    return list(
        partnership.milestones.select_related("responsible_organization", "updated_by").order_by(
            "due_date", "title"
        )
    )


def comments_of(partnership: Partnership, limit: int = 100) -> list[PartnershipComment]:
    """The latest `limit` comments, oldest first (a long thread shows its recent part)."""
    latest = list(
        partnership.comments.select_related("author", "organization").order_by(
            "-created_at", "-id"
        )[:limit]
    )
    return latest[::-1]


def invitations_for(user: Any, organization: Organization) -> QuerySet[PartnershipParticipant]:
    """Invitations waiting for the organization's answer (its org_admins see them)."""
    return (
        PartnershipParticipant.objects.for_invited_member(user)
        .filter(organization=organization, state=ParticipantState.INVITED)
        .select_related("partnership__organization", "invited_by", "organization")
        .order_by("-invited_at")
    )
