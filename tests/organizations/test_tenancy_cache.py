"""The tenancy profile cache: warm requests skip the lookups, and every change is seen at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from waffle.models import Flag

from core.tenancy import Role
from organizations.models import Membership, OCMAccess

pytestmark = pytest.mark.django_db


def tables_read(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, " ".join(q["sql"] for q in ctx.captured_queries)


def test_a_warm_request_reads_memberships_ocm_access_and_flags_from_the_cache(client, carol):
    client.force_login(carol)
    url = reverse("organizations:department-list")
    _, cold = tables_read(client, url)
    response, warm = tables_read(client, url)
    assert response.status_code == 200
    for table in ("organizations_ocmaccess", "waffle_flag", "django_session"):
        assert table in cold or table == "django_session"
        assert table not in warm


def test_a_lowered_role_is_refused_on_the_next_request(client, alice):
    client.force_login(alice)
    url = reverse("organizations:audit-log")
    assert client.get(url).status_code == 200  # org_admin, profile now cached
    membership = Membership.objects.get(user=alice)
    membership.role = Role.VIEWER
    membership.save()
    assert client.get(url).status_code == 403


def test_a_removed_membership_loses_the_organization_on_the_next_request(client, alice, dept_a):
    client.force_login(alice)
    edit = reverse("organizations:department-edit", args=[dept_a.public_id])
    assert client.get(edit).status_code == 200
    Membership.objects.filter(user=alice).delete()
    assert client.get(edit).status_code == 404


def test_granted_ocm_access_shows_on_the_next_request(client, bob):
    client.force_login(bob)
    dashboard = reverse("ocm:dashboard")
    assert client.get(dashboard).status_code == 403
    OCMAccess.objects.create(user=bob, level="analyst")
    assert client.get(dashboard).status_code == 200


def test_a_module_switched_off_is_gone_on_the_next_request(client, carol):
    client.force_login(carol)
    url = reverse("planning:plan-list")
    assert client.get(url).status_code == 200
    flag = Flag.objects.get(name="module.planning")
    flag.everyone = False
    flag.save()
    assert client.get(url).status_code == 404
    assert 'href="/planning/"' not in client.get("/").content.decode()


def test_a_bulk_import_is_seen_on_the_next_request(client, alice, bob, org_a):
    from organizations.importing import commit

    client.force_login(bob)
    url = reverse("organizations:audit-log")
    assert client.get(url).status_code == 403
    csv_text = (
        "email,first_name,last_name,organization,role,department,position,phone\n"
        f"{bob.email},Bob,Viewer,{org_a.code},org_admin,,,\n"
    )
    checked, result = commit(csv_text, importer=alice)
    assert checked.ok and result.updated == 1, checked
    assert client.get(url).status_code == 200
