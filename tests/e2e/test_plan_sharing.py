"""A plan shared with another MOA's BCM focal person, end to end in a real browser: the
coordinator shares it, the outsider finds it under "Shared with me" and comments, the
coordinator ends access after a confirmation, and the plan is gone for the outsider."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bcp.models import PlanComment, PlanShare
from core.tenancy import Role
from organizations.models import Department, Organization
from tests.bcp.factories import approve_plan, make_plan
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-123"


@pytest.fixture
def world():
    call_command("load_organizations", verbosity=0)
    call_command("load_bcp_templates", verbosity=0)
    moh, mole = Organization.objects.get(code="MOH"), Organization.objects.get(code="MOLE")
    finance = Department.objects.create(organization=moh, name="Finance")
    people = {}
    for slug, org, role in [
        ("carol", moh, Role.EDITOR),
        ("dave", moh, Role.APPROVER),
        ("alice", moh, Role.ORG_ADMIN),
        ("sam", mole, Role.APPROVER),
    ]:
        user = UserFactory(email=f"{slug}@e2e.bmms", first_name=slug.title(), last_name="Tester")
        MembershipFactory(user=user, organization=org, role=role)
        people[slug] = user
    plan = make_plan(moh, people["carol"], department=finance)
    plan = approve_plan(plan, people["carol"], [people["dave"], people["alice"]])
    make_plan(moh, people["carol"], title="Records continuity plan")
    return people, plan


def test_share_comment_and_end_access(world, page, sign_in, live_server):
    people, plan = world

    def as_user(slug: str):
        if page.get_by_role("button", name="Sign out").count():
            page.get_by_role("button", name="Sign out").click()
        sign_in(f"{slug}@e2e.bmms", PASSWORD)

    as_user("alice")
    page.goto(f"/bcp/{plan.public_id}/")
    page.get_by_role("link", name="Share or end access").click()
    page.get_by_label("Person's e-mail address").fill("sam@e2e.bmms")
    page.get_by_label("View and comment").check()
    page.get_by_label("Reason").fill("Peer review by MOLE")
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("status")).to_contain_text("is shared with Sam Tester")
    expect(page.locator("#grants")).to_contain_text("Peer review by MOLE")

    as_user("sam")
    page.goto("/bcp/shared/")
    page.get_by_role("link", name="Finance continuity plan").click()
    expect(page.locator("#processes")).to_be_visible()
    expect(page.get_by_text("Records continuity plan")).to_have_count(0)
    page.get_by_label("Comment").fill("Add the generator fuel contract to the vendor list.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comments")).to_contain_text("generator fuel contract")
    shared_url = page.url.split("#")[0]
    assert PlanComment.objects.get().author == people["sam"]

    as_user("alice")
    page.goto(f"/bcp/{plan.public_id}/sharing/")
    page.get_by_role("link", name="End access").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("End access of")
    page.get_by_role("button", name="Yes, end").click()
    expect(page.get_by_role("status")).to_contain_text("can no longer open")
    assert PlanShare.objects.get().end_reason == "revoked"

    as_user("sam")
    response = page.goto(shared_url)
    assert response is not None and response.status == 404
