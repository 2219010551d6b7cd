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
    # count, rows, and (for admins) who on the page is locked out of signing in (issue 17)
    "organizations:member-list": 4,
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


def test_the_lockouts_page_is_constant_in_the_number_of_locked_members(
    alice, org_a, client, django_assert_num_queries
):
    from axes.models import AccessAttempt
    from django.utils import timezone

    def lock(n, start):
        for i in range(start, start + n):
            member = MembershipFactory(organization=org_a)
            AccessAttempt.objects.create(
                username=member.user.email,
                ip_address=f"203.0.113.{i % 250 + 1}",
                user_agent="test",
                failures_since_start=5,
                attempt_time=timezone.now(),
                get_data="",
                post_data="",
                http_accept="",
                path_info="/accounts/login/",
            )

    client.force_login(alice)
    url = reverse("organizations:member-lockouts")
    lock(3, 0)
    client.get(url)
    with django_assert_num_queries(3):
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count("Locked until") == 3
    lock(40, 3)
    client.get(url)
    with django_assert_num_queries(3):
        page = client.get(url)
    assert page.content.decode().count("Locked until") == 43


def test_the_invitation_pages_are_constant_in_the_number_of_invitations(
    alice, charlie, org_a, client, django_assert_num_queries
):
    from organizations import invitations
    from organizations.models import Organization
    from tests.factories import UserFactory

    def invite_to_org_a(n):
        for _ in range(n):
            invitations.invitation_upsert(
                actor=alice, user=UserFactory(), organization=org_a, role="viewer"
            )

    def invite_charlie(codes):
        for organization in Organization.objects.filter(code__in=codes):
            invitations.invitation_upsert(
                actor=None, user=charlie, organization=organization, role="viewer"
            )

    codes = list(
        Organization.objects.exclude(code__in=["MOH", "MOLE"]).values_list("code", flat=True)
    )
    for name, user, grow_by in (
        ("organizations:invitation-list", alice, invite_to_org_a),
        ("organizations:my-invitations", charlie, None),
    ):
        client.force_login(user)
        url = reverse(name)
        if grow_by:
            grow_by(3)
        else:
            invite_charlie(codes[:3])
        client.get(url)
        expected = 3 if grow_by else 2  # (user, count, rows) · (user, rows)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
        if grow_by:
            grow_by(30)
        else:
            invite_charlie(codes[3:20])
        client.get(url)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
