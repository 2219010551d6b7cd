"""Who receives an event: audiences from roles and relationships, then the tenancy gate.

Audiences ask the policy layer (organizations/policies.py: approvers, contributors) and the
modules' own selectors (bcp.selectors.plan_audience: who must acknowledge); the gate asks each
target's `for_user`, the one door to tenant rows, so no notification reaches anyone who cannot
open the object. To keep 1,000 recipients cheap, the gate builds the candidates' tenancy
profiles in a few bulk queries and asks `for_user` once per distinct access key (users with the
same key see the same rows: organizations.tenancy.TenancyProfile.access_key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Model

from organizations.models import Department, Membership, OCMAccess, Organization, User
from organizations.modules import modules_for_organization
from organizations.policies import contributor_ids, members_who_may
from organizations.tenancy import ROLE_RANK, Role, TenancyProfile


def members(organization_id: int, min_role: str = Role.VIEWER) -> set[int]:
    """Active members of an organization whose role is at least `min_role`."""
    roles = [r for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role(min_role)]]
    return set(
        Membership.objects.filter(
            organization_id=organization_id, role__in=roles, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def org_admins(organization_id: int) -> set[int]:
    return members(organization_id, Role.ORG_ADMIN)


def editors(organization_id: int) -> set[int]:
    """Members who may change the organization's records (editors, approvers, admins)."""
    return members(organization_id, Role.EDITOR)


def deciders(subject: Model, organization_id: int) -> set[int]:
    """Approvers of the organization who may decide on `subject`: segregation of duties (the
    policy layer's contributors) leaves out everyone who contributed to or submitted it."""
    approvers = set(members_who_may(organization_id, "approve").values_list("pk", flat=True))
    return approvers - contributor_ids(subject)


def contributors(subject: Model) -> set[int]:
    """The preparer, whoever changed or submitted it (the policy layer's record)."""
    return contributor_ids(subject)


# --- the tenancy gate --------------------------------------------------------------------------


def _profiles(user_ids: Iterable[int]) -> list[User]:
    """Active users with their tenancy profile attached, in five queries plus one per
    organization (its module switches), whatever the number of users. The organizations and
    departments are read once each and shared by the memberships (a fan-out to 1,000 members
    of one organization builds one organization, not 1,000)."""
    users = list(User.objects.filter(pk__in=set(user_ids), is_active=True))
    if not users:
        return []
    pks = [user.pk for user in users]
    memberships = list(
        Membership.objects.filter(user_id__in=pks, organization__is_active=True).order_by(
            "-is_primary", "organization__code"
        )
    )
    shared = Organization.objects.select_related("attached_to").in_bulk(
        {m.organization_id for m in memberships}
    )
    departments = Department.objects.in_bulk(
        {m.department_id for m in memberships if m.department_id}
    )
    by_user: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        membership.organization = shared[membership.organization_id]
        if membership.department_id:
            membership.department = departments[membership.department_id]
        by_user[membership.user_id].append(membership)
    ocm = {
        row[0]: (row[1], row[2])
        for row in OCMAccess.objects.filter(user_id__in=pks, is_active=True).values_list(
            "user_id", "level", "also_member"
        )
    }
    organizations: dict[int, Organization] = {
        m.organization_id: m.organization for ms in by_user.values() for m in ms
    }
    modules = {pk: modules_for_organization(org) for pk, org in organizations.items()}
    for user in users:
        memberships = by_user.get(user.pk, [])
        level, also_member = ocm.get(user.pk, (None, False))
        user._tenancy_profile = TenancyProfile(
            is_superuser=user.is_superuser,
            ocm_level=level,
            ocm_also_member=also_member,
            memberships=memberships,
            modules={m.organization_id: modules[m.organization_id] for m in memberships},
        )
    return users


def openers(target: Model, user_ids: Iterable[int]) -> list[User]:
    """The users among `user_ids` who can open `target` (its model's `for_user`), active ones
    only. A target without `for_user` (a personal record such as an import job) is opened by
    exactly the audience its event names."""
    users = _profiles(user_ids)
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
