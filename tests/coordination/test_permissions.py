"""Every permission rule of issue 6, as the pages answer it (404 for the unrelated, 403 for a
too-low role), plus the `for_user` queryset that enforces them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from coordination.models import Milestone, ParticipantState, Partnership

pytestmark = pytest.mark.django_db


def url(name, obj):
    return reverse(f"coordination:{name}", args=[obj.public_id])


EDIT_FORM = {
    "title": "Renamed",
    "partnership_type": "bilateral",
    "status": "active",
    "priority": "medium",
    "objectives": "New objectives",
    "start_date": "2026-01-01",
}


def test_lead_members_see_and_only_editors_edit(login, partnership, bob, carol, alice):
    for user in (bob, carol, alice):
        assert login(user).get(url("partnership-detail", partnership)).status_code == 200
    assert login(bob).get(url("partnership-edit", partnership)).status_code == 403
    assert login(bob).post(url("participant-invite", partnership)).status_code == 403
    assert login(bob).post(url("milestone-create", partnership)).status_code == 403
    page = login(bob).get(url("partnership-detail", partnership)).content.decode()
    assert "Invite an organization" not in page  # a viewer is not offered what they cannot do
    response = login(carol).post(
        url("partnership-edit", partnership), {**EDIT_FORM, "revision": partnership.revision}
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.title == "Renamed" and partnership.revision == 2


def test_a_stale_edit_is_refused_and_loses_nothing(login, partnership, carol):
    stale = partnership.revision
    login(carol).post(url("partnership-edit", partnership), {**EDIT_FORM, "revision": stale})
    response = login(carol).post(
        url("partnership-edit", partnership),
        {**EDIT_FORM, "title": "Second try", "revision": stale},
    )
    assert response.status_code == 200
    assert "Someone else saved this partnership" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.title == "Renamed"


def test_nobody_else_sees_it(login, partnership, charlie, mssd_editor, mafar_admin):
    for user in (charlie, mssd_editor, mafar_admin):
        client = login(user)
        for name in ("partnership-detail", "partnership-edit", "participant-invite"):
            assert client.get(url(name, partnership)).status_code == 404


def test_accepted_participants_read_but_do_not_edit_the_partnership(
    login, partnership, invite, org_b, charlie, mole_admin
):
    invite(org_b, state=ParticipantState.ACCEPTED)
    for user in (charlie, mole_admin):
        client = login(user)
        assert client.get(url("partnership-detail", partnership)).status_code == 200
        assert client.get(url("partnership-edit", partnership)).status_code == 403
        assert client.post(url("participant-invite", partnership)).status_code == 403
        assert client.post(url("milestone-create", partnership)).status_code == 403


def test_ocm_sees_only_partnerships_marked_visible_and_writes_nothing(
    login, partnership, olga, org_a
):
    from .factories import PartnershipFactory

    shared = PartnershipFactory(organization=org_a, title="Shared with OCM", visible_to_ocm=True)
    client = login(olga)
    assert client.get(url("partnership-detail", partnership)).status_code == 404
    page = client.get(url("partnership-detail", shared))
    assert page.status_code == 200
    assert "Shared with OCM" in page.content.decode()
    assert client.post(url("comment-create", shared), {"body": "hi"}).status_code == 403
    assert client.get(url("partnership-edit", shared)).status_code == 403
    listing = client.get(reverse("coordination:partnership-list")).content.decode()
    assert "Shared with OCM" in listing and partnership.title not in listing


def test_superuser_sees_everything(login, partnership, root):
    assert login(root).get(url("partnership-detail", partnership)).status_code == 200


def test_for_user_is_the_single_door(
    partnership,
    invite,
    org_b,
    org_c,
    bob,
    charlie,
    mole_admin,
    mafar_admin,
    mafar_editor,
    olga,
    root,
    mssd_editor,
):
    invite(org_b, state=ParticipantState.ACCEPTED)
    invite(org_c, state=ParticipantState.INVITED)

    def sees(user, **kwargs):
        return (
            Partnership.objects.for_user(user, "view", **kwargs).filter(pk=partnership.pk).exists()
        )

    assert sees(bob) and sees(charlie) and sees(mole_admin) and sees(root)
    assert sees(mafar_admin)  # to answer the invitation
    assert not sees(mafar_admin, include_invitations=False)
    assert not sees(mafar_editor)
    assert not sees(olga) and not sees(mssd_editor)
    partnership.visible_to_ocm = True
    partnership.save()
    assert sees(olga)
    # Changing belongs to the lead organization only.
    assert not Partnership.objects.for_user(charlie, "change").filter(pk=partnership.pk).exists()
    assert Partnership.objects.for_user(bob, "change").filter(pk=partnership.pk).count() == 0


def test_participant_editors_update_only_their_own_milestones(
    login, partnership, invite, org_a, org_b, charlie, mole_viewer, carol, milestone_factory
):
    invite(org_b, state=ParticipantState.ACCEPTED)
    theirs = milestone_factory(partnership=partnership, responsible_organization=org_b)
    leads = milestone_factory(partnership=partnership, responsible_organization=org_a)
    client = login(charlie)
    response = client.post(
        url("milestone-edit", theirs),
        {"status": "in_progress", "progress": "40", "title": "Hijacked"},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.status, theirs.progress) == ("in_progress", 40)
    assert theirs.title != "Hijacked"  # a participant changes status and progress only
    assert client.get(url("milestone-edit", leads)).status_code == 403
    assert login(mole_viewer).post(url("milestone-edit", theirs)).status_code == 403
    # The lead's editor updates any milestone.
    response = login(carol).post(
        url("milestone-edit", theirs),
        {
            "title": "Registry shared",
            "due_date": theirs.due_date.isoformat(),
            "responsible_organization": org_b.pk,
            "status": "completed",
            "progress": "90",
        },
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Registry shared" and theirs.progress == 100  # completed means 100


def test_milestones_go_to_the_lead_or_an_accepted_participant(
    login, partnership, invite, org_b, org_c, carol
):
    invite(org_b, state=ParticipantState.ACCEPTED)
    invite(org_c, state=ParticipantState.INVITED)
    due = (partnership.start_date + datetime.timedelta(days=10)).isoformat()  # inside it
    form = {"title": "Step", "due_date": due, "status": "not_started", "progress": "0"}
    client = login(carol)
    response = client.post(
        url("milestone-create", partnership), {**form, "responsible_organization": org_c.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        url("milestone-create", partnership), {**form, "responsible_organization": org_b.pk}
    )
    assert response.status_code == 302
    assert Milestone.objects.get(partnership=partnership).responsible_organization == org_b


def test_comments_by_lead_and_accepted_editors_only(
    login, partnership, invite, org_b, org_c, carol, bob, charlie, mole_viewer, mafar_admin
):
    invite(org_b, state=ParticipantState.ACCEPTED)
    invite(org_c, state=ParticipantState.INVITED)
    comment_url = url("comment-create", partnership)
    assert login(carol).post(comment_url, {"body": "From the lead"}).status_code == 302
    assert login(charlie).post(comment_url, {"body": "From MOLE"}).status_code == 302
    assert login(bob).post(comment_url, {"body": "viewer"}).status_code == 403
    assert login(mole_viewer).post(comment_url, {"body": "viewer"}).status_code == 403
    assert login(mafar_admin).post(comment_url, {"body": "invitee"}).status_code == 404
    page = login(mole_viewer).get(url("partnership-detail", partnership)).content.decode()
    assert "From the lead" in page and "From MOLE" in page and "viewer" not in page
    assert "Post the comment" not in page  # a viewer gets no comment form


def test_form_rejects_end_before_start_and_a_non_positive_budget(login, carol):
    response = login(carol).post(
        reverse("coordination:partnership-create"),
        {**EDIT_FORM, "end_date": "2025-12-31", "total_budget": "0"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in html
    assert "The budget must be more than zero" in html
    assert not Partnership.objects.exists()


def test_the_database_refuses_end_before_start(partnership):
    import datetime

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(
            end_date=partnership.start_date - datetime.timedelta(days=1)
        )


def test_progress_rolls_up_from_milestones(login, partnership, carol, milestone_factory):
    milestone_factory(partnership=partnership, progress=100, status="completed")
    milestone_factory(partnership=partnership, progress=50, status="in_progress")
    milestone_factory(partnership=partnership, progress=0, status="cancelled")  # left out
    page = login(carol).get(url("partnership-detail", partnership))
    assert page.context["partnership"].progress == 75
    assert 'id="partnership-progress">75%' in page.content.decode()
    listing = login(carol).get(reverse("coordination:partnership-list"))
    assert [p.progress for p in listing.context["page"]] == [75]
