"""The list tabs, the invitation inbox, notifications (bell, page, mark read) and the daily
overdue-milestone task."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination import services, tasks
from coordination.models import Milestone, ParticipantState
from notifications.models import Notification

from .factories import ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
LIST = reverse("coordination:partnership-list")


def titles(response):
    return [p.title for p in response.context["page"]]


def test_list_tabs_for_the_current_organization(login, org_a, org_b, org_c, mole_admin, charlie):
    led = PartnershipFactory(organization=org_b, title="MOLE leads")
    joined = PartnershipFactory(organization=org_a, title="MOLE takes part")
    ParticipantFactory(partnership=joined, organization=org_b, state=ParticipantState.ACCEPTED)
    waiting = PartnershipFactory(organization=org_c, title="MOLE is invited")
    ParticipantFactory(partnership=waiting, organization=org_b)
    declined = PartnershipFactory(organization=org_c, title="MOLE declined")
    ParticipantFactory(partnership=declined, organization=org_b, state=ParticipantState.DECLINED)
    PartnershipFactory(organization=org_a, title="Not MOLE's business")

    client = login(mole_admin)
    assert titles(client.get(LIST)) == [led.title]
    assert titles(client.get(LIST, {"tab": "participates"})) == [joined.title]
    assert titles(client.get(LIST, {"tab": "invitations"})) == [waiting.title]
    page = client.get(LIST).content.decode()
    assert 'My organization leads <span class="count">(1)' in page
    # An editor does not see invitations (only org_admins answer them).
    assert titles(login(charlie).get(LIST, {"tab": "invitations"})) == []
    # Search narrows the tab.
    assert titles(client.get(LIST, {"tab": "leads", "q": "nothing like it"})) == []


def test_inbox_lists_waiting_invitations_for_admins_only(login, org_a, org_b, mole_admin, charlie):
    waiting = PartnershipFactory(organization=org_a, title="Please join")
    ParticipantFactory(partnership=waiting, organization=org_b)
    inbox = reverse("coordination:invitation-inbox")
    assert "Please join" in login(mole_admin).get(inbox).content.decode()
    page = login(charlie).get(inbox).content.decode()
    assert "Please join" not in page and "Only the administrators of MOLE" in page


def test_bell_counts_unread_and_the_page_marks_them_read(login, alice, bob):
    for n in range(3):
        Notification.objects.create(
            recipient=alice,
            verb="partnership.invited",
            category="partnerships",
            text=f"Note {n}",
            url="/",
        )
    Notification.objects.create(
        recipient=bob, verb="partnership.invited", category="partnerships", text="Bob's", url="/"
    )
    client = login(alice)
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'aria-label="Notifications: 3 unread"' in bell
    assert 'hx-get="/notifications/bell/"' in client.get("/").content.decode()
    first = Notification.objects.filter(recipient=alice).first()
    response = client.post(reverse("notifications:read", args=[first.public_id]))
    assert response.status_code == 302 and response["Location"] == "/"
    assert "2 unread" in client.get(reverse("notifications:bell")).content.decode()
    bobs = Notification.objects.get(recipient=bob)
    assert client.post(reverse("notifications:read", args=[bobs.public_id])).status_code == 404
    client.post(reverse("notifications:read-all"))
    assert "0 unread" in client.get(reverse("notifications:bell")).content.decode()
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_overdue_milestones_are_flagged_once_per_event(
    partnership,
    invite,
    org_b,
    carol,
    charlie,
    mole_viewer,
    milestone_factory,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    invite(org_b, state=ParticipantState.ACCEPTED)
    today = timezone.localdate()
    late = milestone_factory(
        partnership=partnership,
        title="Registry shared",
        responsible_organization=org_b,
        due_date=today - datetime.timedelta(days=1),
    )
    milestone_factory(
        partnership=partnership,
        due_date=today - datetime.timedelta(days=5),
        status=Milestone.Status.COMPLETED,
    )
    milestone_factory(partnership=partnership, due_date=today + datetime.timedelta(days=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_overdue_milestones.delay().get() == 1
    notes = Notification.objects.filter(verb="partnership.milestone_overdue")
    # MOLE's editors (charlie, not the viewer) and the focal person (carol).
    assert sorted(n.recipient.email for n in notes) == [carol.email, charlie.email]
    assert "Registry shared" in notes[0].text
    assert sorted(m.to[0] for m in mailoutbox) == [carol.email, charlie.email]

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_overdue_milestones.delay().get() == 0  # idempotent
    assert notes.all().count() == 2 and len(mailoutbox) == 2

    # A new due date that passes again is a new overdue event.
    Milestone.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=0))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.milestones_flag_overdue(today=today + datetime.timedelta(days=1)) == 1
    assert notes.all().count() == 4


def test_demo_data_covers_every_state_and_is_idempotent(db, django_user_model):
    from coordination import demo
    from coordination.models import Partnership, PartnershipParticipant
    from organizations import demo as org_demo

    org_demo.seed()
    demo.seed(0)
    count = Partnership.objects.count()
    demo.seed(0)
    assert Partnership.objects.count() == count >= 5
    assert set(Partnership.objects.values_list("status", flat=True)) == set(
        Partnership.Status.values
    )
    assert set(PartnershipParticipant.objects.values_list("state", flat=True)) == set(
        ParticipantState.values
    )
