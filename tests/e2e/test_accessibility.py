"""Accessibility: axe-core (npm, injected by Playwright) on the main pages for every persona,
and the main flow by keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from organizations.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

STAFF_PAGES = [
    "/",
    "/org/directory/",
    "/org/departments/",
    "/org/members/",
    "/planning/",
    "/budgeting/",
    "/budgeting/execution/",
    "/bcp/",
    "/coordination/",
]
PERSONAS = {
    "moh.admin@bmms.demo": [*STAFF_PAGES, "/org/audit/", "/org/members/import/"],
    "moh.editor@bmms.demo": STAFF_PAGES,
    "mole.viewer@bmms.demo": STAFF_PAGES,
    "ocm.analyst@bmms.demo": [
        "/",
        "/ocm/",
        "/ocm/organizations/MOH/",
        "/org/directory/",
        "/org/rollout/",
    ],
}


@pytest.fixture
def demo():
    call_command("load_organizations", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def axe_page(browser, live_server):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # axe is injected as a script: this context alone bypasses the CSP that forbids it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_no_serious_violations_on_main_pages(demo, axe_page):
    problems = []
    axe_page.goto("/accounts/login/")
    problems += [f"login: {v}" for v in serious_violations(axe_page)]
    for email, pages in PERSONAS.items():
        sign_in(axe_page, email)
        for path in pages:
            response = axe_page.goto(path)
            assert response.status == 200, (email, path, response.status)
            problems += [f"{email} {path}: {v}" for v in serious_violations(axe_page)]
        axe_page.get_by_role("button", name="Sign out").click()
    assert not problems, "\n".join(problems)


def test_keyboard_only_sign_in_and_navigation(demo, page):
    page.goto("/accounts/login/")
    expect(page.get_by_label("E-mail address")).to_be_focused()  # autofocus
    page.keyboard.type("moh.editor@bmms.demo")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ministry of Health")).to_be_visible()
    # The first Tab on a page reaches the skip link, which shows on focus.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    # Tab through the header to the Planning link and open it with Enter.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Planning":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url("/planning/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
