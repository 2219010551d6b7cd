"""System administration pages (superusers): the administration overview and the module
switches. Role-aware landing on `/` is `views.home`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core import generic
from core.modules import MODULES, module_switches
from core.policies import require_system_admin

from . import switches, system
from .models import Organization


@login_required
def system_overview(request: HttpRequest) -> HttpResponse:
    require_system_admin(request.user)
    return render(request, "organizations/system_overview.html", {"overview": system.overview()})


@login_required
def module_switch_list(request: HttpRequest) -> HttpResponse:
    require_system_admin(request.user)
    from rollout.models import Wave

    switch_list = module_switches()
    organizations = list(
        Organization.objects.filter(is_active=True)
        .only("pk", "code", "name", "rollout_wave")
        .order_by("rollout_wave", "code")
    )
    rows = [
        {"organization": o, "cells": [(s, s.on_for(o)) for s in switch_list]} for o in organizations
    ]
    wave_sizes: dict[int, int] = {}
    for o in organizations:
        if o.rollout_wave is not None:
            wave_sizes[o.rollout_wave] = wave_sizes.get(o.rollout_wave, 0) + 1
    waves = [
        {
            "wave": w,
            "size": wave_sizes.get(w.number, 0),
            "cells": [(s, w.number in s.waves) for s in switch_list],
        }
        for w in Wave.objects.order_by("number")
    ]
    return render(
        request,
        "organizations/module_switches.html",
        {"switches": switch_list, "rows": rows, "waves": waves},
    )


def _module(module: str) -> str:
    if module not in MODULES:
        raise Http404("No such module.")
    return module


def _on(value: str) -> bool:
    if value not in ("on", "off"):
        raise Http404("A module is switched on or off.")
    return value == "on"


@login_required
@require_POST
def module_switch(request: HttpRequest, module: str, code: str, state: str) -> HttpResponse:
    require_system_admin(request.user)
    module, on = _module(module), _on(state)
    organization = get_object_or_404(Organization, code=code.upper())
    changed = switches.switch_module(
        actor=request.user, module=module, organization=organization, on=on
    )
    word, label = ("on" if on else "off"), MODULES[module]
    if changed:
        messages.success(request, f"{label} is now switched {word} for {organization.code}.")
    else:
        messages.info(request, f"{label} was already {word} for {organization.code}.")
    return redirect(f"{reverse('organizations:module-switches')}#org-{organization.code}")


@login_required
@require_http_methods(["GET", "POST"])
def module_wave_switch(request: HttpRequest, module: str, wave: int, state: str) -> HttpResponse:
    """Switching a module for a whole wave: a confirmation page (it can close a module for many
    organizations at once), then the switch."""
    require_system_admin(request.user)
    from rollout.models import Wave

    module, on = _module(module), _on(state)
    wave_obj = get_object_or_404(Wave, number=wave)
    organizations = switches.wave_organizations(wave)
    codes = ", ".join(o.code for o in organizations) or "none yet"
    label = MODULES[module]
    word = "on" if on else "off"

    def perform():
        return switches.switch_module_for_wave(actor=request.user, module=module, wave=wave, on=on)

    return generic.confirm_view(
        request,
        perform=perform,
        success_url=reverse("organizations:module-switches"),
        success_message=lambda changed: (
            f"{label} is switched {word} for wave {wave}: "
            f"{len(changed)} organization{'s' if len(changed) != 1 else ''} changed."
        ),
        title=f"Switch {label} {word} for wave {wave}?",
        eyebrow="Module switches",
        eyebrow_url=reverse("organizations:module-switches"),
        intro=(
            f"{wave_obj}: {len(organizations)} organization"
            f"{'s' if len(organizations) != 1 else ''} ({codes})."
        ),
        note=(
            f"Their members will no longer see {label}: its menu entry and pages close for them "
            "at once. Their records stay; switching it on again reopens them."
            if not on
            else f"Their members will see {label} at once, including organizations you had "
            "switched off one by one."
        ),
        submit_label=f"Switch {label} {word} for {len(organizations)} organizations",
        danger=not on,
        cancel_url=reverse("organizations:module-switches"),
    )
