"""Every URL of the project × every persona (see tests/matrix.py for the rules)."""

from __future__ import annotations

import pytest
from waffle.models import Flag

from core.tenancy import Role
from organizations.models import Department, Membership
from tests.factories import UserFactory
from tests.matrix import (
    Sample,
    build_world,
    check_module_off,
    check_pattern,
    iter_patterns,
    module_of_namespace,
    sample_for,
)

ALL_PATTERNS = list(iter_patterns())


@pytest.fixture
def world(personas):
    return build_world(personas)


def test_the_matrix_sees_every_url():
    keys = {key for key, _pattern, _ns in ALL_PATTERNS}
    assert "organizations:department-edit" in keys
    assert "admin:organizations_department_change" in keys
    assert len(keys) > 50


@pytest.mark.parametrize(
    ("key", "pattern"), [(k, p) for k, p, _ in ALL_PATTERNS], ids=[k for k, _p, _ in ALL_PATTERNS]
)
def test_permission_matrix(key, pattern, world, personas):
    assert check_pattern(key, pattern, world, personas) == []


# --- module off for the object's organization (issue 16) ---------------------------------------

MODULE_PATTERNS = [(k, p, ns) for k, p, ns in ALL_PATTERNS if module_of_namespace(ns)]


@pytest.fixture
def member_of_both(personas):
    """An org admin of org A (MOH) and of org B (MOLE), working in org B."""
    user = UserFactory(email="mia@test.bmms")
    org_a = personas["alice"].memberships.get().organization
    org_b = personas["charlie"].memberships.get().organization
    Membership.objects.create(user=user, organization=org_a, role=Role.ORG_ADMIN)
    Membership.objects.create(user=user, organization=org_b, role=Role.ORG_ADMIN)
    return user


MODULES_WITH_URLS = sorted({module_of_namespace(ns) for _k, _p, ns in MODULE_PATTERNS})


@pytest.mark.parametrize("module", MODULES_WITH_URLS)
def test_a_module_off_for_the_objects_organization_hides_its_objects(
    module, world, personas, member_of_both
):
    """Rule 6 of tests/matrix.py for every URL of the module (one world per module: building it
    is what takes the time)."""
    org_a = personas["alice"].memberships.get().organization
    Flag.objects.get(name=f"module.{module}").scope.excluded_organizations.add(org_a)
    checked, problems = 0, []
    for key, pattern, namespace in MODULE_PATTERNS:
        sample = sample_for(key, pattern, world)
        if module_of_namespace(namespace) != module or sample is None or not sample.foreign:
            continue
        problems += check_module_off(key, pattern, world, personas, member_of_both)
        checked += 1
    assert checked >= 5
    assert problems == []


def test_the_module_off_dimension_sees_a_visible_object(world, personas, member_of_both):
    """The harness can fail: with the module on, the member opens org A's plan (a 200, which
    rule 6 reports)."""
    patterns = {key: (pattern, ns) for key, pattern, ns in MODULE_PATTERNS}
    pattern, _ns = patterns["bcp:plan-detail"]
    problems = check_module_off("bcp:plan-detail", pattern, world, personas, member_of_both)
    assert problems and "member GET" in problems[0] and "→ 200, expected 404" in problems[0]


# --- the harness can fail ------------------------------------------------------------------------


def _unscoped_department(request, public_id):
    """A view that forgets for_user: it serves any organization's department."""
    from django.http import HttpResponse

    department = Department.objects.get(public_id=public_id)
    return HttpResponse(department.name)


@pytest.mark.urls("tests.unscoped_urls")
def test_matrix_catches_a_view_that_forgets_for_user(world, personas):
    patterns = {key: pattern for key, pattern, _ns in iter_patterns()}
    key = "unscoped-department"
    problems = check_pattern(
        key,
        patterns[key],
        world,
        personas,
        extra={key: Sample(kwargs=lambda w: {"public_id": w["dept_a"].public_id}, foreign=True)},
    )
    assert any("charlie (other organization) GET" in p and "expected 404" in p for p in problems)
    assert any("anonymous GET" in p for p in problems)


@pytest.mark.urls("tests.unscoped_urls")
def test_matrix_fails_on_a_url_without_a_sample(world, personas):
    patterns = {key: pattern for key, pattern, _ns in iter_patterns()}
    problems = check_pattern(
        "unscoped-department", patterns["unscoped-department"], world, personas
    )
    assert problems == [
        "unscoped-department: no sample in tests/matrix.py: add one so the matrix covers it"
    ]
