"""Feedback: filed from any page, owned by the reporter's organization, triaged by the rollout
team, the reporter told through the notification service (once, and later when mail was down;
nobody else, and not a reporter who can no longer open the report)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from notifications import service as notification_service
from notifications.models import Notification
from organizations.models import Membership
from rollout import services
from rollout.models import Feedback, FeedbackNotification
from rollout.policy import ROLLOUT_TEAM_GROUP
from tests.factories import UserFactory
from tests.notifications.conftest import told
from tests.rollout.factories import PNG_BYTES, feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_member(db):
    user = UserFactory(email="team@test.bmms")
    user.groups.add(Group.objects.get(name=ROLLOUT_TEAM_GROUP))
    return user


def test_filing_records_page_organization_and_browser(bob, org_a, client):
    client.force_login(bob)
    form = client.get(reverse("rollout:feedback-create") + "?page=/planning/%3Fq%3D1")
    assert 'value="/planning/?q=1"' in form.content.decode()
    response = client.post(
        reverse("rollout:feedback-create"),
        {"kind": "problem", "summary": "Nothing happens", "page_url": "/planning/?q=1"},
        HTTP_USER_AGENT="Mozilla/5.0 Test",
    )
    report = Feedback.objects.get()
    assert response.status_code == 302
    assert (report.organization, report.reporter, report.page_url, report.user_agent) == (
        org_a,
        bob,
        "/planning/?q=1",
        "Mozilla/5.0 Test",
    )


def test_an_outside_page_address_is_not_kept(bob, client):
    client.force_login(bob)
    client.post(
        reverse("rollout:feedback-create"),
        {"kind": "problem", "summary": "x", "page_url": "https://evil.example/"},
    )
    assert Feedback.objects.get().page_url == ""


def test_screenshot_is_checked_and_nothing_kept_when_refused(bob, org_a, client):
    client.force_login(bob)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("screen.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = client.post(
        reverse("rollout:feedback-create"),
        {"kind": "problem", "summary": "x", "screenshot": bad},
    )
    assert response.status_code == 200
    assert "does not contain what its name says" in response.content.decode()
    assert not Feedback.objects.exists()
    with pytest.raises(ValidationError):
        feedback(bob, org_a, screenshot=("notes.txt", b"plain text"))
    good = feedback(bob, org_a, screenshot=("screen.png", PNG_BYTES))
    assert default_storage.exists(good.screenshot_storage)


def test_who_reads_a_report(bob, carol, alice, charlie, olga, org_a, team_member, client):
    report = feedback(carol, org_a)
    url = reverse("rollout:feedback-detail", kwargs={"public_id": report.public_id})
    expected = {carol: 200, alice: 200, team_member: 200, bob: 403, charlie: 404, olga: 403}
    for user, code in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == code, user
    client.force_login(bob)
    assert report.summary not in client.get(reverse("rollout:feedback-list")).content.decode()
    client.force_login(olga)
    assert client.get(reverse("rollout:feedback-list")).status_code == 403


def test_triage_notifies_the_reporter_once(
    carol, org_a, team_member, client, django_capture_on_commit_callbacks
):
    report = feedback(carol, org_a)
    client.force_login(team_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rollout:feedback-detail", kwargs={"public_id": report.public_id}),
            {"status": "accepted", "owner": team_member.pk, "note": "We reproduce it."},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.owner) == ("accepted", team_member)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [carol.email]
    assert message.subject == "[BMMS] Your report changed"
    assert f"Your report “{report.summary}” is now: Accepted." in message.body
    assert f"/rollout/feedback/{report.public_id}/" in message.body
    assert "We reproduce it." not in message.body  # the note is read on the report's page
    assert told("rollout.feedback_changed") == [carol.email]
    client.force_login(carol)
    page = client.get(reverse("rollout:feedback-detail", kwargs={"public_id": report.public_id}))
    assert "We reproduce it." in page.content.decode()


def test_only_a_reporter_who_can_open_the_report_is_told(
    alice, carol, org_a, team_member, django_capture_on_commit_callbacks
):
    report = feedback(carol, org_a)
    Membership.objects.filter(user=carol, organization=org_a).delete()  # carol left MOH
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_triage(actor=team_member, feedback=report, status="resolved")
    assert FeedbackNotification.objects.count() == 1  # kept on the report's page
    assert told("rollout.feedback_changed") == [] and mail.outbox == []


def test_saving_without_a_change_sends_nothing(carol, org_a, team_member):
    report = feedback(carol, org_a)
    services.feedback_triage(actor=team_member, feedback=report, status="new")
    assert mail.outbox == [] and not FeedbackNotification.objects.exists()


def test_mail_down_keeps_the_notification_for_a_retry(
    carol, org_a, team_member, monkeypatch, django_capture_on_commit_callbacks
):
    report = feedback(carol, org_a)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notification_service, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_triage(actor=team_member, feedback=report, status="resolved")
    report.refresh_from_db()
    assert report.status == "resolved"  # the triage itself is saved (the mail runs on commit)
    notice = Notification.objects.get(verb="rollout.feedback_changed")
    assert notice.recipient == carol and notice.emailed_at is None  # in the bell all the same
    monkeypatch.undo()
    assert notification_service.retry_emails() == 1
    assert [m.to for m in mail.outbox] == [[carol.email]]


def test_only_the_team_triages_and_duplicates_cannot_circle(
    alice, carol, org_a, team_member, django_capture_on_commit_callbacks
):
    first, second = feedback(carol, org_a), feedback(carol, org_a, summary="Same again")
    with pytest.raises(PermissionDenied):
        services.feedback_triage(actor=alice, feedback=first, status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_triage(
            actor=team_member, feedback=second, status="resolved", duplicate_of=first
        )
    with pytest.raises(ValidationError):
        services.feedback_triage(
            actor=team_member, feedback=first, status="new", duplicate_of=second
        )
    assert Feedback.objects.get(pk=first.pk).duplicate_of is None
    assert "duplicate" in FeedbackNotification.objects.get(feedback=second).message
