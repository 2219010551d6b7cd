"""The rollout in a browser: an announcement is shown, a problem is reported, the rollout team
triages it and the reporter is e-mailed; a training session, its attendance, and the
certificate checked on the public verification page."""

from __future__ import annotations

import datetime
import io
import re

import pdfplumber
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from organizations.demo import DEMO_PASSWORD
from organizations.models import User
from rollout import services
from rollout.models import Feedback, TrainingSession

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data():
    call_command("load_organizations", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_announcement_feedback_triage_and_notification(demo_data, page, sign_in):
    root = User.objects.get(email="root@bmms.demo")
    now = timezone.now()
    services.announcement_create(
        actor=root,
        title="Budget module training this week",
        body="Enrol under **Training & feedback**.",
        severity="info",
        audience="everyone",
        wave=None,
        organization=None,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(days=2),
    )
    sign_in("moh.viewer@bmms.demo", DEMO_PASSWORD)
    banner = page.get_by_role("complementary", name="Announcements")
    expect(banner).to_contain_text("Budget module training this week")
    expect(banner.locator("strong", has_text="Training & feedback")).to_be_visible()

    page.goto("/org/departments/")
    page.get_by_role("link", name="Report a problem or suggest an improvement").click()
    page.get_by_label("In one line").fill("The members list does not sort by name")
    page.get_by_label("What happened, or what would help?").fill("Clicked the header: no effect.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".messages")).to_contain_text("sent to the rollout team")
    report = Feedback.objects.get(summary="The members list does not sort by name")
    assert report.page_url == "/org/departments/" and report.organization.code == "MOH"
    assert "Chrom" in report.user_agent or "Mozilla" in report.user_agent
    sign_out(page)

    sign_in("root@bmms.demo", DEMO_PASSWORD)
    page.goto("/rollout/feedback/?status=new")
    page.get_by_role("link", name="The members list does not sort by name").click()
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Owner").select_option(label=str(root))
    page.get_by_label("Note").fill("Reproduced; a fix is on its way.")
    page.get_by_role("button", name="Save and tell the reporter").click()
    expect(page.locator(".messages")).to_contain_text("the reporter is notified")
    expect(page.locator("main")).to_contain_text("Reproduced; a fix is on its way.")

    # Through the notification service: the report's title and link, the note on the page.
    sent = [m for m in mail.outbox if "moh.viewer@bmms.demo" in m.to]
    assert len(sent) == 1 and "is now: In progress" in sent[0].body
    assert "Reproduced; a fix is on its way." not in sent[0].body
    sign_out(page)
    sign_in("moh.viewer@bmms.demo", DEMO_PASSWORD)
    page.goto("/rollout/")
    expect(page.locator("main")).to_contain_text(
        "The members list does not sort by name: In progress"
    )


def test_training_attendance_and_certificate_verified(demo_data, page, sign_in, browser):
    root = User.objects.get(email="root@bmms.demo")
    start = timezone.now() + datetime.timedelta(days=2)
    session = TrainingSession.objects.create(
        title="Continuity plans for editors",
        module="bcp",
        audience_role="editor",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        venue="DAB Training Hall, Cotabato City",
        capacity=20,
        trainer=root,
    )
    sign_in("moh.editor@bmms.demo", DEMO_PASSWORD)
    page.goto("/rollout/training/")
    page.get_by_role("link", name="Continuity plans for editors").click()
    page.get_by_role("button", name="Enrol me").click()
    expect(page.locator(".messages")).to_contain_text("You are enrolled")
    sign_out(page)

    # The day of the session.
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    sign_in("root@bmms.demo", DEMO_PASSWORD)
    page.goto(f"/rollout/training/{session.public_id}/")
    page.get_by_role("link", name="Take attendance").click()
    page.get_by_label(re.compile("Mangudadatu")).check()  # moh.editor
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messages")).to_contain_text("1 certificate(s) issued")
    sign_out(page)

    sign_in("moh.editor@bmms.demo", DEMO_PASSWORD)
    page.goto("/rollout/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Certificate for Continuity plans for editors (PDF)").click()
    with open(download_info.value.path(), "rb") as f, pdfplumber.open(io.BytesIO(f.read())) as pdf:
        text = pdf.pages[0].extract_text()
    code = re.search(r"Verification code: ([0-9A-F-]{39})", text).group(1)
    assert "Continuity plans for editors" in text

    # Anyone, signed in or not, can check the code.
    visitor = browser.new_context(base_url=page.url.split("/rollout")[0])
    public = visitor.new_page()
    public.goto("/rollout/certificates/verify/")
    public.get_by_label("Verification code").fill(code)
    public.get_by_role("button", name="Verify").click()
    expect(public.locator("main")).to_contain_text("Valid certificate.")
    expect(public.locator("main")).to_contain_text("Continuity plans for editors")
    public.get_by_label("Verification code").fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
    public.get_by_role("button", name="Verify").click()
    expect(public.locator("main")).to_contain_text("Not found.")
    visitor.close()
