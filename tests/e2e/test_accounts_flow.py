"""Issue 17 items 4-5 in Chromium: forgot password → the e-mailed link → a new password →
signed in (the mail read from Django's locmem outbox); an org admin adds and deactivates a
member with a confirmation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from core.tenancy import Role
from organizations.models import Membership, Organization, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def moh(db):
    from django.core.management import call_command

    call_command("load_organizations", verbosity=0)
    cache.clear()
    return Organization.objects.get(code="MOH")


def test_forgot_password_email_link_new_password_signed_in(moh, page):
    user = UserFactory(email="rosa@test.bmms", first_name="Rosa")
    MembershipFactory(user=user, organization=moh, role=Role.EDITOR)
    mail.outbox.clear()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("E-mail address").fill("Rosa@Test.bmms")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    assert [m.to for m in mail.outbox] == [["rosa@test.bmms"]]
    link = re.search(r"https?://\S+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password:", exact=True).fill("Bangsamoro-Reset-2026")
    page.get_by_label("New password confirmation").fill("Bangsamoro-Reset-2026")
    page.get_by_role("button", name="Change my password").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your password is changed. You are signed in."
    )
    expect(page.get_by_role("link", name="Rosa")).to_be_visible()  # the header's profile link
    user.refresh_from_db()
    assert user.check_password("Bangsamoro-Reset-2026")

    # the link is single-use
    page.goto(link)
    expect(page.get_by_role("heading", name="This reset link no longer works")).to_be_visible()


def test_org_admin_adds_and_deactivates_a_member(moh, page, sign_in):
    admin = UserFactory(email="ana@test.bmms")
    MembershipFactory(user=admin, organization=moh, role=Role.ORG_ADMIN)
    sign_in("ana@test.bmms", "pass-word-123")

    page.goto("/org/members/")
    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("E-mail address").fill("ben@test.bmms")
    page.get_by_label("First name").fill("Ben")
    page.get_by_label("Last name").fill("Santos")
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("An invitation was sent to ben@test.bmms.")

    row = page.get_by_role("row").filter(has_text="ben@test.bmms")
    row.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", name=re.compile("Deactivate Ben Santos"))).to_be_visible()
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("Ben Santos is deactivated in MOH")
    assert not Membership.objects.filter(user__email="ben@test.bmms").exists()
    assert not User.objects.get(email="ben@test.bmms").is_active

    page.get_by_role("link", name="Deactivated").click()
    page.get_by_role("row").filter(has_text="ben@test.bmms").get_by_role(
        "button", name="Reactivate"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Ben Santos is a member again (Editor)")
