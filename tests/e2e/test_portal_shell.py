"""A newcomer's first minutes: the login page, a demo login, the switcher, signing out."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from organizations.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data():
    call_command("load_organizations", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_superuser_lands_on_the_administration_overview(demo_data, page, sign_in):
    sign_in("root@bmms.demo", DEMO_PASSWORD)
    expect(page).to_have_url("/org/system/")
    expect(page.get_by_role("heading", name="Administration overview")).to_be_visible()
    page.get_by_role("link", name="Module switches").click()
    expect(page.get_by_role("heading", name="Module switches")).to_be_visible()


def test_demo_login_switch_and_sign_out(demo_data, page, sign_in):
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in("moh.admin@bmms.demo", "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("correct e-mail address and password")

    sign_in("moh.admin@bmms.demo", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Ministry of Health")).to_be_visible()
    expect(page.locator("main")).to_contain_text("signed in as Organization admin")

    # The MOH admin also belongs to MOLE: the header switcher changes organization.
    page.get_by_label("Organization", exact=True).select_option("MOLE")
    expect(page.get_by_role("heading", name="Ministry of Labor and Employment")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("now working in Ministry of Labor")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/org/departments/")
    expect(page).to_have_url("/accounts/login/?next=/org/departments/")


def test_ocm_analyst_reads_directory_and_cannot_write(demo_data, page, sign_in):
    sign_in("ocm.analyst@bmms.demo", DEMO_PASSWORD)
    # OCM users land on their dashboard, not on a near-empty home.
    expect(page).to_have_url("/ocm/")
    expect(
        page.get_by_role("heading", name="The Bangsamoro government at a glance")
    ).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    page.get_by_role("main").get_by_label("Search").fill("health")  # not the header box
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Ministry of Health")
    status = page.evaluate(
        """async () => {
            const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken='));
            const r = await fetch('/org/departments/new/', {method: 'POST',
              headers: {'X-CSRFToken': token ? token.split('=')[1] : ''}});
            return r.status;
        }"""
    )
    assert status == 403
