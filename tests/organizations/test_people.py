"""Issue 17 item 5: organization administrators manage their people without a CSV.

Every rule has its allowed and its refused case: add (new address → account + invitation
e-mail; someone else's account → invitation to join, never attached), change role, deactivate
(membership removed, account switched off only when it was the person's last access, sessions
ended, history kept), reactivate, and the limits of the policy layer (no system administrator,
no OCM user, no role above one's own, never the last administrator)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core import policies
from core.tenancy import Role
from organizations import people
from organizations.models import (
    AuditLog,
    FormerMembership,
    JoinInvitation,
    Membership,
    OCMAccess,
    User,
)
from tests.factories import MembershipFactory, OCMAccessFactory, UserFactory

ADD = "/org/members/new/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def can_sign_in(user) -> bool:
    client = Client()
    client.post(reverse("login"), {"username": user.email, "password": "pass-word-123"})
    return client.get(reverse("home")).status_code == 200


def add(client, capture, **data):
    payload = {"email": "", "first_name": "", "last_name": "", "role": "viewer", "position": ""}
    payload.update(data)
    with capture(execute=True):
        return client.post(ADD, payload, follow=True)


# --- add one member ------------------------------------------------------------------------------


def test_a_new_address_becomes_a_member_with_an_invitation_email(
    alice, org_a, dept_a, django_capture_on_commit_callbacks
):
    response = add(
        signed_in(alice),
        django_capture_on_commit_callbacks,
        email="Nora.New@Test.bmms",
        first_name="Nora",
        last_name="New",
        role="editor",
        department=dept_a.pk,
        position="Planning officer",
    )
    assert "An invitation was sent to nora.new@test.bmms." in response.content.decode()
    user = User.objects.get(email="nora.new@test.bmms")
    assert not user.has_usable_password() and user.is_active
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role, membership.department) == (
        org_a,
        "editor",
        dept_a,
    )
    assert [m.to for m in mail.outbox] == [["nora.new@test.bmms"]]
    assert "set your password" in mail.outbox[0].subject
    assert "/accounts/invite/" in mail.outbox[0].body
    entry = AuditLog.objects.get(action="member.added")
    assert entry.actor_id == alice.pk and entry.organization_id == org_a.pk


@pytest.mark.parametrize("who", ["charlie", "olga", "root"])
def test_someone_elses_account_is_invited_never_attached(
    who, personas, org_a, django_capture_on_commit_callbacks
):
    target = personas[who]
    response = add(
        signed_in(personas["alice"]), django_capture_on_commit_callbacks, email=target.email
    )
    # the same words as for a new address: the page does not tell who has an account
    assert f"An invitation was sent to {target.email}." in response.content.decode()
    assert not Membership.objects.filter(user=target, organization=org_a).exists()
    invitation = JoinInvitation.objects.get(user=target, organization=org_a)
    assert invitation.status == "pending" and invitation.role == "viewer"
    if who == "root":
        assert mail.outbox == []  # a system administrator is never told, and cannot accept
    else:
        # told; an OCM-only account sees on its invitations page why it cannot accept
        assert [m.to for m in mail.outbox] == [[target.email]]
        assert "Invitation to join" in mail.outbox[0].subject


def test_adding_an_existing_member_says_so_and_changes_nothing(
    alice, bob, django_capture_on_commit_callbacks
):
    response = add(
        signed_in(alice), django_capture_on_commit_callbacks, email=bob.email, role="editor"
    )
    page = response.content.decode()
    assert "is already a member of this organization" in page
    assert Membership.objects.get(user=bob).role == "viewer"
    assert f'value="{bob.email}"' in page  # nothing lost


def test_add_refuses_bad_input_without_an_error_page(alice, django_capture_on_commit_callbacks):
    client = signed_in(alice)
    for payload in (
        {"email": "not an address"},
        {"email": "x@y.ph", "role": "superuser"},
        {"email": "x@y.ph", "department": "999999"},
        {"email": "x@y.ph", "first_name": "x" * 500},
    ):
        response = add(client, django_capture_on_commit_callbacks, **payload)
        assert response.status_code == 200 and 'class="field-error"' in response.content.decode()
    assert not User.objects.filter(email="x@y.ph").exists() and mail.outbox == []


def test_a_department_of_another_organization_cannot_be_chosen(
    alice, dept_b, django_capture_on_commit_callbacks
):
    response = add(
        signed_in(alice),
        django_capture_on_commit_callbacks,
        email="n@test.bmms",
        department=dept_b.pk,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="n@test.bmms").exists()


def test_only_admins_add(bob, dave, olga):
    for user in (bob, dave, olga):
        assert (
            signed_in(user).post(ADD, {"email": "z@test.bmms", "role": "viewer"}).status_code == 403
        )
    assert not User.objects.filter(email="z@test.bmms").exists()


def test_no_role_above_ones_own(dave, org_a):
    assert policies.role_refusal(dave, org_a.pk, Role.ORG_ADMIN)
    assert policies.role_refusal(dave, org_a.pk, Role.APPROVER) is None
    assert [v for v, _ in policies.assignable_roles(dave, org_a.pk)] == [
        "viewer",
        "editor",
        "approver",
    ]


# --- who may be managed --------------------------------------------------------------------------


@pytest.fixture
def root_member(root, org_a):
    return MembershipFactory(user=root, organization=org_a, role=Role.VIEWER)


@pytest.fixture
def ocm_member(olga, org_a):
    return MembershipFactory(user=olga, organization=org_a, role=Role.VIEWER)


@pytest.mark.parametrize("target", ["root_member", "ocm_member"])
def test_superusers_and_ocm_users_are_not_an_org_admins_to_manage(target, alice, request):
    membership = request.getfixturevalue(target)
    client = signed_in(alice)
    for name in ("member-edit", "member-deactivate"):
        url = reverse(f"organizations:{name}", args=[membership.public_id])
        assert client.get(url).status_code == 403
        assert client.post(url, {"role": "org_admin", "position": ""}).status_code == 403
    for name in ("member-unlock", "member-invite"):
        url = reverse(f"organizations:{name}", args=[membership.public_id])
        assert client.post(url).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    page = client.get(reverse("organizations:member-list")).content.decode()
    assert "Managed centrally" in page


def test_an_ocm_user_also_member_by_grant_is_managed_like_anyone(alice, olga, ocm_member):
    OCMAccess.objects.filter(user=olga).update(also_member=True)
    url = reverse("organizations:member-edit", args=[ocm_member.public_id])
    response = signed_in(alice).post(url, {"role": "editor", "position": ""})
    assert response.status_code == 302
    ocm_member.refresh_from_db()
    assert ocm_member.role == "editor"


def test_another_organizations_member_is_404(alice, charlie):
    membership = Membership.objects.get(user=charlie)
    client = signed_in(alice)
    url = reverse("organizations:member-deactivate", args=[membership.public_id])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- the last administrator ----------------------------------------------------------------------


def test_the_last_admin_cannot_demote_or_deactivate_themself(alice):
    membership = Membership.objects.get(user=alice)
    client = signed_in(alice)
    edit = reverse("organizations:member-edit", args=[membership.public_id])
    page = client.post(edit, {"role": "viewer", "position": ""}).content.decode()
    assert "you are the organization&#x27;s last administrator" in page
    deactivate = reverse("organizations:member-deactivate", args=[membership.public_id])
    page = client.post(deactivate, follow=True).content.decode()
    assert "last administrator" in page
    membership.refresh_from_db()
    assert membership.role == Role.ORG_ADMIN


def test_with_another_admin_one_may_step_down(alice, dave):
    dave_m = Membership.objects.get(user=dave)
    dave_m.role = Role.ORG_ADMIN
    dave_m.save()
    membership = Membership.objects.get(user=alice)
    client = signed_in(alice)
    edit = reverse("organizations:member-edit", args=[membership.public_id])
    assert client.post(edit, {"role": "approver", "position": ""}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.APPROVER
    # and now dave is the last one: alice (no longer admin) cannot touch him, dave cannot leave
    assert (
        client.get(reverse("organizations:member-edit", args=[dave_m.public_id])).status_code == 403
    )
    with pytest.raises(policies.MemberRefused, match="last administrator"):
        people.member_deactivate(actor=dave, membership=dave_m)


def test_an_admin_cannot_demote_the_last_other_admin_either(alice, root, org_a):
    """A superuser acting in the portal keeps the rule too: someone must administer."""
    membership = Membership.objects.get(user=alice)
    page = signed_in(root).post(
        reverse("organizations:member-edit", args=[membership.public_id]),
        {"role": "viewer", "position": ""},
    )
    assert "is the organization&#x27;s last administrator" in page.content.decode()


# --- deactivate and reactivate -------------------------------------------------------------------


def test_deactivate_asks_first_and_a_get_changes_nothing(alice, bob):
    membership = Membership.objects.get(user=bob)
    page = signed_in(alice).get(
        reverse("organizations:member-deactivate", args=[membership.public_id])
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Yes, deactivate" in text and "Cancel" in text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_deactivating_the_only_membership_switches_the_account_off_and_ends_sessions(
    alice, bob, org_a, dept_a
):
    bobs_browser = signed_in(bob)
    before = AuditLog.objects.create(
        actor=bob, actor_email=bob.email, action="x.done", subject_type="t"
    )
    membership = Membership.objects.get(user=bob)
    response = signed_in(alice).post(
        reverse("organizations:member-deactivate", args=[membership.public_id]), follow=True
    )
    assert "their account is switched off" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active and not Membership.objects.filter(user=bob).exists()
    former = FormerMembership.objects.get(user=bob)
    assert (former.public_id, former.role, former.department, former.account_deactivated) == (
        membership.public_id,
        "viewer",
        dept_a,
        True,
    )
    assert bobs_browser.get(reverse("home")).status_code == 302  # signed out
    assert AuditLog.objects.filter(pk=before.pk, actor_id=bob.pk).exists()  # history kept
    entry = AuditLog.objects.get(action="member.deactivated")
    assert entry.after == {"account_deactivated": True, "sessions_ended": 1}
    # a deactivated account gets no reset link and cannot sign in
    assert not can_sign_in(bob)


def test_a_person_with_another_membership_keeps_it_and_their_account(alice, charlie, org_a, org_b):
    in_a = MembershipFactory(user=charlie, organization=org_a, role=Role.EDITOR, is_primary=False)
    Membership.objects.filter(user=charlie, organization=org_b).update(is_primary=True)
    people.member_deactivate(actor=alice, membership=in_a)
    charlie.refresh_from_db()
    assert charlie.is_active
    assert list(Membership.objects.filter(user=charlie).values_list("organization", flat=True)) == [
        org_b.pk
    ]
    assert not FormerMembership.objects.get(user=charlie).account_deactivated


def test_the_primary_membership_moves_when_the_primary_one_is_deactivated(
    alice, charlie, org_a, org_b
):
    Membership.objects.filter(user=charlie).update(is_primary=False)
    in_a = MembershipFactory(user=charlie, organization=org_a, role=Role.EDITOR, is_primary=True)
    people.member_deactivate(actor=alice, membership=in_a)
    assert Membership.objects.get(user=charlie).is_primary


def test_an_ocm_also_member_keeps_ocm_access_and_account(alice, olga, ocm_member):
    OCMAccess.objects.filter(user=olga).update(also_member=True)
    people.member_deactivate(actor=alice, membership=Membership.objects.get(pk=ocm_member.pk))
    olga.refresh_from_db()
    assert olga.is_active and OCMAccess.objects.filter(user=olga, is_active=True).exists()


def test_reactivate_gives_back_role_department_account_and_public_id(alice, bob, dept_a):
    membership = Membership.objects.get(user=bob)
    membership.role = Role.EDITOR
    membership.save()
    people.member_deactivate(actor=alice, membership=membership)
    former = FormerMembership.objects.get(user=bob)
    client = signed_in(alice)
    listing = client.get(reverse("organizations:member-deactivated-list")).content.decode()
    assert bob.email in listing and "Reactivate" in listing
    response = client.post(
        reverse("organizations:member-reactivate", args=[former.public_id]), follow=True
    )
    assert "is a member again (Editor)" in response.content.decode()
    bob.refresh_from_db()
    again = Membership.objects.get(user=bob)
    assert bob.is_active and (again.public_id, again.role, again.department, again.is_primary) == (
        membership.public_id,
        Role.EDITOR,
        dept_a,
        True,
    )
    assert not FormerMembership.objects.filter(user=bob).exists()
    assert AuditLog.objects.filter(action="member.reactivated").count() == 1
    assert can_sign_in(bob)


def test_an_account_a_system_administrator_switched_off_is_not_revived(alice, bob):
    membership = Membership.objects.get(user=bob)
    people.member_deactivate(actor=alice, membership=membership)
    former = FormerMembership.objects.get(user=bob)
    FormerMembership.objects.filter(pk=former.pk).update(account_deactivated=False)
    response = signed_in(alice).post(
        reverse("organizations:member-reactivate", args=[former.public_id]), follow=True
    )
    assert "deactivated by a system administrator" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active and not Membership.objects.filter(user=bob).exists()


def test_reactivate_and_the_deactivated_list_are_for_admins_of_that_organization(
    alice, bob, carol, charlie
):
    people.member_deactivate(actor=alice, membership=Membership.objects.get(user=bob))
    former = FormerMembership.objects.get(user=bob)
    url = reverse("organizations:member-reactivate", args=[former.public_id])
    assert signed_in(carol).post(url).status_code == 403
    assert signed_in(charlie).post(url).status_code == 404
    assert signed_in(carol).get(reverse("organizations:member-deactivated-list")).status_code == 403
    assert FormerMembership.objects.filter(pk=former.pk).exists()


def test_a_former_member_is_reactivated_not_added_again(
    alice, bob, django_capture_on_commit_callbacks
):
    people.member_deactivate(actor=alice, membership=Membership.objects.get(user=bob))
    page = add(
        signed_in(alice), django_capture_on_commit_callbacks, email=bob.email
    ).content.decode()
    assert "reactivate them from the list of deactivated members" in page
    assert not JoinInvitation.objects.filter(user=bob).exists()


def test_no_invitation_is_resent_to_a_deactivated_account(
    alice, org_a, django_capture_on_commit_callbacks
):
    user = UserFactory(email="later@test.bmms", is_active=False)
    user.set_unusable_password()
    user.save()
    membership = MembershipFactory(user=user, organization=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(alice).post(
            reverse("organizations:member-invite", args=[membership.public_id]), follow=True
        )
    assert "account is deactivated; nothing was sent" in response.content.decode()
    assert mail.outbox == []


# --- the people page ----------------------------------------------------------------------------


def test_people_page_marks_locked_out_members_and_links_the_lockouts(alice, bob):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username=bob.email, ip_address="10.0.0.9", failures_since_start=5, user_agent="x"
    )
    page = signed_in(alice).get(reverse("organizations:member-list")).content.decode()
    assert "Locked out" in page and reverse("organizations:member-lockouts") in page
    assert "Add a member" in page and "Deactivate" in page


def test_viewers_see_the_people_list_without_actions(bob):
    page = signed_in(bob).get(reverse("organizations:member-list")).content.decode()
    assert "Add a member" not in page and "Deactivate" not in page


def test_ocm_access_rows_are_untouched_by_deactivation_of_others(alice, bob, olga):
    people.member_deactivate(actor=alice, membership=Membership.objects.get(user=bob))
    assert OCMAccessFactory._meta.model.objects.filter(user=olga).exists()
