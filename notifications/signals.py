"""Writes that change what waits for someone bump the "waiting for you" counts of the
organization they belong to (notifications/waiting.py reads them from the versioned cache)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from core import versioned_cache
from core.tenancy import tenant_organization_id
from organizations.models import JoinInvitation

from .service import waiting_namespace


def user_namespace(user_id: int) -> str:
    return f"waiting-user:{user_id}"


def _bump_organization(instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    try:
        organization_id = tenant_organization_id(instance)
    except Exception:  # noqa: BLE001 - a child deleted with its parent: the parent's delete bumps
        return
    versioned_cache.bump(waiting_namespace(organization_id))
    # A participant's or a milestone's own organization waits on it too (invitations to answer,
    # milestones it is responsible for).
    for field in ("organization_id", "responsible_organization_id"):
        other = getattr(instance, field, None)
        if other and other != organization_id:
            versioned_cache.bump(waiting_namespace(other))


def _bump_invited_user(instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw") and instance.user_id:
        versioned_cache.bump(user_namespace(instance.user_id))


def _connect() -> None:
    from bcp.models import Acknowledgment, Plan, PlanVersion, Review
    from budgeting.models import BudgetProposal
    from coordination.models import Milestone, Partnership, PartnershipParticipant
    from planning.models import StrategicPlan

    for model in (
        Acknowledgment,
        Plan,
        PlanVersion,
        Review,
        BudgetProposal,
        StrategicPlan,
        Milestone,
        Partnership,  # its focal person owns its overdue milestones
        PartnershipParticipant,
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                _bump_organization, sender=model, weak=False, dispatch_uid=f"waiting-{model}"
            )
    for signal in (post_save, post_delete):
        signal.connect(
            _bump_invited_user, sender=JoinInvitation, weak=False, dispatch_uid="waiting-invite"
        )


_connect()
