"""An editor generates a draft of a departmental plan and watches the progress bar finish."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bcp import services
from bcp.content import blank_content
from bcp.models import PlanVersion, Template
from core.tenancy import Role
from organizations.models import Department, Organization
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"


@pytest.fixture
def plan():
    call_command("load_organizations", verbosity=0)
    call_command("load_bcp_templates", verbosity=0)
    moh = Organization.objects.get(code="MOH")
    finance = Department.objects.create(organization=moh, name="Finance", head="Dr. Núñez")
    carol = UserFactory(email="carol@e2e.bmms", first_name="Carol", last_name="Tester")
    MembershipFactory(user=carol, organization=moh, role=Role.EDITOR, department=finance)
    template = Template.objects.get(code="departmental-bcm")
    plan = services.plan_create(
        actor=carol,
        organization=moh,
        template=template,
        title="Finance continuity plan",
        department=finance,
        content=blank_content(template),
    )
    services.process_create(
        actor=carol, plan=plan, name="Salary disbursement", rto_minutes=240, mtpd_minutes=1440
    )
    return plan


def test_editor_generates_a_draft_and_finds_the_new_version(plan, page, sign_in):
    sign_in("carol@e2e.bmms", PASSWORD)
    page.get_by_role("link", name="Continuity plans").click()
    page.get_by_role("link", name="Finance continuity plan").click()
    page.get_by_role("button", name="Generate draft").click()

    progress = page.locator("#generation-progress")
    expect(progress.locator(".job-status")).to_have_attribute("data-status", "done")
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_contain_text("Version 2 was drafted")
    page.get_by_role("link", name="Open draft version 2").click()
    expect(page.get_by_role("heading", name="Version 2")).to_contain_text("Draft")
    expect(page.locator("main")).to_contain_text("Salary disbursement: RTO 4 h")
    expect(page.locator("main")).to_contain_text("Dr. Núñez")

    page.goto(f"/bcp/{plan.public_id}/versions/")
    expect(page.locator("table")).to_contain_text("built-in")
    expect(page.locator("table")).to_contain_text("Set aside")


def test_the_progress_bar_follows_a_job_run_by_a_worker(plan, page, sign_in):
    """The job is queued (as with a real broker); the page polls until the worker is done."""
    carol = plan.owner
    job = services.generation_request(actor=carol, plan=plan, enqueue=False)
    sign_in("carol@e2e.bmms", PASSWORD)
    page.goto(f"/bcp/generation/{job.public_id}/")
    expect(page.locator(".job-status")).to_have_attribute("data-status", "queued")
    services.generation_run(job.pk)  # the "worker"
    expect(page.locator(".job-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#generation-progress progress")).to_have_attribute("value", "100")
    assert PlanVersion.objects.filter(plan=plan, status="draft", generated_by="built-in").count()
