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

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q
from django.http import Http404

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
        waves = flag["scope__waves"] or []
        if flag["off_for"]:
            state = False
        elif flag["on_for"] or (
            organization.rollout_wave is not None and organization.rollout_wave in waves
        ):
            state = True
        else:
            state = bool(flag["everyone"])
        flag_states[flag["name"]] = state
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
            raise Http404(f"The {MODULES[app]} module is not switched on for your organization.")
        return None
