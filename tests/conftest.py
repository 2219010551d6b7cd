"""Personas (ARCHITECTURE.md §7) and shared fixtures.

alice: org A admin · bob: org A viewer · carol: org A editor · dave: org A approver
charlie: org B editor · sam: org B approver, "shared with" (holds grants on org A plans in the
permission matrix) · olga: OCM analyst (OCM-only) · root: superuser.
Org A is MOH and org B is MOLE (both loaded by the data migration).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core.tenancy import Role
from organizations.loader import load_organizations
from organizations.models import Organization
from tests.factories import DepartmentFactory, MembershipFactory, OCMAccessFactory, UserFactory


def pytest_collection_modifyitems(items):
    """Transactional tests (live server, threads) flush the database when they end; restore the
    rows the migrations loaded (the 44 organizations) so later tests still find them."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
                append=False,
            )


def _clear_own_cache_keys():
    """Delete this worker's keys only: `cache.clear()` would FLUSHDB the Redis database that
    parallel workers share (each has its own key prefix, see config/settings/test.py)."""
    client = cache.client.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clean_cache():
    _clear_own_cache_keys()
    yield
    _clear_own_cache_keys()


def _organizations_loaded() -> None:
    """The data migration loads them, but a transactional test that ran before may have
    flushed the tables; loading is idempotent (one query when nothing is missing)."""
    if Organization.objects.count() < 44:
        load_organizations(Organization)


@pytest.fixture
def org_a(db) -> Organization:
    _organizations_loaded()
    return Organization.objects.get(code="MOH")


@pytest.fixture
def org_b(db) -> Organization:
    _organizations_loaded()
    return Organization.objects.get(code="MOLE")


def _member(email, org, role, department=None):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organization=org, role=role, department=department)
    return user


@pytest.fixture
def dept_a(org_a):
    return DepartmentFactory(organization=org_a, name="Finance")


@pytest.fixture
def dept_b(org_b):
    return DepartmentFactory(organization=org_b, name="Finance")


@pytest.fixture
def alice(org_a, dept_a):
    return _member("alice@test.bmms", org_a, Role.ORG_ADMIN, dept_a)


@pytest.fixture
def bob(org_a, dept_a):
    return _member("bob@test.bmms", org_a, Role.VIEWER, dept_a)


@pytest.fixture
def carol(org_a, dept_a):
    return _member("carol@test.bmms", org_a, Role.EDITOR, dept_a)


@pytest.fixture
def dave(org_a, dept_a):
    return _member("dave@test.bmms", org_a, Role.APPROVER, dept_a)


@pytest.fixture
def charlie(org_b, dept_b):
    return _member("charlie@test.bmms", org_b, Role.EDITOR, dept_b)


@pytest.fixture
def sam(org_b, dept_b):
    """Another organization's BCM focal person: an approver of org B. The permission matrix's
    "shared with" persona (tests/bcp/matrix_samples.py shares org A's plans with sam)."""
    return _member("sam@test.bmms", org_b, Role.APPROVER, dept_b)


@pytest.fixture
def olga(db):
    user = UserFactory(email="olga@test.bmms")
    OCMAccessFactory(user=user)
    return user


@pytest.fixture
def root(db):
    return UserFactory(email="root@test.bmms", is_staff=True, is_superuser=True)


@pytest.fixture
def personas(alice, bob, carol, dave, charlie, sam, olga, root):
    return {
        "sam": sam,
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "charlie": charlie,
        "olga": olga,
        "root": root,
    }


@pytest.fixture
def login(client):
    """`login(user)` returns the test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
