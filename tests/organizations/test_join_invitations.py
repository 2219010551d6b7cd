"""Issue 16, class 2: importing members never takes over someone else's account.

An import row naming an existing account outside the organization (another organization's
member, an OCM user, a superuser, a deactivated account) creates an invitation to join, which
the account holder accepts or declines while signed in; the preview says the same thing ("an
invitation will be sent") whatever the account, and for a new address too."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.tenancy import Role, forget_tenancy, tenancy_of
from organizations.models import AuditLog, ImportJob, Membership, OCMAccess
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,organization,role,department,position,phone"


def _row(email: str, role: str = "viewer") -> str:
    return f"{email},Someone,Else,MOH,{role},,,"


def _upload(client, text: str):
    return client.post(
        reverse("organizations:user-import"),
        {"file": SimpleUploadedFile("staff.csv", text.encode(), "text/csv")},
    )


def _commit(client, capture):
    job = ImportJob.objects.latest("created_at")
    with capture(execute=True):
        response = client.post(reverse("organizations:user-import-commit", args=[job.public_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


@pytest.fixture
def gone(org_b):
    """A deactivated account (a former MOLE member)."""
    user = UserFactory(email="gone@test.bmms", is_active=False)
    MembershipFactory(user=user, organization=org_b, role=Role.EDITOR)
    return user


def _normalised(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", page)


def test_the_preview_says_the_same_for_every_account_outside_the_organization(
    client, alice, charlie, olga, root, gone
):
    client.force_login(alice)
    pages = {}
    for email in (
        "brand.new@moh.gov.ph",
        charlie.email,
        olga.email,
        root.email,
        gone.email,
    ):
        response = _upload(client, f"{HEADER}\n{_row(email)}\n")
        assert response.status_code == 200
        pages[email] = _normalised(response.content.decode())
    first = pages["brand.new@moh.gov.ph"]
    assert "an invitation will be sent" in first
    for email, page in pages.items():
        assert page == first, f"the preview of {email} differs: it tells the account apart"


def test_a_committed_import_writes_invitations_not_memberships(
    client, alice, bob, charlie, olga, root, gone, org_a, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    rows = [
        _row(charlie.email, "approver"),
        _row(olga.email, "org_admin"),
        _row(root.email, "org_admin"),
        _row(gone.email),
        _row("brand.new@moh.gov.ph"),
        _row(bob.email, "editor"),  # already a MOH member: updated as before
    ]
    _upload(client, "\n".join([HEADER, *rows]) + "\n")
    job = _commit(client, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    # Nobody outside MOH was attached to MOH.
    for user in (charlie, olga, root, gone):
        assert not Membership.objects.filter(user=user, organization=org_a).exists()
    assert tenancy_of(olga).is_ocm_only
    # The new address and the existing member are handled as before.
    assert Membership.objects.get(user__email="brand.new@moh.gov.ph").organization == org_a
    assert Membership.objects.get(user=bob).role == Role.EDITOR
    # Invitations were written instead.
    JoinInvitation = apps.get_model("organizations", "JoinInvitation")
    invited = {i.user.email: i for i in JoinInvitation.objects.select_related("user")}
    assert set(invited) == {charlie.email, olga.email, root.email, gone.email}
    assert invited[charlie.email].role == Role.APPROVER
    assert invited[charlie.email].invited_by == alice
    assert all(i.status == "pending" and i.organization == org_a for i in invited.values())
    # E-mail: the invitees who can act on it, and the new user's set-your-password link.
    # Nothing to a superuser (never made a member by an org admin) or a deactivated account.
    # (Besides the importer's own "import finished" notification, issue 17.)
    recipients = sorted(m.to[0] for m in mail.outbox if "import finished" not in m.subject.lower())
    assert recipients == sorted([charlie.email, olga.email, "brand.new@moh.gov.ph"])
    join_mail = next(m for m in mail.outbox if m.to == [charlie.email])
    assert "Ministry of Health" in join_mail.body
    assert "http://127.0.0.1:8000/org/invitations/" in join_mail.body
    # The job page counts invitations without telling new and existing accounts apart.
    page = client.get(reverse("organizations:user-import-job", args=[job.public_id]))
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "Imported: 5 invitations, 1 membership updated" in text
    assert AuditLog.objects.filter(action="invitation.created", organization=org_a).count() == 4


# --- the invitee decides ----------------------------------------------------------------------


def _invite(client, alice, email, capture, role="viewer"):
    client.force_login(alice)
    _upload(client, f"{HEADER}\n{_row(email, role)}\n")
    _commit(client, capture)
    client.logout()
    return apps.get_model("organizations", "JoinInvitation").objects.get(user__email=email)


def test_the_invitee_accepts_while_signed_in(
    client, alice, charlie, org_a, django_capture_on_commit_callbacks
):
    invitation = _invite(client, alice, charlie.email, django_capture_on_commit_callbacks, "editor")
    client.force_login(charlie)
    page = client.get(reverse("organizations:my-invitations")).content.decode()
    assert "Ministry of Health" in page and "Editor" in page
    response = client.post(
        reverse("organizations:invitation-accept", args=[invitation.public_id]), follow=True
    )
    assert "You are now a member of Ministry of Health (Editor)." in response.content.decode()
    membership = Membership.objects.get(user=charlie, organization=org_a)
    assert membership.role == Role.EDITOR and not membership.is_primary  # MOLE stays primary
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.responded_at is not None
    entry = AuditLog.objects.get(action="invitation.accepted")
    assert entry.actor == charlie and entry.organization == org_a
    # Once only.
    response = client.post(
        reverse("organizations:invitation-accept", args=[invitation.public_id]), follow=True
    )
    assert "This invitation is no longer open." in response.content.decode()
    assert Membership.objects.filter(user=charlie, organization=org_a).count() == 1


def test_the_invitee_declines(client, alice, charlie, org_a, django_capture_on_commit_callbacks):
    invitation = _invite(client, alice, charlie.email, django_capture_on_commit_callbacks)
    client.force_login(charlie)
    response = client.post(
        reverse("organizations:invitation-decline", args=[invitation.public_id]), follow=True
    )
    assert "You declined the invitation of Ministry of Health." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Membership.objects.filter(user=charlie, organization=org_a).exists()
    assert AuditLog.objects.filter(action="invitation.declined", actor=charlie).exists()


def test_only_the_invitee_sees_and_answers_an_invitation(
    client, alice, bob, charlie, dave, org_a, django_capture_on_commit_callbacks
):
    invitation = _invite(client, alice, charlie.email, django_capture_on_commit_callbacks)
    for other in (bob, dave, alice):
        client.force_login(other)
        assert (
            invitation.organization.name
            not in client.get(reverse("organizations:my-invitations"))
            .content.decode()
            .split("<main", 1)[-1]
            .split("Pending invitations", 1)[-1]
        )
        for name in ("organizations:invitation-accept", "organizations:invitation-decline"):
            assert client.post(reverse(name, args=[invitation.public_id])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_expired_invitation_cannot_be_accepted(
    client, alice, charlie, org_a, django_capture_on_commit_callbacks
):
    invitation = _invite(client, alice, charlie.email, django_capture_on_commit_callbacks)
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(charlie)
    assert (
        "Ministry of Health"
        not in client.get(reverse("organizations:my-invitations"))
        .content.decode()
        .split("Pending invitations", 1)[-1]
    )
    response = client.post(
        reverse("organizations:invitation-accept", args=[invitation.public_id]), follow=True
    )
    assert "This invitation is no longer open." in response.content.decode()
    assert not Membership.objects.filter(user=charlie, organization=org_a).exists()


def test_a_superuser_is_never_made_a_member_by_an_org_admin(
    client, alice, root, org_a, django_capture_on_commit_callbacks
):
    from organizations import invitations

    invitation = _invite(client, alice, root.email, django_capture_on_commit_callbacks)
    client.force_login(root)
    page = client.get(reverse("organizations:my-invitations")).content.decode()
    assert "You have no pending invitations." in page
    response = client.post(reverse("organizations:invitation-accept", args=[invitation.public_id]))
    assert response.status_code == 404
    with pytest.raises(invitations.InvitationRefused):
        invitations.invitation_accept(actor=root, invitation=invitation)
    assert not Membership.objects.filter(user=root).exists()


def test_an_ocm_user_cannot_join_unless_a_superuser_granted_both(
    client, alice, olga, org_a, django_capture_on_commit_callbacks
):
    from organizations import invitations

    invitation = _invite(client, alice, olga.email, django_capture_on_commit_callbacks)
    client.force_login(olga)
    page = client.get(reverse("organizations:my-invitations")).content.decode()
    assert "Ministry of Health" in page
    assert "Your OCM access is read-only" in page
    # Every write of an OCM user without the explicit grant is refused, this one included.
    response = client.post(reverse("organizations:invitation-accept", args=[invitation.public_id]))
    assert response.status_code == 403
    with pytest.raises(invitations.InvitationRefused, match="OCM access is read-only"):
        invitations.invitation_accept(actor=olga, invitation=invitation)
    assert not Membership.objects.filter(user=olga).exists()
    # A superuser grants both explicitly (the OCM access's "also a member" flag): now she may.
    OCMAccess.objects.filter(user=olga).update(also_member=True)
    from core.tenancy import bump_tenancy_version

    bump_tenancy_version()
    olga.refresh_from_db()
    response = client.post(
        reverse("organizations:invitation-accept", args=[invitation.public_id]), follow=True
    )
    assert response.status_code == 200
    assert Membership.objects.filter(user=olga, organization=org_a).exists()


# --- the OCM read-only rule is explicit --------------------------------------------------------


def test_an_ocm_user_with_a_membership_is_still_read_only_without_the_grant(
    client, olga, org_a, dept_a
):
    MembershipFactory(user=olga, organization=org_a, role=Role.ORG_ADMIN, is_primary=True)
    profile = tenancy_of(olga)
    assert profile.is_ocm_only
    assert not profile.can(org_a.pk, "change")
    client.force_login(olga)
    response = client.post(
        reverse("organizations:department-edit", args=[dept_a.public_id]),
        {"name": "Renamed", "code": "", "head": "", "description": ""},
    )
    assert response.status_code == 403
    dept_a.refresh_from_db()
    assert dept_a.name == "Finance"
    # With the explicit grant, the membership counts.
    OCMAccess.objects.filter(user=olga).update(also_member=True)
    from core.tenancy import bump_tenancy_version

    bump_tenancy_version()
    forget_tenancy(olga)
    assert not tenancy_of(olga).is_ocm_only
    assert tenancy_of(olga).can(org_a.pk, "change")


# --- the organization administrator's side -----------------------------------------------------


def test_an_org_admin_lists_and_revokes_invitations(
    client, alice, bob, charlie, org_a, django_capture_on_commit_callbacks
):
    invitation = _invite(client, alice, charlie.email, django_capture_on_commit_callbacks)
    client.force_login(alice)
    page = client.get(reverse("organizations:invitation-list")).content.decode()
    assert charlie.email in page and "Pending" in page
    assert charlie.get_full_name() not in page  # nothing about the account beyond the address
    url = reverse("organizations:invitation-revoke", args=[invitation.public_id])
    confirm = client.get(url).content.decode()
    assert "Revoke the invitation" in confirm
    invitation.refresh_from_db()
    assert invitation.status == "pending"  # the confirmation page changes nothing
    client.force_login(bob)
    assert client.post(url).status_code == 403
    client.force_login(charlie)
    assert client.post(url).status_code == 404  # another organization's invitation
    client.force_login(alice)
    response = client.post(url, follow=True)
    assert f"The invitation of {charlie.email} is revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert AuditLog.objects.filter(action="invitation.revoked", actor=alice).exists()
    client.force_login(charlie)
    response = client.post(
        reverse("organizations:invitation-accept", args=[invitation.public_id]), follow=True
    )
    assert "This invitation is no longer open." in response.content.decode()
    assert not Membership.objects.filter(user=charlie, organization=org_a).exists()


def test_importing_again_refreshes_the_pending_invitation(
    client, alice, charlie, django_capture_on_commit_callbacks
):
    _invite(client, alice, charlie.email, django_capture_on_commit_callbacks)
    _invite(client, alice, charlie.email, django_capture_on_commit_callbacks, role="approver")
    JoinInvitation = apps.get_model("organizations", "JoinInvitation")
    invitation = JoinInvitation.objects.get(user=charlie)
    assert invitation.role == Role.APPROVER and invitation.status == "pending"


def test_the_import_command_invites_existing_accounts_too(tmp_path, charlie, org_a):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "users.csv"
    path.write_text(f"{HEADER}\n{_row(charlie.email)}\n", encoding="utf-8")
    out = StringIO()
    call_command("import_users", str(path), stdout=out)
    assert "invited: 1" in out.getvalue() and "Invitations sent: 1" in out.getvalue()
    assert not Membership.objects.filter(user=charlie, organization=org_a).exists()
    invitation = apps.get_model("organizations", "JoinInvitation").objects.get(user=charlie)
    assert invitation.invited_by is None and invitation.status == "pending"
    assert mail.outbox[-1].to == [charlie.email]
