"""Who receives an event: audiences from roles and relationships, then the tenancy gate.

Audiences ask the policy layer (core/policies/: approvers, contributors) and the
modules' own selectors (bcp.selectors.plan_audience: who must acknowledge); the gate asks each
target's `for_user`, the one door to tenant rows, so no notification reaches anyone who cannot
open the object. To keep 1,000 recipients cheap, the gate builds the candidates' tenancy
profiles in a few bulk queries (core.tenancy.attach_profiles) and asks `for_user` once per
distinct access key (users with the same key see the same rows:
core.tenancy.TenancyProfile.access_key).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model

from core.policies import contributor_ids, members_who_may
from core.tenancy import attach_profiles


def members(organization_id: int, action: str = "view") -> set[int]:
    """Active members of an organization whose role allows `action` (the policy layer's
    `members_who_may`: the one place the role ladder becomes a query)."""
    return set(members_who_may(organization_id, action).values_list("pk", flat=True))


def org_admins(organization_id: int) -> set[int]:
    return members(organization_id, "admin")


def editors(organization_id: int) -> set[int]:
    """Members who may change the organization's records (editors, approvers, admins)."""
    return members(organization_id, "change")


def deciders(subject: Model, organization_id: int) -> set[int]:
    """Approvers of the organization who may decide on `subject`: segregation of duties (the
    policy layer's contributors) leaves out everyone who contributed to or submitted it."""
    approvers = set(members_who_may(organization_id, "approve").values_list("pk", flat=True))
    return approvers - contributor_ids(subject)


def contributors(subject: Model) -> set[int]:
    """The preparer, whoever changed or submitted it (the policy layer's record)."""
    return contributor_ids(subject)


# --- the tenancy gate -----------------------------------------------------------------------------


def openers(target: Model, user_ids: Iterable[int]) -> list:
    """The users among `user_ids` who can open `target` (its model's `for_user`), active ones
    only. A target without `for_user` (a personal record such as an import job) is opened by
    exactly the audience its event names."""
    users = attach_profiles(user_ids)
    manager = type(target)._default_manager
    if not hasattr(manager, "for_user"):
        return users
    verdict: dict[str, bool] = {}
    allowed = []
    for user in users:
        key = user._tenancy_profile.access_key
        if key not in verdict:
            verdict[key] = manager.for_user(user).filter(pk=target.pk).exists()
        if verdict[key]:
            allowed.append(user)
    return allowed
