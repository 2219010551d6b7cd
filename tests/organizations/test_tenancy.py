"""OrgQuerySet.for_user and the 404/403 rules (ARCHITECTURE.md §3)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.tenancy import get_for_user_or_404, tenancy_of
from organizations.models import Department

pytestmark = pytest.mark.django_db


def names(user, action="view"):
    return set(
        Department.objects.for_user(user, action).values_list("organization__code", flat=True)
    )


def test_members_see_their_own_organization_only(personas, dept_b):
    assert names(personas["alice"]) == {"MOH"}
    assert names(personas["bob"]) == {"MOH"}
    assert names(personas["charlie"]) == {"MOLE"}


def test_the_action_needs_the_role(personas, dept_b):
    assert names(personas["bob"], "change") == set()
    assert names(personas["carol"], "change") == {"MOH"}
    assert names(personas["carol"], "approve") == set()
    assert names(personas["dave"], "approve") == {"MOH"}
    assert names(personas["dave"], "admin") == set()
    assert names(personas["alice"], "admin") == {"MOH"}


def test_ocm_reads_everything_and_changes_nothing(personas, dept_b):
    olga = personas["olga"]
    assert names(olga) == {"MOH", "MOLE"}
    for action in ("change", "approve", "admin"):
        assert names(olga, action) == set()
    assert tenancy_of(olga).is_ocm_only


def test_superuser_and_anonymous(personas, dept_b):
    assert names(personas["root"], "admin") == {"MOH", "MOLE"}
    assert Department.objects.for_user(AnonymousUser()).count() == 0


def test_inactive_user_sees_nothing(personas):
    alice = personas["alice"]
    alice.is_active = False
    assert Department.objects.for_user(alice).count() == 0


def test_foreign_object_is_404_and_a_low_role_is_403(personas, dept_a):
    with pytest.raises(Http404):
        get_for_user_or_404(Department, personas["charlie"], "view", public_id=dept_a.public_id)
    with pytest.raises(Http404):  # even for an action charlie's role would allow at home
        get_for_user_or_404(Department, personas["charlie"], "change", public_id=dept_a.public_id)
    with pytest.raises(PermissionDenied):
        get_for_user_or_404(Department, personas["bob"], "change", public_id=dept_a.public_id)
    found = get_for_user_or_404(Department, personas["carol"], "change", public_id=dept_a.public_id)
    assert found == dept_a


def test_unknown_action_is_a_programming_error(personas):
    with pytest.raises(ValueError, match="Unknown action"):
        Department.objects.for_user(personas["alice"], "delete")
