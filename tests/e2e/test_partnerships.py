"""A partnership from creation to a participant's milestone update, in the browser:
MOH's editor creates it and invites MOLE and MAFAR; MOLE's admin accepts, MAFAR's declines;
MOLE sees it, MAFAR does not; a milestone update by MOLE shows on MOH's page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from organizations.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Occupational safety for fisherfolk"


@pytest.fixture
def demo_data():
    call_command("load_organizations", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def as_user(page, sign_in):
    def _as(email: str):
        page.context.clear_cookies()
        sign_in(email, DEMO_PASSWORD)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return _as


def test_partnership_invitations_and_a_shared_milestone(demo_data, page, as_user):
    # MOH's editor creates the partnership.
    as_user("moh.editor@bmms.demo")
    page.get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name="New partnership").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Type").select_option("joint_program")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Objectives").fill("Fewer injuries among fisherfolk and farm workers.")
    page.get_by_label("Start date").fill("2026-01-15")
    page.get_by_label("End date").fill("2026-12-15")
    page.get_by_label("Total budget").fill("2500000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    detail_url = page.url

    # ... and invites MOLE and MAFAR.
    for code in ("MOLE", "MAFAR"):
        page.get_by_role("link", name="Invite an organization").first.click()
        page.get_by_label("Organization to invite").select_option(
            label=page.locator("#id_organization option", has_text=f"{code} ·").inner_text()
        )
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_role("status")).to_contain_text(f"{code} is invited")
    expect(page.locator("#participants tr[data-organization] .state-invited")).to_have_count(2)

    # MOLE's admin sees the bell, accepts from the inbox (with a confirmation step).
    as_user("mole.admin@bmms.demo")
    expect(page.locator("#notification-bell .badge")).to_be_visible()
    page.goto("/coordination/invitations/")
    row = page.locator("#invitations tr", has_text=TITLE)
    row.get_by_role("link", name="Accept").click()
    page.get_by_role("button", name="Yes, accept").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("MOLE now takes part")

    # MAFAR's admin declines and loses sight of it.
    as_user("mafar.admin@bmms.demo")
    page.goto("/coordination/invitations/")
    page.locator("#invitations tr", has_text=TITLE).get_by_role("link", name="Decline").click()
    page.get_by_label("Reason (optional)").fill("No field staff this year.")
    page.get_by_role("button", name="Yes, decline").click()
    expect(page.get_by_role("status")).to_contain_text("MAFAR declined")
    response = page.goto(detail_url)
    assert response.status == 404
    page.goto("/coordination/?tab=participates")
    expect(page.locator("#results")).not_to_contain_text(TITLE)

    # MOH's editor sees both answers and gives MOLE a milestone.
    as_user("moh.editor@bmms.demo")
    page.goto(detail_url)
    expect(page.locator('tr[data-organization="MOLE"]')).to_contain_text("Accepted")
    expect(page.locator('tr[data-organization="MAFAR"]')).to_contain_text("Declined")
    page.get_by_role("link", name="Add a milestone").click()
    page.get_by_label("Title").fill("Worker registry shared")
    page.get_by_label("Due date").fill("2026-06-30")
    page.get_by_label("Responsible organization").select_option(label="MOLE")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#milestones")).to_contain_text("Worker registry shared")

    # MOLE's editor sees it in the partnerships it takes part in and updates the milestone.
    as_user("mole.editor@bmms.demo")
    page.goto("/coordination/?tab=participates")
    page.get_by_role("link", name=TITLE).click()
    milestone = page.locator('[data-milestone="Worker registry shared"]')
    milestone.get_by_role("link", name="Update").click()
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Progress").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("updated")

    # The update shows on MOH's page.
    as_user("moh.editor@bmms.demo")
    page.goto(detail_url)
    milestone = page.locator('[data-milestone="Worker registry shared"]')
    expect(milestone).to_contain_text("60%")
    expect(milestone).to_contain_text("In progress")
    expect(page.locator("#partnership-progress")).to_have_text("60%")
