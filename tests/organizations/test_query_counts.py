"""Query counts per page are pinned and do not grow with the number of rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations import services
from tests.factories import DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def grow(org, n, actor):
    for _ in range(n):
        department = DepartmentFactory(organization=org)
        MembershipFactory(organization=org, department=department)
        services.department_update(actor=actor, department=department, head="Someone")


PAGES = {
    "organizations:organization-list": 3,
    "organizations:department-list": 2,
    "organizations:member-list": 3,
    "organizations:audit-log": 3,
    "home": 2,
}


@pytest.mark.parametrize(("name", "expected"), PAGES.items(), ids=PAGES.keys())
def test_page_queries_are_constant(name, expected, alice, org_a, client, django_assert_num_queries):
    client.force_login(alice)
    url = reverse(name)
    grow(org_a, 3, alice)
    client.get(url)  # warm: session and tenancy profile cached (new members reset the profile)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(org_a, 40, alice)
    client.get(url)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
