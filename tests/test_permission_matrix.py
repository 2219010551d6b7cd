"""Every URL of the project × every persona (see tests/matrix.py for the rules)."""

from __future__ import annotations

import pytest

from organizations.models import Department
from tests.matrix import Sample, build_world, check_pattern, iter_patterns

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
