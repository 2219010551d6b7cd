"""An incident from declaration to a revised plan, in a real browser: declare → the call tree is
notified → a contact acknowledges from the e-mail link (no sign-in) and the open board shows it
by itself → a process is marked recovered with its achieved time → stand-down → after-action
review → a new plan draft citing the incident. Screenshots at 1366 and 390 px wide; no page is
wider than the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from bcp.models import PlanVersion
from core.tenancy import Role
from incidents.models import CallTreeEntry, Incident
from organizations.models import Department, Organization
from tests.factories import MembershipFactory, OCMAccessFactory, UserFactory
from tests.incidents.factories import approved_plan_with_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
WIDTHS = (1366, 390)


@pytest.fixture
def world():
    call_command("load_organizations", verbosity=0)
    call_command("load_bcp_templates", verbosity=0)
    moh = Organization.objects.get(code="MOH")
    finance = Department.objects.create(organization=moh, name="Finance")
    people = {}
    for slug, first, role in [
        ("carol", "Carol", Role.EDITOR),
        ("dave", "Dave", Role.APPROVER),
        ("alice", "Alice", Role.ORG_ADMIN),
    ]:
        user = UserFactory(email=f"{slug}@e2e.bmms", first_name=first, last_name="Tester")
        MembershipFactory(user=user, organization=moh, role=role, department=finance)
        people[slug] = user
    olga = UserFactory(email="olga@e2e.bmms", first_name="Olga", last_name="Tester")
    OCMAccessFactory(user=olga)
    setup = approved_plan_with_people(
        moh, people["carol"], [people["dave"], people["alice"]], department=finance
    )
    return {"people": people, "setup": setup}


def _look(page, name: str) -> None:
    """A screenshot at each width, and nothing wider than the screen."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"incident-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} at {width} px is {overflow} px wider than the screen"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_declare_notify_acknowledge_recover_stand_down_review_revise(
    world, page, sign_in, browser, live_server
):
    sign_in("carol@e2e.bmms", PASSWORD)
    page.get_by_role("link", name="Incidents").click()
    page.get_by_role("link", name="Declare an incident").click()
    page.get_by_label("Title").fill("Flood in the Finance office")
    page.get_by_label("Type").select_option(label="Natural hazard (typhoon, flood, earthquake)")
    page.get_by_label("Severity").select_option(label="Major")
    page.get_by_label("Location / offices affected").fill("Ground floor, regional office")
    page.get_by_label("Finance", exact=True).check()
    _look(page, "declare")
    page.get_by_role("button", name="Declare the incident").click()
    expect(page.get_by_role("status")).to_contain_text("1 plan(s) activated")

    # The call tree was notified: rows show it, and the messages left.
    board = page.locator("#board")
    expect(board.locator('[data-contact="Aisah Usman"]')).to_contain_text("Notified")
    expect(board.locator('[data-contact="Omar Sema"]')).to_contain_text("Not yet contacted")
    expect(board.locator('[data-contact="Aisah Usman"]')).to_contain_text("E-mail: Sent")
    _look(page, "board")
    message = next(m for m in mail.outbox if m.to == ["aisah@example.gov.ph"])
    link = re.search(r"https?://\S+/incidents/ack/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]

    # Aisah opens the link from her e-mail, not signed in, on her phone.
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    contact = phone.new_page()
    contact.goto(path)
    expect(contact.get_by_role("heading", name="Flood in the Finance office")).to_be_visible()
    contact.get_by_role("button", name="I acknowledge").click()
    expect(contact.get_by_role("heading")).to_contain_text("Acknowledged")
    _look(contact, "acknowledged")
    contact.goto(path)
    expect(contact.get_by_role("heading")).to_contain_text("Already acknowledged")
    phone.close()

    # The responder's open board shows it by itself (htmx polling, one refresh).
    expect(board.locator('[data-contact="Aisah Usman"]')).to_contain_text(
        "Acknowledged", timeout=15_000
    )
    assert CallTreeEntry.objects.get(name="Aisah Usman").acknowledged_via == "link"

    # Payroll is recovered, with its achieved time.
    page.get_by_role("link", name="Update Payroll").click()
    page.get_by_label("Status").select_option(label="Recovered")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Payroll: recovered")
    payroll = page.locator('#recovery [data-process="Payroll"]')
    expect(payroll).to_contain_text("achieved")
    expect(page.locator("#log")).to_contain_text("RTO 1 h met")

    # Stand-down: confirmation, a summary, and why vouchers are still disrupted.
    page.get_by_role("link", name="Stand down").click()
    expect(page.get_by_role("heading", name="Stand down the incident?")).to_be_visible()
    page.get_by_label("Summary").fill("Water pumped out; payroll ran from the alternate site.")
    page.get_by_role("button", name="Yes, stand down").click()
    expect(page.locator(".field-error")).to_contain_text("Still not recovered")
    page.get_by_label("Why stand down with processes still not recovered").fill(
        "Vouchers run on paper until the scanner is replaced."
    )
    page.get_by_role("button", name="Yes, stand down").click()
    expect(page.get_by_role("status")).to_contain_text("Incident stood down")
    assert not Incident.objects.get().is_open

    # After-action review, a corrective action, and a new plan draft citing the incident.
    page.get_by_role("link", name="After-action review").click()
    page.get_by_label("What worked").fill("Aisah acknowledged from her phone within minutes.")
    page.get_by_label("What failed").fill("The vouchers scanner was on the ground floor.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("status")).to_contain_text("After-action review saved")
    page.get_by_role("textbox", name="Corrective action").fill("Move the scanner upstairs")
    page.get_by_label("Owner").select_option(label="Dave Tester")
    page.get_by_label("Due date").fill("2030-01-31")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("status")).to_contain_text("Corrective action added")
    _look(page, "review")
    page.get_by_role("button", name="Open a new plan draft from these findings").click()
    expect(page.get_by_role("status")).to_contain_text("change note cites this incident")
    incident = Incident.objects.get()
    draft = PlanVersion.objects.get(plan=world["setup"].plan, status="draft")
    assert str(incident.public_id) in draft.change_note
    expect(page.locator("body")).to_contain_text("Flood in the Finance office")

    # The OCM sees it on the board across organizations (read-only, fits a phone).
    page.get_by_role("button", name="Sign out").click()
    sign_in("olga@e2e.bmms", PASSWORD)
    page.goto("/incidents/ocm/")
    expect(page.get_by_role("heading", name="Open incidents across the government")).to_be_visible()
    _look(page, "ocm-board")


@pytest.fixture
def axe_page(browser, live_server):
    from tests.e2e.test_accessibility import AXE

    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_incident_pages_have_no_serious_accessibility_violations(axe_page):
    """axe-core on the demo incidents' pages, for a responder and for the OCM."""
    from organizations.demo import DEMO_PASSWORD
    from tests.e2e.test_accessibility import serious_violations, sign_in

    call_command("load_organizations", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    flood = Incident.objects.get(is_exercise=False)
    drill = Incident.objects.get(is_exercise=True)
    pages = {
        "moh.editor@bmms.demo": [
            "/incidents/",
            "/incidents/new/",
            "/incidents/new/?exercise=1",
            f"/incidents/{flood.public_id}/",
            f"/incidents/{flood.public_id}/review/",
            f"/incidents/{drill.public_id}/",
        ],
        "ocm.analyst@bmms.demo": ["/incidents/ocm/", f"/incidents/{flood.public_id}/"],
    }
    assert DEMO_PASSWORD
    problems = []
    for email, paths in pages.items():
        sign_in(axe_page, email)
        for path in paths:
            response = axe_page.goto(path)
            assert response.status == 200, (email, path, response.status)
            problems += [f"{email} {path}: {v}" for v in serious_violations(axe_page)]
        axe_page.get_by_role("button", name="Sign out").click()
    assert not problems, "\n".join(problems)
