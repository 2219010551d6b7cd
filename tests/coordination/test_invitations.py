"""The invitation life cycle, through the pages a user sees: invite → accept / decline →
withdraw → invite again; and that a declined or withdrawn organization loses access."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from coordination import services
from coordination.models import ParticipantState, PartnershipParticipant
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def detail(p):
    return reverse("coordination:partnership-detail", args=[p.public_id])


def test_lead_editor_creates_a_partnership_and_invites_two_organizations(
    login,
    carol,
    org_b,
    org_c,
    mole_admin,
    mafar_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client = login(carol)
    response = client.post(
        reverse("coordination:partnership-create"),
        {
            "title": "Health of farm workers",
            "partnership_type": "joint_program",
            "status": "active",
            "priority": "high",
            "objectives": "Screen farm workers.",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "total_budget": "1500000.00",
            "focal_person": carol.pk,
        },
    )
    assert response.status_code == 302
    partnership_url = response["Location"]
    page = client.get(partnership_url)
    assert "Health of farm workers" in page.content.decode()
    partnership = page.context["partnership"]
    assert partnership.organization.code == "MOH"

    for org in (org_b, org_c):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("coordination:participant-invite", args=[partnership.public_id]),
                {"organization": org.pk, "message": "Join us"},
            )
        assert response.status_code == 302

    page = client.get(partnership_url).content.decode()
    assert 'data-organization="MOLE"' in page and 'data-organization="MAFAR"' in page
    assert page.count("state-invited") == 2
    # The invited organizations' admins are told, in the app and by e-mail.
    assert (
        Notification.objects.filter(recipient=mole_admin, verb="partnership.invited").count() == 1
    )
    assert (
        Notification.objects.filter(recipient=mafar_admin, verb="partnership.invited").count() == 1
    )
    assert sorted(m.to[0] for m in mailoutbox) == [mafar_admin.email, mole_admin.email]
    assert "Health of farm workers" in mailoutbox[0].body


def test_invited_admin_sees_the_invitation_but_not_the_work(
    login, partnership, invite, org_b, mole_admin, charlie, milestone_factory
):
    invite(org_b)
    milestone_factory(partnership=partnership, title="Secret step")
    # The MOLE editor (not an admin) does not see an unanswered invitation's partnership.
    assert login(charlie).get(detail(partnership)).status_code == 404
    page = login(mole_admin).get(detail(partnership))
    assert page.status_code == 200
    html = page.content.decode()
    assert "MOLE is invited to take part" in html
    assert "Secret step" not in html  # milestones are for participants, not invitees
    inbox = login(mole_admin).get(reverse("coordination:invitation-inbox")).content.decode()
    assert partnership.title in inbox


def test_admin_accepts_and_the_members_gain_access(
    login,
    partnership,
    invite,
    org_b,
    carol,
    mole_admin,
    charlie,
    mole_viewer,
    milestone_factory,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    participant = invite(org_b, invited_by=carol)
    milestone_factory(
        partnership=partnership, title="Registry shared", responsible_organization=org_b
    )
    url = reverse("coordination:invitation-accept", args=[participant.public_id])
    confirm = login(mole_admin).get(url)
    assert "Yes, accept" in confirm.content.decode()  # a confirmation step
    participant.refresh_from_db()
    assert participant.state == ParticipantState.INVITED  # GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = login(mole_admin).post(url)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.state == ParticipantState.ACCEPTED
    assert participant.responded_by == mole_admin and participant.responded_at

    for member in (charlie, mole_viewer):
        page = login(member).get(detail(partnership))
        assert page.status_code == 200
        assert "Registry shared" in page.content.decode()
    # The inviter (carol, also the focal person) is told once, in the app and by e-mail.
    assert Notification.objects.filter(recipient=carol, verb="partnership.accepted").count() == 1
    assert [m.to for m in mailoutbox] == [[carol.email]]
    assert "MOLE accepted" in mailoutbox[0].body


def test_only_the_invited_organizations_admin_can_answer(
    login, partnership, invite, org_b, charlie, alice, carol
):
    participant = invite(org_b)
    url = reverse("coordination:invitation-accept", args=[participant.public_id])
    assert login(charlie).post(url).status_code == 403  # MOLE editor: own org, too-low role
    assert login(alice).post(url).status_code == 404  # the lead's admin cannot answer for MOLE
    participant.refresh_from_db()
    assert participant.state == ParticipantState.INVITED


def test_decline_ends_access_and_tells_the_lead(
    login,
    partnership,
    invite,
    org_c,
    carol,
    mafar_admin,
    mafar_editor,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    participant = invite(org_c, invited_by=carol)
    url = reverse("coordination:invitation-decline", args=[participant.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(mafar_admin).post(url, {"reason": "No budget this year"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.state == ParticipantState.DECLINED
    assert login(mafar_admin).get(detail(partnership)).status_code == 404
    assert login(mafar_editor).get(detail(partnership)).status_code == 404
    note = Notification.objects.get(recipient=carol, verb="partnership.declined")
    assert "No budget this year" in note.text
    assert mailoutbox[0].to == [carol.email]
    # The lead sees the declined state.
    assert "state-declined" in login(carol).get(detail(partnership)).content.decode()


def test_an_answered_invitation_cannot_be_answered_again(
    login, partnership, invite, org_b, mole_admin
):
    participant = invite(org_b, state=ParticipantState.DECLINED)
    client = login(mole_admin)
    response = client.post(
        reverse("coordination:invitation-accept", args=[participant.public_id]), follow=True
    )
    assert "already answered or withdrawn" in response.content.decode()
    participant.refresh_from_db()
    assert participant.state == ParticipantState.DECLINED


def test_withdrawn_participant_loses_access(
    login,
    partnership,
    invite,
    org_b,
    carol,
    bob,
    charlie,
    mole_admin,
    milestone_factory,
    django_capture_on_commit_callbacks,
):
    participant = invite(org_b, state=ParticipantState.ACCEPTED)
    milestone = milestone_factory(partnership=partnership, responsible_organization=org_b)
    assert login(charlie).get(detail(partnership)).status_code == 200
    url = reverse("coordination:participant-withdraw", args=[participant.public_id])
    assert "Yes, withdraw" in login(carol).get(url).content.decode()
    assert login(bob).post(url).status_code == 403  # lead viewer
    assert login(charlie).post(url).status_code == 403  # a participant cannot withdraw itself
    with django_capture_on_commit_callbacks(execute=True):
        assert login(carol).post(url).status_code == 302
    participant.refresh_from_db()
    assert participant.state == ParticipantState.WITHDRAWN
    for user in (charlie, mole_admin):
        client = login(user)
        assert client.get(detail(partnership)).status_code == 404
        edit = reverse("coordination:milestone-edit", args=[milestone.public_id])
        assert client.get(edit).status_code == 404
        comment = reverse("coordination:comment-create", args=[partnership.public_id])
        assert client.post(comment, {"body": "still here?"}).status_code == 404
    assert Notification.objects.filter(recipient=mole_admin, verb="partnership.withdrawn").exists()


def test_a_declined_organization_can_be_invited_again_but_not_twice(
    login, partnership, invite, org_b, carol
):
    invite(org_b, state=ParticipantState.DECLINED)
    url = reverse("coordination:participant-invite", args=[partnership.public_id])
    assert login(carol).post(url, {"organization": org_b.pk}).status_code == 302
    participant = PartnershipParticipant.objects.get(partnership=partnership, organization=org_b)
    assert participant.state == ParticipantState.INVITED and participant.responded_at is None
    # Invited already: the form no longer offers MOLE, and the service refuses it.
    response = login(carol).post(url, {"organization": org_b.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(Exception, match="already invited"):
        services.participant_invite(actor=carol, partnership=partnership, organization=org_b)


def test_the_lead_cannot_be_a_participant(login, partnership, org_a, carol):
    url = reverse("coordination:participant-invite", args=[partnership.public_id])
    response = login(carol).post(url, {"organization": org_a.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # the form does not offer it
    with pytest.raises(Exception, match="lead organization cannot be invited"):
        services.participant_invite(actor=carol, partnership=partnership, organization=org_a)
    # The database refuses it too (a trigger), whatever the code path.
    refused = pytest.raises(IntegrityError, match="lead organization cannot be a participant")
    with refused, transaction.atomic():
        PartnershipParticipant.objects.create(
            partnership=partnership, organization=org_a, invited_at=partnership.created_at
        )
    assert not PartnershipParticipant.objects.filter(partnership=partnership).exists()


def test_the_lead_of_a_partnership_cannot_change(partnership, org_b):
    with pytest.raises(Exception, match="partnership_lead_is_fixed"), transaction.atomic():
        partnership.organization = org_b
        partnership.save()
