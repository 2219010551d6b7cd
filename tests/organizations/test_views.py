"""The portal shell and the organizations pages, as a user meets them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.middleware import SESSION_KEY
from core.tenancy import Role
from organizations.demo import DEMO_PASSWORD
from organizations.models import AuditLog, Department, Membership, OCMAccess, User
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_current_organization(login, alice):
    response = login(alice).get("/")
    assert response.status_code == 200
    assert "Ministry of Health" in response.content.decode()
    assert response.headers["X-Request-ID"]


def test_switching_organization_is_checked_against_memberships(client, alice, org_b, org_a):
    MembershipFactory(user=alice, organization=org_b, role=Role.VIEWER, is_primary=False)
    client.force_login(alice)
    response = client.post(
        reverse("organizations:switch"), {"organization": "MOLE", "next": "/org/departments/"}
    )
    assert response.status_code == 302 and response["Location"] == "/org/departments/"
    assert "Ministry of Labor and Employment" in client.get("/").content.decode()
    # MAFAR is not hers: refused, and she stays in MOLE.
    assert (
        client.post(reverse("organizations:switch"), {"organization": "MAFAR"}).status_code == 403
    )
    assert client.session[SESSION_KEY] == "MOLE"
    # An open redirect through `next` is neutralised.
    response = client.post(
        reverse("organizations:switch"), {"organization": "MOH", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_stale_choice_falls_back_to_the_primary_membership(client, alice, org_b):
    membership = MembershipFactory(user=alice, organization=org_b, is_primary=False)
    client.force_login(alice)
    client.post(reverse("organizations:switch"), {"organization": "MOLE"})
    assert "<h1>Ministry of Labor and Employment</h1>" in client.get("/").content.decode()
    membership.delete()  # removed from MOLE meanwhile: checked again on the next request
    page = client.get("/").content.decode()
    assert "<h1>Ministry of Health</h1>" in page and "Ministry of Labor" not in page


def test_department_create_validates_and_audits(login, alice, dept_a):
    client = login(alice)
    url = reverse("organizations:department-create")
    response = client.post(url, {"name": "  finance ", "code": "FIN2"})
    assert response.status_code == 200
    assert "already has a department by that name" in response.content.decode()
    assert Department.objects.filter(organization=dept_a.organization).count() == 1

    response = client.post(url, {"name": "Internal Audit", "code": "IA"})
    assert response.status_code == 302
    created = Department.objects.get(name="Internal Audit")
    assert created.organization.code == "MOH"
    entry = AuditLog.objects.get(action="department.created")
    assert (
        entry.actor_email == "alice@test.bmms" and entry.organization_id == created.organization_id
    )
    assert entry.after["name"] == "Internal Audit" and entry.request_id


def test_department_form_ignores_an_organization_posted_by_hand(login, alice, org_b):
    login(alice).post(
        reverse("organizations:department-create"), {"name": "Sneaky", "organization": org_b.pk}
    )
    assert Department.objects.get(name="Sneaky").organization.code == "MOH"


def test_deleting_a_department_asks_first(login, alice, bob, dept_a):
    client = login(alice)
    url = reverse("organizations:department-delete", args=[dept_a.public_id])
    page = client.get(url).content.decode()
    assert "Delete department “Finance”?" in page and "member(s) stay" in page
    assert Department.objects.filter(pk=dept_a.pk).exists()
    assert client.post(url).status_code == 302
    assert not Department.objects.filter(pk=dept_a.pk).exists()
    assert Membership.objects.get(user=bob).department is None


def test_an_admin_cannot_remove_their_own_admin_role(login, alice):
    membership = Membership.objects.get(user=alice)
    response = login(alice).post(
        reverse("organizations:member-edit", args=[membership.public_id]),
        {"role": "viewer", "position": "x"},
    )
    assert "cannot remove your own administrator role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ORG_ADMIN and membership.position == ""


def test_member_edit_changes_role_and_is_audited(login, alice, bob):
    membership = Membership.objects.get(user=bob)
    response = login(alice).post(
        reverse("organizations:member-edit", args=[membership.public_id]),
        {"role": "editor", "position": "Budget Officer II"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "editor"
    entry = AuditLog.objects.get(action="membership.updated")
    assert entry.before["role"] == "viewer" and entry.after["role"] == "editor"


def test_audit_log_page_is_for_org_admins_and_shows_only_their_organization(
    login, alice, bob, charlie, dept_a, dept_b, client
):
    from organizations import services

    services.department_update(actor=alice, department=dept_a, head="Head A")
    root_like = User.objects.create_superuser("boss@test.bmms", "x")
    services.department_update(actor=root_like, department=dept_b, head="Head B")
    page = login(alice).get(reverse("organizations:audit-log")).content.decode()
    assert "Head A" in page and "Head B" not in page
    filtered = client.get(reverse("organizations:audit-log"), {"action": "created"})
    assert "Head A" not in filtered.content.decode()
    client.force_login(bob)
    assert client.get(reverse("organizations:audit-log")).status_code == 403


def test_user_without_organization_gets_a_clear_reason(client, db):
    user = User.objects.create_user("nobody@test.bmms", "x")
    client.force_login(user)
    response = client.get(reverse("organizations:department-list"))
    assert response.status_code == 403
    assert "not a member of any" in response.content.decode()


def test_ocm_user_reads_but_cannot_write_and_can_sign_out(client, olga, dept_a):
    client.force_login(olga)
    assert client.get(reverse("organizations:organization-list")).status_code == 200
    detail = client.get(reverse("organizations:organization-detail", args=["MOH"]))
    assert "Finance" in detail.content.decode()
    response = client.post(reverse("organizations:department-create"), {"name": "X"})
    assert response.status_code == 403
    assert not Department.objects.filter(name="X").exists()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_ocm_user_granted_both_by_a_superuser_writes_in_that_organization(client, org_a, olga):
    MembershipFactory(user=olga, organization=org_a, role=Role.ORG_ADMIN)
    olga.ocm_access.also_member = True  # the explicit grant (issue 16); without it: read-only
    olga.ocm_access.save()
    client.force_login(olga)
    assert (
        client.post(reverse("organizations:department-create"), {"name": "Planning"}).status_code
        == 302
    )


def test_directory_search_and_htmx_partial(login, alice):
    client = login(alice)
    page = client.get(reverse("organizations:organization-list"), {"q": "health"})
    assert "Ministry of Health" in page.content.decode()
    assert "Ministry of Labor" not in page.content.decode()
    partial = client.get(
        reverse("organizations:organization-list"),
        {"category": "commission"},
        HTTP_HX_REQUEST="true",
    )
    body = partial.content.decode()
    assert "<html" not in body and "Bangsamoro Youth Commission" in body


def test_login_lockout_after_repeated_failures(client, alice):
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": alice.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.content.decode()
    response = client.post(url, {"username": alice.email, "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_health_check_reports_database_and_cache(client, db):
    response = client.get("/healthz/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert any("Database" in k for k in body) and any("Cache" in k for k in body)


def test_seed_demo_is_idempotent_and_its_logins_work(client, db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        Department.objects.count(),
        OCMAccess.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        Department.objects.count(),
        OCMAccess.objects.count(),
    )
    for email in ("mole.editor@bmms.demo", "ocm.analyst@bmms.demo", "root@bmms.demo"):
        client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
        client.post(reverse("logout"))


def test_seed_demo_scale_adds_staff_to_every_organization(db):
    call_command("seed_demo", "--scale", "3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.filter(email__endswith="@scale.bmms.demo").count() == 44 * 3
    assert Department.objects.values("organization").distinct().count() == 44
