"""Who may do what in the rollout app: one small function per object kind, used by views and
templates alike (templates receive the answers in their context)."""

from __future__ import annotations

from typing import Any

from core.policies import is_oversight
from core.tenancy import tenancy_of

ROLLOUT_TEAM_GROUP = "Rollout team"


def is_rollout_team(user: Any) -> bool:
    """System administrators and members of the "Rollout team" group (one query, then cached
    on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_rollout_team", None)
    if cached is None:
        cached = user.groups.filter(name=ROLLOUT_TEAM_GROUP).exists()
        user._is_rollout_team = cached
    return cached


def rollout_team_ids() -> set[int]:
    """The active accounts of the rollout team (who is told that a go-live is blocked)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return set(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ROLLOUT_TEAM_GROUP))
        .values_list("pk", flat=True)
    )


# --- the rollout board -------------------------------------------------------------------------


def can_read_board(user: Any) -> bool:
    """The rollout team works on it; the OCM reads it."""
    return is_rollout_team(user) or is_oversight(user)


# --- announcements -----------------------------------------------------------------------------


def announcement_organizations(user: Any) -> list[int] | None:
    """Organizations whose announcements the user may publish: None = any audience
    (system administrators), else the ids of the organizations they administer."""
    if user.is_superuser:
        return None
    return tenancy_of(user).organization_ids("admin")


def can_publish_announcements(user: Any) -> bool:
    allowed = announcement_organizations(user)
    return allowed is None or bool(allowed)


def can_manage_announcement(user: Any, announcement: Any) -> bool:
    allowed = announcement_organizations(user)
    if allowed is None:
        return True
    return announcement.audience == "organization" and announcement.organization_id in allowed


# --- feedback ----------------------------------------------------------------------------------


def can_read_feedback(user: Any, feedback: Any) -> bool:
    """The reporter, the admins of the reporter's organization and the rollout team."""
    return (
        feedback.reporter_id == user.pk
        or tenancy_of(user).can(feedback.organization_id, "admin")
        or is_rollout_team(user)
    )


def can_triage_feedback(user: Any) -> bool:
    return is_rollout_team(user)


# --- UAT ---------------------------------------------------------------------------------------


def can_record_uat(user: Any, run: Any) -> bool:
    """Testers are the organization's editors and above."""
    return tenancy_of(user).can(run.organization_id, "change")


def sign_off_refusal(user: Any, run: Any, results: dict[int, Any]) -> str | None:
    """Why this user cannot sign the run off now (None: they can)."""
    if not tenancy_of(user).can(run.organization_id, "admin"):
        return "Only an organization admin signs UAT off."
    if run.signed_off_at is not None:
        return "This UAT is already signed off."
    missing = [i + 1 for i in range(len(run.script.steps)) if i not in results]
    if missing:
        return f"Steps not tested yet: {', '.join(map(str, missing))}."
    failed = [i + 1 for i, r in sorted(results.items()) if r.outcome != "pass"]
    if failed:
        return f"Steps that failed: {', '.join(map(str, failed))}. Retest them first."
    return None


# --- training ----------------------------------------------------------------------------------


def can_manage_training(user: Any) -> bool:
    return is_rollout_team(user)


def can_take_attendance(user: Any, session: Any) -> bool:
    return session.trainer_id == user.pk or is_rollout_team(user)


def can_enrol_others(user: Any, organization_id: int | None) -> bool:
    """Org admins enrol the members of their organization."""
    return organization_id is not None and tenancy_of(user).can(organization_id, "admin")
