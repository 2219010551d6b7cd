"""Issue 21: role-aware landing, the administration overview and the module switches page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.modules import modules_for_organization
from organizations.models import AuditLog, Organization

pytestmark = pytest.mark.django_db

OVERVIEW = "/org/system/"
SWITCHES = "/org/system/modules/"


# --- where each persona lands -------------------------------------------------------------------


def test_a_member_lands_on_their_waiting_for_you_home(alice, login):
    response = login(alice).get("/")
    assert response.status_code == 200
    assert "Waiting for you" in response.content.decode()


def test_an_ocm_user_lands_on_the_ocm_dashboard(olga, login):
    response = login(olga).get("/")
    assert response.status_code == 302 and response.url == reverse("ocm:dashboard")


def test_a_superuser_lands_on_the_administration_overview(root, login):
    response = login(root).get("/")
    assert response.status_code == 302 and response.url == OVERVIEW
    page = login(root).get(OVERVIEW).content.decode()
    assert "Administration overview" in page and "Module switches" in page


def _sign_in(client, user, next_url=None):
    user.set_password("Bangsamoro-test-2026")
    user.save()
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.email, "password": "Bangsamoro-test-2026"})


@pytest.mark.parametrize(
    ("persona", "landing"),
    [("alice", "/"), ("olga", "/ocm/"), ("root", OVERVIEW)],
)
def test_signing_in_goes_straight_to_the_landing_page(persona, landing, personas, client):
    response = _sign_in(client, personas[persona])
    assert response.status_code == 302 and response.url == landing


def test_signing_in_honours_a_safe_next_and_ignores_a_foreign_one(olga, client):
    assert _sign_in(client, olga, "/org/directory/").url == "/org/directory/"
    client.logout()
    assert _sign_in(client, olga, "https://evil.example/").url == "/ocm/"


# --- who may open the system pages -------------------------------------------------------------


@pytest.mark.parametrize("url", [OVERVIEW, SWITCHES, "/org/system/modules/planning/waves/1/off/"])
@pytest.mark.parametrize("persona", ["alice", "olga", "charlie"])
def test_only_superusers_open_the_system_pages(url, persona, personas, login):
    assert login(personas[persona]).get(url).status_code == 403


def test_members_cannot_switch_modules(alice, org_a, login):
    response = login(alice).post("/org/system/modules/planning/MOH/off/")
    assert response.status_code == 403
    assert "planning" in modules_for_organization(org_a)


# --- switching a module ------------------------------------------------------------------------


def test_switching_a_module_off_shows_members_a_plain_page_and_is_audited(
    alice, root, org_a, client
):
    client.force_login(alice)
    assert client.get("/planning/").status_code == 200  # warms the cached tenancy profile
    client.force_login(root)
    response = client.post("/org/system/modules/planning/MOH/off/")
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="module.switched_off")
    assert entry.organization_id == org_a.pk and entry.after == {"module": "planning", "on": False}

    client.force_login(alice)
    response = client.get("/planning/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Planning is not switched on for your organization yet" in page
    assert "alice@test.bmms" in page  # whom to ask: the organization's administrators
    assert 'href="/planning/"' not in client.get("/").content.decode()  # menu entry gone

    client.force_login(root)
    client.post("/org/system/modules/planning/MOH/on/")
    client.force_login(alice)
    assert client.get("/planning/").status_code == 200
    assert AuditLog.objects.filter(action="module.switched_on").count() == 1


def test_switching_a_module_off_for_a_wave_asks_first(root, login):
    wave1 = list(Organization.objects.filter(rollout_wave=1).order_by("code"))
    assert len(wave1) > 1
    client = login(root)
    page = client.get("/org/system/modules/budgeting/waves/1/off/").content.decode()
    assert "Switch Budgets off for wave 1?" in page
    assert ", ".join(o.code for o in wave1) in page
    assert all("budgeting" in modules_for_organization(o) for o in wave1)  # nothing yet

    response = client.post("/org/system/modules/budgeting/waves/1/off/")
    assert response.status_code == 302
    assert not any("budgeting" in modules_for_organization(o) for o in wave1)
    assert AuditLog.objects.filter(action="module.switched_off").count() == len(wave1)
    others = Organization.objects.exclude(rollout_wave=1).first()
    assert "budgeting" in modules_for_organization(others)

    client.post("/org/system/modules/budgeting/waves/1/on/")
    assert all("budgeting" in modules_for_organization(o) for o in wave1)


def test_the_switches_page_shows_each_organizations_state(root, org_a, login):
    client = login(root)
    client.post("/org/system/modules/coordination/MOH/off/")
    page = client.get(SWITCHES).content.decode()
    assert 'action="/org/system/modules/coordination/MOH/on/"' in page
    assert 'action="/org/system/modules/planning/MOH/off/"' in page


def test_an_unknown_module_or_state_is_404(root, login):
    client = login(root)
    assert client.post("/org/system/modules/payroll/MOH/off/").status_code == 404
    assert client.post("/org/system/modules/planning/MOH/maybe/").status_code == 404


# --- the overview is cheap ---------------------------------------------------------------------


def test_the_overview_is_cached_and_a_switch_shows_at_once(
    root, login, django_assert_max_num_queries
):
    client = login(root)
    client.get(OVERVIEW)
    with django_assert_max_num_queries(3):  # session and user only: the figures are cached
        page = client.get(OVERVIEW).content.decode()
    total = Organization.objects.filter(is_active=True).count()
    assert f"{total} of {total}" in page
    client.post("/org/system/modules/bcp/MOH/off/")
    assert f"{total - 1} of {total}" in client.get(OVERVIEW).content.decode()
