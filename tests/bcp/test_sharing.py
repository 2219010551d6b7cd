"""Plans shared per object (issue 18 item 6): a grant opens exactly one plan with exactly its
rights, ends at its expiry (before the clean-up task runs), is revocable, audited, and never
opens anything else of the organization."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from waffle.models import Flag

from bcp import services
from bcp.models import PlanComment, PlanShare, PlanUserObjectPermission, Review
from bcp.services import sharing
from core import policies
from organizations.models import AuditLog
from tests.bcp.factories import make_plan
from tests.factories import OCMAccessFactory, UserFactory

pytestmark = pytest.mark.django_db

IN_30_DAYS = datetime.timedelta(days=30)


def _share(plan, grantee, right="view", actor=None, days=30):
    return sharing.share_grant(
        actor=actor or plan.organization.memberships.get(role="org_admin").user,
        plan=plan,
        grantee=grantee,
        right=right,
        last_day=timezone.localdate() + datetime.timedelta(days=days),
        reason="External audit",
    )


def _fresh(user):
    """The same user without the request's memo (a new request)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def other_plan(org_a, carol):
    return make_plan(org_a, carol, title="Records continuity plan")


@pytest.fixture
def shared(approved_plan, alice, sam):
    return sharing.share_grant(
        actor=alice,
        plan=approved_plan,
        grantee=sam,
        right="view",
        last_day=timezone.localdate() + IN_30_DAYS,
        reason="Peer review by MOLE",
    )


# --- what a grant opens -------------------------------------------------------------------------


def test_a_grant_opens_exactly_one_plan_with_exactly_its_right(
    shared, approved_plan, other_plan, sam, client
):
    assert policies.shared_rights(sam, approved_plan) == {"view"}
    assert policies.shared_rights(sam, other_plan) == frozenset()
    client.force_login(sam)
    page = client.get(reverse("bcp:shared-plan", args=[approved_plan.public_id]))
    assert page.status_code == 200
    assert approved_plan.title in page.text
    # The other plan of the same organization, and the plan's own member pages: 404.
    assert client.get(reverse("bcp:shared-plan", args=[other_plan.public_id])).status_code == 404
    for name in ("bcp:version-list", "bcp:plan-sharing", "bcp:plan-readiness", "bcp:plan-edit"):
        assert client.get(reverse(name, args=[approved_plan.public_id])).status_code == 404, name
    # The plan's own address sends sam to its shared page; the other plan's answers 404.
    detail = client.get(reverse("bcp:plan-detail", args=[approved_plan.public_id]))
    assert detail.status_code == 302
    assert detail["Location"] == reverse("bcp:shared-plan", args=[approved_plan.public_id])
    assert client.get(reverse("bcp:plan-detail", args=[other_plan.public_id])).status_code == 404
    active = approved_plan.current_version
    assert client.get(reverse("bcp:version-detail", args=[active.public_id])).status_code == 404
    # "view" is not "comment": the comment is refused and nothing is stored.
    response = client.post(
        reverse("bcp:plan-comment", args=[approved_plan.public_id]), {"body": "Looks fine"}
    )
    assert response.status_code == 403
    assert not PlanComment.objects.exists()


def test_guardian_carries_the_permissions_of_the_right(shared, approved_plan, sam):
    codenames = set(
        PlanUserObjectPermission.objects.filter(user=sam, content_object=approved_plan).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"view_plan"}
    assert sam.has_perm("bcp.view_plan", approved_plan)
    assert not sam.has_perm("bcp.comment_plan", approved_plan)


def test_a_comment_grant_comments_and_the_organization_sees_it(approved_plan, alice, sam, client):
    _share(approved_plan, sam, "comment", actor=alice)
    client.force_login(sam)
    response = client.post(
        reverse("bcp:plan-comment", args=[approved_plan.public_id]), {"body": "Add a generator"}
    )
    assert response.status_code == 302
    comment = PlanComment.objects.get()
    assert (comment.author, comment.body, comment.version) == (
        sam,
        "Add a generator",
        approved_plan.current_version,
    )
    assert AuditLog.objects.filter(action="bcp.comment.added", actor=sam).exists()


def test_the_grant_ends_at_its_expiry_before_the_clean_up_runs(shared, approved_plan, sam, client):
    PlanShare.objects.filter(pk=shared.pk).update(
        granted_at=timezone.now() - IN_30_DAYS,
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    # The guardian row is still there, the grant is not revoked: still nothing opens.
    assert PlanUserObjectPermission.objects.filter(user=sam).exists()
    assert policies.shared_rights(_fresh(sam), approved_plan) == frozenset()
    client.force_login(sam)
    url = reverse("bcp:shared-plan", args=[approved_plan.public_id])
    assert client.get(url).status_code == 404
    assert approved_plan.title not in client.get(reverse("bcp:shared-list")).text
    # The beat task tidies up: permissions removed, grant ended as expired, audited; once.
    assert sharing.shares_expire() == 1
    assert sharing.shares_expire() == 0
    shared.refresh_from_db()
    assert shared.end_reason == "expired" and shared.revoked_by is None
    assert not PlanUserObjectPermission.objects.filter(user=sam).exists()
    assert AuditLog.objects.filter(action="bcp.share.expired").count() == 1


def test_the_last_day_is_included(approved_plan, alice, sam):
    share = _share(approved_plan, sam, actor=alice, days=0)
    assert share.expires_at == sharing.expiry_moment(timezone.localdate())
    assert sharing.last_day_of(share) == timezone.localdate()
    assert policies.shared_rights(sam, approved_plan) == {"view"}


@pytest.mark.parametrize(("days", "message"), [(-1, "past"), (366, "at most a year")])
def test_the_expiry_is_today_to_a_year(approved_plan, alice, sam, days, message):
    with pytest.raises(ValidationError, match=message):
        _share(approved_plan, sam, actor=alice, days=days)


# --- revocation --------------------------------------------------------------------------------


def test_revocation_ends_access_at_once_and_is_audited(shared, approved_plan, alice, sam, client):
    client.force_login(alice)
    url = reverse("bcp:share-revoke", args=[shared.public_id])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "will no longer be able to open" in confirm.text
    shared.refresh_from_db()
    assert shared.revoked_at is None  # the confirmation page changed nothing
    assert client.post(url).status_code == 302
    shared.refresh_from_db()
    assert (shared.end_reason, shared.revoked_by) == ("revoked", alice)
    assert policies.shared_rights(_fresh(sam), approved_plan) == frozenset()
    assert not PlanUserObjectPermission.objects.filter(user=sam).exists()
    entry = AuditLog.objects.get(action="bcp.share.revoked")
    assert entry.organization_id == approved_plan.organization_id
    assert entry.before["grantee"] == sam.email
    sam_client = client.__class__()
    sam_client.force_login(sam)
    shared_url = reverse("bcp:shared-plan", args=[approved_plan.public_id])
    assert sam_client.get(shared_url).status_code == 404
    # The plan's sharing page shows the ended grant with who ended it.
    page = client.get(reverse("bcp:plan-sharing", args=[approved_plan.public_id]))
    assert "Ended grants" in page.text and "Revoked" in page.text


def test_sharing_again_replaces_the_grant(shared, approved_plan, alice, sam):
    new = _share(approved_plan, sam, "comment", actor=alice, days=60)
    shared.refresh_from_db()
    assert shared.end_reason == "replaced"
    assert policies.shared_rights(_fresh(sam), approved_plan) == {"view", "comment"}
    assert PlanShare.objects.filter(revoked_at__isnull=True).get() == new


# --- who may share, with whom ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "carol", "charlie", "olga", "sam"])
def test_only_the_organizations_bcm_coordinators_share(approved_plan, personas, who, sam, dave):
    grantee = UserFactory(email="auditor@coa.test")
    with pytest.raises(PermissionDenied):
        sharing.share_grant(
            actor=personas[who],
            plan=approved_plan,
            grantee=grantee,
            right="review",
            last_day=timezone.localdate() + IN_30_DAYS,
            reason="x",
        )
    # An approver may (dave), as may an org admin (the fixtures above use alice).
    assert _share(approved_plan, grantee, actor=dave).granted_by == dave


def test_a_shared_reviewer_cannot_reshare(approved_plan, alice, sam):
    _share(approved_plan, sam, "review", actor=alice)
    assert not policies.may_share(sam, approved_plan)


def test_grantees_are_outsiders_with_a_working_account(approved_plan, alice, bob, olga, root):
    inactive = UserFactory(email="gone@test.bmms", is_active=False)
    for grantee, message in [
        (bob, "is a member of"),
        (olga, "OCM read-only"),
        (root, "system administrator"),
        (inactive, "active account"),
    ]:
        with pytest.raises(ValidationError, match=message):
            _share(approved_plan, grantee, "review", actor=alice)
    assert not PlanShare.objects.exists()


def test_an_ocm_user_holding_a_grant_still_writes_nothing(approved_plan, alice, client):
    """Sharing with OCM to get write access: refused when granting, and the read-only guard
    answers 403 to every write anyway."""
    analyst = UserFactory(email="analyst@ocm.test")
    OCMAccessFactory(user=analyst)
    with pytest.raises(ValidationError):
        _share(approved_plan, analyst, "comment", actor=alice)
    client.force_login(analyst)
    url = reverse("bcp:plan-comment", args=[approved_plan.public_id])
    assert client.post(url, {"body": "hi"}).status_code == 403


def test_a_module_off_for_the_plans_organization_closes_the_grant(
    shared, approved_plan, org_a, sam, client
):
    Flag.objects.get(name="module.bcp").scope.excluded_organizations.add(org_a)
    client.force_login(sam)
    url = reverse("bcp:shared-plan", args=[approved_plan.public_id])
    assert client.get(url).status_code == 404


def test_the_sharing_page_lists_grants_to_members(shared, approved_plan, bob, client):
    client.force_login(bob)
    page = client.get(reverse("bcp:plan-sharing", args=[approved_plan.public_id]))
    assert page.status_code == 200
    assert "sam@test.bmms" in page.text and "Peer review by MOLE" in page.text
    assert "End access" not in page.text  # a viewer sees, does not manage
    assert (
        client.post(reverse("bcp:plan-sharing", args=[approved_plan.public_id])).status_code == 403
    )


def test_sharing_through_the_page(approved_plan, alice, sam, client):
    client.force_login(alice)
    url = reverse("bcp:plan-sharing", args=[approved_plan.public_id])
    form = client.get(url)
    default = (timezone.localdate() + datetime.timedelta(days=sharing.DEFAULT_DAYS)).isoformat()
    assert default in form.text
    response = client.post(
        url,
        {"email": "SAM@test.bmms", "right": "comment", "last_day": default, "reason": "Audit"},
    )
    assert response.status_code == 302
    share = PlanShare.objects.get()
    assert (share.grantee, share.right, share.granted_by) == (sam, "comment", alice)
    entry = AuditLog.objects.get(action="bcp.share.granted")
    assert entry.after["right"] == "comment"
    unknown = client.post(
        url, {"email": "nobody@x.test", "right": "view", "last_day": default, "reason": "A"}
    )
    assert "No active portal account" in unknown.text


# --- shared reviewers ---------------------------------------------------------------------------


def _submit(plan, carol, reviewers):
    version = services.version_create_draft(
        actor=carol, plan=plan, content=plan.current_version.content, change_note="2027"
    )
    return services.version_submit_for_review(actor=carol, version=version, reviewers=reviewers)


def test_a_shared_reviewer_can_be_asked_and_decide(approved_plan, alice, carol, dave, sam, client):
    draft = services.version_create_draft(
        actor=carol,
        plan=approved_plan,
        content=approved_plan.current_version.content,
        change_note="",
    )
    assert sam not in policies.reviewer_choices(draft, submitter=carol).eligible
    _share(approved_plan, sam, "comment", actor=alice)
    assert sam not in policies.reviewer_choices(draft, submitter=carol).eligible
    _share(approved_plan, sam, "review", actor=alice)
    assert sam in policies.reviewer_choices(draft, submitter=carol).eligible
    reviews = services.version_submit_for_review(actor=carol, version=draft, reviewers=[dave, sam])
    sam_review = next(r for r in reviews if r.reviewer == sam)
    client.force_login(sam)
    listing = client.get(reverse("bcp:shared-list"))
    assert reverse("bcp:shared-review", args=[sam_review.public_id]) in listing.text
    url = reverse("bcp:shared-review", args=[sam_review.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approved", "notes": "Sound"})
    assert response.status_code == 302
    sam_review.refresh_from_db()
    assert sam_review.status == Review.Status.APPROVED


def test_a_reviewer_without_a_review_grant_cannot_be_asked(approved_plan, alice, carol, sam):
    _share(approved_plan, sam, "comment", actor=alice)
    with pytest.raises(ValidationError, match="nor shared the plan for review"):
        _submit(approved_plan, carol, [sam])


def test_revoking_withdraws_the_shared_reviewers_pending_review(
    approved_plan, alice, carol, dave, sam
):
    share = _share(approved_plan, sam, "review", actor=alice)
    reviews = _submit(approved_plan, carol, [dave, sam])
    sam_review = next(r for r in reviews if r.reviewer == sam)
    sharing.share_revoke(actor=alice, share=share)
    sam_review.refresh_from_db()
    assert sam_review.status == Review.Status.WITHDRAWN
    with pytest.raises((PermissionDenied, ValidationError)):
        services.review_decide(actor=_fresh(sam), review=sam_review, decision="approved")


def test_an_expired_review_grant_cannot_decide(approved_plan, alice, carol, dave, sam):
    share = _share(approved_plan, sam, "review", actor=alice)
    reviews = _submit(approved_plan, carol, [dave, sam])
    sam_review = next(r for r in reviews if r.reviewer == sam)
    PlanShare.objects.filter(pk=share.pk).update(
        granted_at=timezone.now() - IN_30_DAYS, expires_at=timezone.now()
    )
    with pytest.raises(PermissionDenied):
        services.review_decide(actor=_fresh(sam), review=sam_review, decision="approved")
    sam_review.refresh_from_db()
    assert sam_review.status == Review.Status.PENDING


def test_segregation_of_duties_applies_to_shared_reviewers(org_a, alice, carol, dave, sam):
    """Someone who contributed to a version cannot review it, grant or not: a plan approved
    with sam's help (sam was once a member and edited it) cannot be reviewed by sam."""
    from organizations.models import Membership

    membership = Membership.objects.create(user=sam, organization=org_a, role="editor")
    plan = make_plan(org_a, sam, title="Plan sam drafted")
    membership.delete()
    sam = _fresh(sam)
    share = _share(plan, sam, "review", actor=alice)
    assert share.right == "review"
    draft = plan.versions.get(status="draft")
    choices = policies.reviewer_choices(draft, submitter=carol)
    assert sam not in choices.eligible and sam in choices.excluded
    with pytest.raises(policies.SegregationOfDuties):
        services.version_submit_for_review(actor=carol, version=draft, reviewers=[sam])
