"""Modules switched on and off per organization and rollout wave (django-waffle flags).

Each module (an app with its own URLs) has a waffle `Flag` named `module.<app>`, extended by a
`ModuleFlagScope` (organizations, waves, exclusions). For a user who
works in an organization, the flags are evaluated in one query when the user's tenancy profile
is built (and cached with it, core/tenancy.py), and:
  * the menu hides a module that is off (`enabled_modules` in templates);
  * every URL of that module answers 404 (`ModuleAccessMiddleware`), so nothing is reachable by
    typing its address;
  * the organization's objects of that module are left out of `for_user` for its members
    (core/tenancy.py), so switching to another organization where the module is on
    does not reopen them, and the JSON API is held to the same rule.
Users without a current organization (OCM-only, superusers) see every module: the flags decide
what an organization's staff use, not what oversight may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

#: app label → menu label. The order is the menu's order.
MODULES: dict[str, str] = {
    "planning": "Planning",
    "budgeting": "Budgets",
    "coordination": "Partnerships",
    "bcp": "Continuity plans",
}
FLAG_PREFIX = "module."


def flag_name(module: str) -> str:
    return f"{FLAG_PREFIX}{module}"


def flag_state(*, everyone, waves, listed: bool, excluded: bool, wave: int | None) -> bool:
    """The one rule: excluded → off; listed or in a listed wave → on; else the flag's
    `everyone` (on only when True)."""
    if excluded:
        return False
    if listed or (wave is not None and wave in waves):
        return True
    return bool(everyone)


@dataclass(frozen=True)
class ModuleSwitch:
    """One module's flag as the switches page reads it."""

    module: str
    label: str
    everyone: bool | None
    waves: frozenset[int]
    listed: frozenset[int]
    excluded: frozenset[int]
    has_flag: bool

    def on_for(self, organization) -> bool:
        if not self.has_flag:
            return True  # a module without a flag row is on
        return flag_state(
            everyone=self.everyone,
            waves=self.waves,
            listed=organization.pk in self.listed,
            excluded=organization.pk in self.excluded,
            wave=organization.rollout_wave,
        )


def module_switches() -> list[ModuleSwitch]:
    """Every module's flag and scope, for all organizations at once (three queries)."""
    from waffle.models import Flag

    from organizations.models import ModuleFlagScope

    flags = {
        f.name: f for f in Flag.objects.filter(name__startswith=FLAG_PREFIX).select_related("scope")
    }
    listed: dict[int, set[int]] = {}
    excluded: dict[int, set[int]] = {}
    for through, into in (
        (ModuleFlagScope.organizations.through, listed),
        (ModuleFlagScope.excluded_organizations.through, excluded),
    ):
        for scope_id, org_id in through.objects.values_list(
            "moduleflagscope_id", "organization_id"
        ):
            into.setdefault(scope_id, set()).add(org_id)
    result = []
    for module, label in MODULES.items():
        flag = flags.get(flag_name(module))
        scope = getattr(flag, "scope", None) if flag is not None else None
        result.append(
            ModuleSwitch(
                module=module,
                label=label,
                everyone=flag.everyone if flag is not None else True,
                waves=frozenset(scope.waves if scope else ()),
                listed=frozenset(listed.get(scope.pk, ()) if scope else ()),
                excluded=frozenset(excluded.get(scope.pk, ()) if scope else ()),
                has_flag=flag is not None,
            )
        )
    return result


def modules_for_organization(organization) -> frozenset[str]:
    """The modules switched on for one organization (one query)."""
    from waffle.models import Flag

    flags = Flag.objects.filter(name__startswith=FLAG_PREFIX).annotate(
        on_for=ArrayAgg(
            "scope__organizations__id",
            filter=Q(scope__organizations__id=organization.pk),
            default=[],
        ),
        off_for=ArrayAgg(
            "scope__excluded_organizations__id",
            filter=Q(scope__excluded_organizations__id=organization.pk),
            default=[],
        ),
    )
    flag_states = {}
    for flag in flags.values("name", "everyone", "scope__waves", "on_for", "off_for"):
        flag_states[flag["name"]] = flag_state(
            everyone=flag["everyone"],
            waves=flag["scope__waves"] or [],
            listed=bool(flag["on_for"]),
            excluded=bool(flag["off_for"]),
            wave=organization.rollout_wave,
        )
    # A module without a flag row is on: flags switch modules off, they do not gate new ones.
    return frozenset(m for m in MODULES if flag_states.get(flag_name(m), True))


def enabled_modules(request) -> frozenset[str]:
    """Modules the request's user may use, computed once per request."""
    cached = getattr(request, "_enabled_modules", None)
    if cached is not None:
        return cached
    organization = getattr(request, "organization", None)
    if organization is None:
        modules = frozenset(MODULES)
    else:
        profile = getattr(request, "tenancy", None)
        modules = profile.modules.get(organization.pk) if profile is not None else None
        if modules is None:
            modules = modules_for_organization(organization)
    request._enabled_modules = modules
    return modules


class ModuleAccessMiddleware:
    """404 on every URL of a module that is switched off for the user's organization."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        app = match.app_name if match else ""
        if app in MODULES and app not in enabled_modules(request):
            return module_off_response(request, app)
        return None


def module_off_response(request, module: str) -> HttpResponse:
    """A plain page instead of a bare 404: the module is not switched on for the user's
    organization, and whom to ask. The status stays 404: the address exists for other
    organizations, and an off module's URLs keep answering as if they did not (the matrix and
    the JSON API rely on it); the page only explains."""
    from .policies import members_who_may

    organization = request.organization
    admins = list(members_who_may(organization.pk, "admin")[:5])
    return render(
        request,
        "module_off.html",
        {"module_label": MODULES[module], "organization": organization, "admins": admins},
        status=404,
    )
