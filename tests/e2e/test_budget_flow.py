"""A budget from proposal to spending, in the browser: MOH's editor prepares and submits a
proposal, MOH's approver approves it and releases an allotment, the editor obligates against it,
and the execution dashboard shows the new utilization."""

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


@pytest.fixture
def as_user(page, sign_in):
    def _as(email: str):
        page.context.clear_cookies()
        sign_in(email, DEMO_PASSWORD)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return _as


def test_prepare_submit_approve_allot_obligate(demo_data, page, as_user):
    # The editor prepares next year's proposal.
    as_user("moh.editor@bmms.demo")
    page.get_by_role("link", name="Budgets").click()
    page.get_by_role("link", name="New proposal").click()
    page.get_by_label("Fiscal year").fill("2025")
    page.get_by_label("Title").fill("MOH budget proposal FY 2025")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="MOH budget proposal FY 2025")).to_be_visible()
    detail_url = page.url

    page.get_by_role("link", name="Add a program").first.click()
    page.get_by_label("Name").fill("Rural Health Units Staffing")
    page.get_by_label("Requested amount (₱)").fill("120000")
    page.get_by_role("button", name="Save").click()
    # Submitting too early lists what is missing.
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Program “Rural Health Units Staffing” has no line items."
    )
    page.get_by_role("link", name="Add a line item").click()
    page.get_by_label("Expense class").select_option("PS")
    page.get_by_label("UACS object code").select_option(
        "5010101001 · Salaries and Wages – Regular (PS)"
    )
    page.get_by_label("Description").fill("Nurses (12 months)")
    page.get_by_label("Unit cost (₱)").fill("1000")
    page.get_by_label("Quantity").fill("120")
    page.get_by_role("button", name="Save").click()
    expect(page.locator('[data-program="Rural Health Units Staffing"]')).to_contain_text(
        "₱120,000.00"
    )
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("status")).to_contain_text("Proposal submitted for approval.")
    expect(page.locator("#proposal-status")).to_have_text("Submitted")

    # The approver approves it (cutting the program a little) and releases an allotment.
    as_user("moh.approver@bmms.demo")
    page.goto(detail_url)
    page.get_by_role("link", name="Approve").click()
    page.get_by_label("Rural Health Units Staffing").fill("100000")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("FY 2025 proposal approved.")
    expect(page.locator("#approved-total .amount")).to_have_attribute("title", "₱100,000.00")
    page.get_by_role("link", name="Ledger").click()
    page.get_by_role("link", name="Release an allotment").click()
    page.get_by_label("Allotment class").select_option("PS")
    page.get_by_label("Quarter").select_option("1")
    page.get_by_label("Amount (₱)").fill("50000")
    page.get_by_label("Release reference").fill("SARO-BARMM-2025-0001")
    # A release date outside FY 2025 is refused with the reason.
    page.get_by_label("Release date").fill("2024-12-20")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "released between 1 Jan 2025 and 31 Dec 2025"
    )
    page.get_by_label("Release date").fill("2025-02-03")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Q1 PS allotment of ₱50,000.00 released.")
    ledger_url = page.url

    # The editor obligates against it; over the ceiling is refused with the reason.
    as_user("moh.editor@bmms.demo")
    page.goto(ledger_url)
    page.locator('[data-allotment="SARO-BARMM-2025-0001"]').get_by_role(
        "link", name="Obligate"
    ).click()
    page.get_by_label("Payee").fill("Cotabato Medical Staffing Cooperative")
    page.get_by_label("UACS object code").select_option(
        "5010102000 · Salaries and Wages – Casual/Contractual (PS)"
    )
    page.get_by_label("Obligated on").fill("2025-02-10")
    page.get_by_label("Amount (₱)").fill("60000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Only ₱50,000.00 of this ₱50,000.00 allotment is left to obligate"
    )
    page.get_by_label("Amount (₱)").fill("20000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("₱20,000.00 obligated")

    # The dashboard shows the new utilization.
    page.goto("/budgeting/execution/?year=2025")
    expect(page.locator("#total-approved")).to_contain_text("₱100.0K")
    expect(page.locator("#total-approved .amount")).to_have_attribute("title", "₱100,000.00")
    expect(page.locator("#total-allotted .amount")).to_have_attribute("title", "₱50,000.00")
    expect(page.locator("#total-obligated .amount")).to_have_attribute("title", "₱20,000.00")
    expect(page.locator("#obligation-rate")).to_have_text("40.0%")
    expect(page.locator('[data-program="Rural Health Units Staffing"]')).to_contain_text("40.0%")
