"""Switching modules on and off (the module switches page, superusers only), audited.

A switch writes the module's waffle flag scope (`ModuleFlagScope`, core/modules.py):
on for an organization lists it and lifts its exclusion; off excludes it (exclusion wins over
waves and "everyone"). A wave switch lists or unlists the wave and applies the same to each of
its organizations, so "off for wave 2" is off for each of them whatever else says. The flag scope's
signals replace the "tenancy" version token (organizations/apps.py), so the next request of
every user rebuilds its profile and sees the new menu and pages; no cache entry is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from waffle.models import Flag

from core import audit
from core.modules import MODULES, flag_name, module_switches
from core.policies import require_system_admin

from .models import ModuleFlagScope, Organization


def _scope(module: str) -> ModuleFlagScope:
    if module not in MODULES:
        raise ValidationError(f"There is no module “{module}”.")
    # A module without a flag is on for everyone: create it so, then lock it (one writer).
    flag, _ = Flag.objects.get_or_create(name=flag_name(module), defaults={"everyone": True})
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    scope, _ = ModuleFlagScope.objects.get_or_create(flag=flag)
    return scope


def _current(module: str):
    return next(s for s in module_switches() if s.module == module)


def _apply(scope: ModuleFlagScope, organizations: list[Organization], on: bool) -> None:
    if on:
        scope.excluded_organizations.remove(*organizations)
        scope.organizations.add(*organizations)
    else:
        scope.organizations.remove(*organizations)
        scope.excluded_organizations.add(*organizations)


def _audit(actor: Any, scope: ModuleFlagScope, module: str, organization, was: bool, on: bool):
    audit.record(
        actor=actor,
        action=f"module.switched_{'on' if on else 'off'}",
        subject=scope,
        organization=organization,
        before={"module": module, "on": was},
        after={"module": module, "on": on},
    )


@transaction.atomic
def switch_module(*, actor: Any, module: str, organization: Organization, on: bool) -> bool:
    """Switch one module on or off for one organization. Returns whether anything changed."""
    require_system_admin(actor)
    scope = _scope(module)
    was = _current(module).on_for(organization)
    _apply(scope, [organization], on)
    if was != on:
        _audit(actor, scope, module, organization, was, on)
    return was != on


def wave_organizations(wave: int) -> list[Organization]:
    return list(Organization.objects.filter(rollout_wave=wave).order_by("code"))


@transaction.atomic
def switch_module_for_wave(*, actor: Any, module: str, wave: int, on: bool) -> list[Organization]:
    """Switch one module on or off for a rollout wave and each of its organizations. Returns
    the organizations whose state changed (each audited)."""
    require_system_admin(actor)
    scope = _scope(module)
    organizations = wave_organizations(wave)
    current = _current(module)
    was = {o.pk: current.on_for(o) for o in organizations}
    waves = set(scope.waves)
    if on:
        waves.add(wave)
    else:
        waves.discard(wave)
    scope.waves = sorted(waves)
    scope.save(update_fields=["waves"])
    if organizations:
        _apply(scope, organizations, on)
    changed = [o for o in organizations if was[o.pk] != on]
    for organization in changed:
        _audit(actor, scope, module, organization, was[organization.pk], on)
    return changed
