"""Tenancy: the single enforcement point for who may see and change what (ARCHITECTURE.md §3).

Every tenant-owned model inherits `OrgOwnedModel`, whose manager offers
`for_user(user, action)`. Views start from it and never from `Model.objects.get()`:

* an object of an organization the user cannot see is simply not in the queryset (→ 404);
* a member whose role is too low for the action gets `PermissionDenied` (→ 403);
* OCM-only users read every organization and write nothing;
* a module (planning, budgeting, coordination, bcp) switched off for an organization hides that
  organization's rows of the module from its members, whichever organization they work in
  (oversight, i.e. OCM users and superusers, still reads them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404

from . import versioned_cache
from .modules import MODULES

if TYPE_CHECKING:
    from organizations.models import Membership


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    APPROVER = "approver", "Approver"
    ORG_ADMIN = "org_admin", "Organization admin"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.APPROVER: 3, Role.ORG_ADMIN: 4}

#: The lowest membership role that may perform an action.
ACTION_MIN_ROLE = {
    "view": Role.VIEWER,
    "change": Role.EDITOR,
    "approve": Role.APPROVER,
    "admin": Role.ORG_ADMIN,
}


def role_allows(role: str | None, action: str) -> bool:
    """True when a membership role is high enough for an action."""
    if role is None:
        return False
    return ROLE_RANK[Role(role)] >= ROLE_RANK[ACTION_MIN_ROLE[action]]


@dataclass
class TenancyProfile:
    """What one user may do: memberships, OCM level and the modules of each organization.

    Built from the database (two queries, plus one per organization for its module flags) when
    the cache has no current copy, and cached on the user object for the request."""

    is_superuser: bool = False
    ocm_level: str | None = None
    #: A superuser granted both OCM access and working memberships (OCMAccess.also_member).
    ocm_also_member: bool = False
    memberships: list[Membership] = field(default_factory=list)
    #: organization id → modules switched on there (core/modules.py)
    modules: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def roles(self) -> dict[int, str]:
        return {m.organization_id: m.role for m in self.memberships}

    @property
    def is_ocm(self) -> bool:
        return self.ocm_level is not None

    @property
    def is_ocm_only(self) -> bool:
        """An OCM user reads everything and writes nothing, whatever memberships they have,
        unless a superuser explicitly granted both (OCMAccess.also_member). The rule is the
        grant, not the absence of memberships."""
        return self.is_ocm and not self.ocm_also_member and not self.is_superuser

    def can(self, organization_id: int | None, action: str) -> bool:
        if self.is_superuser:
            return True
        if action == "view" and self.is_ocm:
            return True
        if self.is_ocm_only:
            return False
        return role_allows(self.roles.get(organization_id), action)

    def module_on(self, organization_id: int, module: str | None) -> bool:
        """Whether a module is switched on for one of the user's organizations (no module: on)."""
        if module is None:
            return True
        modules = self.modules.get(organization_id)
        return modules is None or module in modules

    def modules_of(self, organization_id: int | None) -> frozenset[str]:
        """The modules switched on in one of the user's organizations (none elsewhere)."""
        return self.modules.get(organization_id) or frozenset()

    def organization_ids(self, action: str, module: str | None = None) -> list[int]:
        """The user's organizations where their role allows the action and, given a module,
        where that module is switched on. An OCM-only user acts (beyond reading) nowhere."""
        if action != "view" and self.is_ocm_only:
            return []
        return [
            org_id
            for org_id, role in self.roles.items()
            if role_allows(role, action) and self.module_on(org_id, module)
        ]

    def sees_everything(self, action: str) -> bool:
        return self.is_superuser or (action == "view" and self.is_ocm)

    @property
    def access_key(self) -> str:
        """Everything that decides what the user may read and do: users with the same key see
        the same rows and buttons, so a cached page fragment keyed by it can serve them all."""
        roles = ",".join(
            f"{org}={role}:{'+'.join(sorted(self.modules.get(org, MODULES)))}"
            for org, role in sorted(self.roles.items())
        )
        ocm = f"{self.ocm_level or ''}{'+member' if self.ocm_also_member else ''}"
        return f"{int(self.is_superuser)}|{ocm}|{roles}"


def tenancy_of(user: Any) -> TenancyProfile:
    """The user's tenancy profile: cached on the user object for the request, and in the cache
    (Redis) between requests under the current tenancy version (see `bump_tenancy_version`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return TenancyProfile()
    cached = getattr(user, "_tenancy_profile", None)
    if cached is not None:
        return cached
    key = ["profile-v2", user.pk]  # v2: with the OCM "also a member" grant
    token, stored = versioned_cache.lookup(NAMESPACE, key)
    if stored is None:
        stored = _load_profile(user)
        versioned_cache.store(NAMESPACE, key, token, stored, PROFILE_CACHE_SECONDS)
    profile = _profile(user, *stored)
    user._tenancy_profile = profile
    return profile


# --- the profile cache -----------------------------------------------------------------------
# A profile is cached under the "tenancy" version token (core/versioned_cache.py).
# Saving or deleting anything a profile is built from (memberships, OCM access, organizations,
# departments, module flags and their scopes) bumps it, so the next request of every user
# rebuilds from the database: a revoked membership is gone on the very next request.

PROFILE_CACHE_SECONDS = 300
NAMESPACE = "tenancy"


def _load_profile(
    user: Any,
) -> tuple[list, tuple[str | None, bool], dict[int, frozenset[str]]]:
    """What `tenancy_of` caches for one user: two queries plus one per organization."""
    memberships, ocm, modules = _read_profiles([user.pk])
    return memberships.get(user.pk, []), ocm.get(user.pk, (None, False)), modules


def _read_profiles(
    user_pks: list[int],
) -> tuple[dict[int, list], dict[int, tuple[str | None, bool]], dict[int, frozenset[str]]]:
    """The memberships (per user), OCM grants (per user) and switched-on modules (per
    organization) of these users: two queries plus one per organization, however many users.
    The memberships share one instance of each organization and department."""
    from collections import defaultdict

    from organizations.models import Membership, OCMAccess

    from .modules import modules_for_organization

    memberships: dict[int, list] = defaultdict(list)
    organizations: dict[int, Any] = {}
    departments: dict[int, Any] = {}
    for membership in (
        Membership.objects.filter(user_id__in=user_pks, organization__is_active=True)
        .select_related("organization__attached_to", "department")
        .order_by("-is_primary", "organization__code")
    ):
        membership.organization = organizations.setdefault(
            membership.organization_id, membership.organization
        )
        if membership.department_id:
            membership.department = departments.setdefault(
                membership.department_id, membership.department
            )
        memberships[membership.user_id].append(membership)
    ocm = {
        user_id: (level, also_member)
        for user_id, level, also_member in OCMAccess.objects.filter(
            user_id__in=user_pks, is_active=True
        ).values_list("user_id", "level", "also_member")
    }
    modules = {pk: modules_for_organization(org) for pk, org in organizations.items()}
    return memberships, ocm, modules


def attach_profiles(user_ids: Any) -> list[Any]:
    """The active users among `user_ids`, each with the profile `tenancy_of` would build,
    attached for many users at once (a notification's audience): three queries plus one per
    organization (its module switches), whatever the number of users."""
    from organizations.models import User

    users = list(User.objects.filter(pk__in=set(user_ids), is_active=True))
    memberships, ocm, modules = _read_profiles([user.pk for user in users])
    for user in users:
        user._tenancy_profile = _profile(
            user, memberships.get(user.pk, []), ocm.get(user.pk, (None, False)), modules
        )
    return users


def _profile(
    user: Any,
    memberships: list,
    ocm: tuple[str | None, bool],
    modules: dict[int, frozenset[str]],
) -> TenancyProfile:
    level, also_member = ocm
    return TenancyProfile(
        is_superuser=user.is_superuser,
        ocm_level=level,
        ocm_also_member=also_member,
        memberships=memberships,
        modules={m.organization_id: modules[m.organization_id] for m in memberships},
    )


def bump_tenancy_version(action: str = "", **kwargs: Any) -> None:
    """Invalidate every cached profile (now, and again when the transaction commits).

    Connected to the signals of the models a profile is built from (organizations/apps.py);
    call it after bulk writes that send no signals (`bulk_create`, `QuerySet.update`).
    `m2m_changed` fires before and after each change: only the after counts."""
    if not action.startswith("pre_"):
        versioned_cache.bump(NAMESPACE)


def forget_tenancy(user: Any) -> None:
    """Drop the cached profile (after memberships change within a request)."""
    if hasattr(user, "_tenancy_profile"):
        del user._tenancy_profile


class OrgQuerySet(models.QuerySet):
    """Querysets of tenant data. `for_user` is the only door to tenant rows."""

    def for_user(self, user: Any, action: str = "view") -> OrgQuerySet:
        if action not in ACTION_MIN_ROLE:
            raise ValueError(f"Unknown action {action!r}")
        profile = tenancy_of(user)
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if profile.sees_everything(action):
            return self.all()
        tenant_field = self.model.TENANT_FIELD
        organization_ids = profile.organization_ids(action, module_of(self.model))
        return self.filter(**{f"{tenant_field}__in": organization_ids})

    def for_organization(self, organization: Any) -> OrgQuerySet:
        return self.filter(**{self.model.TENANT_FIELD: organization})


def module_of(model: type[models.Model]) -> str | None:
    """The module (core/modules.py) whose switch governs a model's rows: its app's, or
    its `TENANT_MODULE` attribute; None for models outside every module."""
    module = getattr(model, "TENANT_MODULE", None) or model._meta.app_label
    return module if module in MODULES else None


class OrgOwnedModel(models.Model):
    """Base of every tenant-owned model: an organization, protected from deletion."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)ss",
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def tenant_organization_id(self) -> int:
        return self.organization_id


def tenant_organization_id(obj: Any) -> int | None:
    """Organization id of any tenant object, following its model's TENANT_FIELD path."""
    path = obj.TENANT_FIELD.split("__")
    target = obj
    for part in path[:-1]:
        target = getattr(target, part)
    return getattr(target, f"{path[-1]}_id")


def require(user: Any, organization_id: int | None, action: str) -> None:
    """Raise PermissionDenied (403) when the user's role is too low for the action."""
    if not tenancy_of(user).can(organization_id, action):
        raise PermissionDenied(f"Your role does not allow you to {action} this.")


def get_for_user_or_404(model: type[models.Model], user: Any, action: str = "view", **lookup):
    """Fetch one tenant object: 404 when the user cannot see it, 403 when they may not act."""
    obj = get_object_or_404(model.objects.for_user(user, "view"), **lookup)
    if action != "view":
        require(user, tenant_organization_id(obj), action)
    return obj
