"""The exercise programme in a real browser (issue 18): plan an exercise ahead, record its
results (a missed recovery time shown as the gap), see it in the readiness check, raise a
corrective action and close it with evidence; the coverage board shows the department."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bcp import services
from core.tenancy import Role
from organizations.models import Department, Organization
from tests.bcp.factories import make_plan
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"


@pytest.fixture
def plan():
    call_command("load_organizations", verbosity=0)
    call_command("load_bcp_templates", verbosity=0)
    moh = Organization.objects.get(code="MOH")
    finance = Department.objects.create(organization=moh, name="Finance")
    Department.objects.create(organization=moh, name="Legal")
    carol = UserFactory(email="carol@e2e.bmms", first_name="Carol", last_name="Tester")
    MembershipFactory(user=carol, organization=moh, role=Role.EDITOR, department=finance)
    plan = make_plan(moh, carol, department=finance)
    services.process_create(
        actor=carol, plan=plan, name="Payroll release", rto_minutes=60, mtpd_minutes=240
    )
    return plan


def test_exercise_planned_conducted_actions_closed(plan, page, sign_in, live_server):
    sign_in("carol@e2e.bmms", PASSWORD)
    page.goto(f"/bcp/{plan.public_id}/")
    page.get_by_role("link", name="Plan an exercise").click()
    page.get_by_label("Kind").select_option("functional")
    page.get_by_label("Date").fill(datetime.date.today().isoformat())
    page.get_by_label("Scenario").fill("Power cut for a day.")
    page.get_by_label("Payroll release").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("planned")
    expect(page.locator("h1")).to_contain_text("Planned")

    page.get_by_role("link", name="Record results").click()
    page.get_by_label("Achieved RTO of “Payroll release” (target 1 h)").fill("2 h 30 min")
    page.get_by_label("Findings").fill("The second operator was on leave.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#results")).to_contain_text("Missed by 1 h 30 min")

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Description").fill("Train a second payroll operator.")
    page.get_by_label("Owner").select_option(label="Carol Tester")
    page.get_by_label("Due date").fill("2020-01-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#actions")).to_contain_text("Overdue")

    page.goto(f"/bcp/{plan.public_id}/readiness/")
    findings = page.locator(".findings")
    expect(findings).to_contain_text("missed its recovery time in the last exercise")
    expect(findings).to_contain_text("ISO 22301 10.1")

    page.goto("/bcp/")
    page.get_by_role("link", name="Department coverage").click()
    expect(page.locator("#coverage")).to_contain_text("Missed RTO")
    expect(page.get_by_role("status")).to_contain_text("Legal")

    page.goto("/bcp/exercises/?show=past")
    page.get_by_role("link", name="Functional").click()
    page.get_by_role("link", name="Update").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field-error, .errorlist").first).to_contain_text("Say what shows")
    page.get_by_label("Evidence").fill("Training record TR-2026-04.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#actions")).to_contain_text("Training record TR-2026-04.")
    expect(page.locator("#actions")).to_contain_text("Done")
