"""The go-live checklist of an organization, computed from the data (never ticked by hand).

`checklists(organizations)` computes it for any number of organizations in a fixed number of
grouped queries (seven, whatever the count), so the board of 44 costs what the board of one does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import formats
from waffle.models import Flag

from core.modules import MODULES, flag_name
from core.tenancy import Role
from organizations.models import Department, Membership

ACTIVATION_TARGET = 0.8
#: Each of these roles needs at least one member who attended a training session.
KEY_ROLES = (Role.ORG_ADMIN, Role.EDITOR, Role.APPROVER)


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str


@dataclass
class Checklist:
    organization: Any
    items: list[Item] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[Item]:
        return [i for i in self.items if not i.ok]

    @property
    def ready(self) -> bool:
        return not self.blocking

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.ok)


def _activated() -> Q:
    """A member is activated once they set a password (invited users have an unusable one,
    which Django stores starting with "!")."""
    return Q(user__is_active=True) & ~Q(user__password__startswith="!")


def checklists(organizations: list[Any]) -> dict[int, Checklist]:
    from .models import Enrolment, UATRun, Wave

    ids = [o.pk for o in organizations]
    waves = {w.number: w for w in Wave.objects.all()}
    members = {
        row["organization"]: row
        for row in Membership.objects.filter(organization__in=ids)
        .values("organization")
        .annotate(
            total=Count("pk"),
            activated=Count("pk", filter=_activated()),
            admins=Count("pk", filter=Q(role=Role.ORG_ADMIN)),
        )
    }
    departments = dict(
        Department.objects.filter(organization__in=ids)
        .values("organization")
        .annotate(n=Count("pk"))
        .values_list("organization", "n")
    )
    trained: dict[int, set[str]] = defaultdict(set)
    for org_id, role in (
        Enrolment.objects.filter(organization__in=ids, attended=True)
        .values_list("organization", "role")
        .distinct()
    ):
        trained[org_id].add(role)
    signed: dict[int, set[str]] = defaultdict(set)
    for org_id, module in UATRun.objects.filter(
        organization__in=ids, signed_off_at__isnull=False
    ).values_list("organization", "script__module"):
        signed[org_id].add(module)
    flags = set(
        Flag.objects.filter(name__in=[flag_name(m) for m in MODULES]).values_list("name", flat=True)
    )

    result = {}
    for org in organizations:
        m = members.get(org.pk, {"total": 0, "activated": 0, "admins": 0})
        wave = waves.get(org.rollout_wave) if org.rollout_wave is not None else None
        modules = list(wave.modules) if wave else []
        share = m["activated"] / m["total"] if m["total"] else 0
        missing_roles = [Role(r).label for r in KEY_ROLES if r not in trained[org.pk]]
        unsigned = [MODULES.get(x, x) for x in modules if x not in signed[org.pk]]
        unflagged = [MODULES.get(x, x) for x in modules if flag_name(x) not in flags]
        items = [
            Item(
                "admins",
                "Organization admins named",
                m["admins"] > 0,
                f"{m['admins']} admin(s)" if m["admins"] else "No organization admin yet",
            ),
            Item(
                "members",
                "Members imported and at least 80 % activated",
                m["total"] > m["admins"] and share >= ACTIVATION_TARGET,
                f"{m['activated']} of {m['total']} activated ({share:.0%})",
            ),
            Item(
                "departments",
                "Departments set up",
                departments.get(org.pk, 0) > 0,
                f"{departments.get(org.pk, 0)} department(s)",
            ),
            Item(
                "training",
                "Training attended by each key role",
                not missing_roles,
                "Missing: " + ", ".join(missing_roles) if missing_roles else "All key roles",
            ),
            Item(
                "uat",
                "UAT signed off for every module of the wave",
                bool(modules) and not unsigned,
                "Not signed off: " + ", ".join(unsigned) if unsigned else "All signed off",
            ),
            Item(
                "modules",
                "Modules configured for the wave",
                bool(modules) and not unflagged,
                (
                    "No wave or no modules chosen"
                    if not modules
                    else ("No switch for: " + ", ".join(unflagged) if unflagged else "Configured")
                ),
            ),
            Item(
                "date",
                "Go-live date set",
                org.go_live_date is not None,
                formats.date_format(org.go_live_date, "j M Y") if org.go_live_date else "No date",
            ),
        ]
        result[org.pk] = Checklist(org, items, modules)
    return result


def checklist(organization: Any) -> Checklist:
    return checklists([organization])[organization.pk]
