"""Modules switched off per organization or wave answer 404 on every URL, and leave the menu."""

from __future__ import annotations

import pytest
from django.urls import reverse
from waffle.models import Flag

from core.modules import MODULES, modules_for_organization
from organizations.models import Organization
from tests.matrix import _url, build_world, iter_patterns, sample_for

pytestmark = pytest.mark.django_db

MODULE_PATTERNS = [(key, pattern, ns) for key, pattern, ns in iter_patterns() if ns in MODULES]


def test_every_module_flag_exists_and_is_on_by_default(org_a):
    assert set(Flag.objects.values_list("name", flat=True)) >= {f"module.{m}" for m in MODULES}
    assert modules_for_organization(org_a) == frozenset(MODULES)


def test_flags_by_organization_and_wave(org_a, org_b):
    flag = Flag.objects.get(name="module.coordination")
    flag.everyone = None
    flag.save()
    scope = flag.scope
    scope.waves = [1]
    scope.save()
    mssd = Organization.objects.get(code="MSSD")
    assert "coordination" in modules_for_organization(org_a)  # pilot, wave 1
    assert "coordination" not in modules_for_organization(mssd)  # no wave yet
    scope.organizations.add(mssd)
    assert "coordination" in modules_for_organization(mssd)
    scope.excluded_organizations.add(org_b)  # MOLE is wave 1, but excluded wins
    assert "coordination" not in modules_for_organization(org_b)


@pytest.mark.parametrize("module", sorted({ns for _k, _p, ns in MODULE_PATTERNS}))
def test_a_module_switched_off_answers_404_everywhere_and_comes_back(
    module, personas, org_a, client
):
    world = build_world(personas)
    scope = Flag.objects.get(name=f"module.{module}").scope
    scope.excluded_organizations.add(org_a)
    client.force_login(personas["alice"])
    patterns = [(k, p) for k, p, ns in MODULE_PATTERNS if ns == module]
    assert patterns
    for key, pattern in patterns:
        sample = sample_for(key, pattern, world)
        url = _url(key, pattern, sample.resolve_kwargs(world), None)
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert f"{MODULES[module]}</a>" not in client.get("/").content.decode()

    scope.excluded_organizations.remove(org_a)
    for key, pattern in patterns:
        sample = sample_for(key, pattern, world)
        if sample.reader != "alice":
            continue
        url = _url(key, pattern, sample.resolve_kwargs(world), None)
        assert client.get(url).status_code in sample.ok, url


def test_switching_organization_does_not_reopen_a_module_switched_off_for_the_objects_owner(
    personas, org_a, org_b, client
):
    """Issue 16: bcp and planning off for MOH only; MOH's admin, also a member of MOLE, switches
    to MOLE (where both are on): MOH's plans stay out of reach; MOLE's work as before."""
    from bcp.models import Plan
    from core.tenancy import Role
    from organizations.models import Membership
    from tests.bcp.factories import make_plan

    world = build_world(personas)
    alice = personas["alice"]
    Membership.objects.create(user=alice, organization=org_b, role=Role.ORG_ADMIN)
    for module in ("bcp", "planning"):
        Flag.objects.get(name=f"module.{module}").scope.excluded_organizations.add(org_a)
    mole_plan = make_plan(org_b, personas["charlie"], title="MOLE plan")
    client.force_login(alice)
    client.post(reverse("organizations:switch"), {"organization": "MOLE"})
    for url in (
        reverse("bcp:plan-detail", args=[world["bcp_plan"].public_id]),
        reverse("bcp:version-diff", args=[world["bcp_plan"].public_id]),
        reverse("bcp:version-edit", args=[world["bcp_draft"].public_id]),
        reverse("planning:plan-detail", args=[world["plan"].public_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("bcp:plan-detail", args=[mole_plan.public_id])).status_code == 200
    listed = client.get(reverse("bcp:plan-list")).content.decode()
    assert "MOLE plan" in listed and "Matrix plan" not in listed
    fresh = type(alice).objects.get(pk=alice.pk)  # no profile cached on the object
    assert Plan.objects.for_user(fresh).filter(organization=org_a).count() == 0
