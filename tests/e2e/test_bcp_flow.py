"""A departmental plan from first draft to a green readiness check, in a real browser."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from core.tenancy import Role
from organizations.models import Department, Organization
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"


@pytest.fixture
def people():
    call_command("load_organizations", verbosity=0)
    call_command("load_bcp_templates", verbosity=0)
    moh = Organization.objects.get(code="MOH")
    finance = Department.objects.create(organization=moh, name="Finance")
    people = {}
    for slug, first, role in [
        ("carol", "Carol", Role.EDITOR),
        ("dave", "Dave", Role.APPROVER),
        ("alice", "Alice", Role.ORG_ADMIN),
        ("bob", "Bob", Role.VIEWER),
    ]:
        user = UserFactory(email=f"{slug}@e2e.bmms", first_name=first, last_name="Tester")
        MembershipFactory(user=user, organization=moh, role=role, department=finance)
        people[slug] = user
    return people


def test_editor_drafts_reviewers_approve_members_acknowledge_readiness_green(people, page, sign_in):
    def as_user(slug: str):
        if page.get_by_role("button", name="Sign out").count():
            page.get_by_role("button", name="Sign out").click()
        sign_in(f"{slug}@e2e.bmms", PASSWORD)

    # The editor drafts a plan from the departmental template.
    as_user("carol")
    page.get_by_role("link", name="Continuity plans").click()
    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Title").fill("Finance continuity plan")
    page.get_by_label("Department").select_option(label="Finance")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("created with a first draft")
    plan_url = page.url.split("#")[0]
    expect(page.locator("#sections")).to_contain_text("Response and escalation matrix")

    page.get_by_role("link", name="Edit draft").click()
    for label in [
        "Critical applications and data backup strategies",
        "Recovery objectives and prioritized activities",
        "Roles and responsibilities",
        "Critical resource and asset requirements",
        "Training and awareness",
        "Testing",
        "Review and maintenance",
    ]:
        page.get_by_label(label, exact=True).fill(f"{label}: how the Finance department does it.")
    # Each process's recovery strategy is named in the plan (ISO 22301 8.3).
    page.get_by_label("Recovery objectives and prioritized activities", exact=True).fill(
        "Payroll release: manual payroll from the alternate site within the hour."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft version 1 saved")

    # Processes, contacts with an alternate, and a recent exercise.
    page.get_by_role("link", name="Add a process").click()
    page.get_by_label("Name").fill("Payroll release")
    page.get_by_label("RTO (recovery time objective)").fill("1 h")
    page.get_by_label("MTPD (maximum tolerable period of disruption)").fill("4 h")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Process “Payroll release” added")
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Name").fill("Omar Sema")
    page.get_by_label("Role").fill("Alternate coordinator")
    page.get_by_label("Phone").fill("+63 917 555 0101")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Name").fill("Aisah Usman")
    page.get_by_label("Role").fill("BCM coordinator")
    page.get_by_label("Phone").fill("+63 917 555 0100")
    page.get_by_label("Alternate").select_option(label="Omar Sema (Alternate coordinator)")
    page.get_by_role("button", name="Save").click()
    # Omar is flagged as lacking an alternate; give him Aisah.
    omar_row = page.locator("#contacts tbody tr").filter(
        has=page.locator("td:first-child", has_text="Omar Sema")
    )
    omar_row.get_by_role("link", name="Edit").click()
    page.get_by_label("Alternate").select_option(label="Aisah Usman (BCM coordinator)")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Record one already held").click()
    page.get_by_label("Kind").select_option("tabletop")
    page.get_by_label("Held on").fill(
        (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    )
    page.get_by_label("Scenario").fill("Typhoon floods the office for three days.")
    page.get_by_label("Achieved RTO of “Payroll release” (target 1 h)").fill("55 min")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Exercise recorded")
    # A recovery strategy for the process (its own pages are walked in test_plan_sharing.py's
    # neighbour, tests/bcp/test_strategies.py); the readiness check asks for one (ISO 22301 8.3).
    from bcp.models import CriticalProcess
    from bcp.services.strategies import strategy_create

    process = CriticalProcess.objects.get(name="Payroll release")
    strategy_create(
        actor=process.plan.versions.get().author,
        process=process,
        kind="workaround",
        title="Manual payroll",
    )

    page.get_by_role("link", name="Readiness check").click()
    expect(page.locator("#readiness-status")).to_contain_text("Not ready")
    expect(page.locator(".findings")).to_contain_text("No approved version")

    # Two reviews requested.
    page.goto(plan_url)
    page.get_by_role("link", name="Request reviews").click()
    page.get_by_label("Dave Tester").check()
    page.get_by_label("Alice Tester").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("sent to")

    # One reviewer asks for changes.
    as_user("dave")
    page.goto("/bcp/reviews/")
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Request changes").check()
    page.get_by_label("Notes").fill("Add the generator fuel contract to critical resources.")
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status")).to_contain_text("decision was recorded")

    # The editor revises and asks again.
    as_user("carol")
    page.goto(plan_url)
    expect(page.locator("#reviews")).to_contain_text("Add the generator fuel contract")
    page.get_by_role("link", name="Edit draft").click()
    page.get_by_label("Critical resource and asset requirements", exact=True).fill(
        "Generator with 72 hours of fuel under contract CR-2026-01."
    )
    page.get_by_label("Change note").fill("Generator fuel contract added.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.get_by_role("link", name="Request reviews").click()
    page.get_by_label("Dave Tester").check()
    page.get_by_label("Alice Tester").check()
    page.get_by_role("button", name="Save").click()

    # Both approve.
    for reviewer in ("dave", "alice"):
        as_user(reviewer)
        page.goto("/bcp/reviews/")
        page.get_by_role("link", name="Review").click()
        page.get_by_label("Approve this version").check()
        page.get_by_role("button", name="Record my decision").click()
        expect(page.get_by_role("status")).to_contain_text("decision was recorded")

    # Every member acknowledges.
    for member in ("alice", "bob", "carol", "dave"):
        as_user(member)
        page.goto(plan_url)
        page.get_by_role("button", name="I have read and understood version 1").click()
        expect(page.get_by_role("status")).to_contain_text("you acknowledged version 1")

    expect(page.locator("#acknowledgments")).to_contain_text("Every member has acknowledged")
    page.get_by_role("link", name="Readiness check").click()
    expect(page.locator("#readiness-status")).to_contain_text("Ready")
