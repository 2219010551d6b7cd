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
    "organizations:organization-list": 7,
    "organizations:department-list": 6,
    "organizations:member-list": 7,
    "organizations:audit-log": 7,
    "home": 6,
}


@pytest.mark.parametrize(("name", "expected"), PAGES.items(), ids=PAGES.keys())
def test_page_queries_are_constant(name, expected, alice, org_a, client, django_assert_num_queries):
    client.force_login(alice)
    url = reverse(name)
    grow(org_a, 3, alice)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(org_a, 40, alice)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
