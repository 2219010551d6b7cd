"""The policy layer (core/policies/): each rule, who may and who may not, including
OCM, viewers and another organization's members. No query is needed to ask a permissions
object once the objects are loaded (the tenancy profile is cached on the user)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coordination.models import ParticipantState, Partnership
from core import policies
from core.policies.ocm import has_ocm_level, ocm_level_of
from core.tenancy import Role
from organizations.models import Contribution
from tests.budgeting.factories import (
    ApprovedProposalFactory,
    BudgetProposalFactory,
    ProgramBudgetFactory,
)
from tests.coordination.factories import MilestoneFactory, ParticipantFactory, PartnershipFactory
from tests.factories import MembershipFactory, OCMAccessFactory, UserFactory
from tests.planning.factories import AnnualWorkPlanFactory, StrategicPlanFactory

pytestmark = pytest.mark.django_db


# --- base: the role ladder asked of one object -------------------------------------------------


def test_roles_allowing_follows_the_ladder():
    assert policies.roles_allowing("view") == [
        Role.VIEWER,
        Role.EDITOR,
        Role.APPROVER,
        Role.ORG_ADMIN,
    ]
    assert policies.roles_allowing("change") == [Role.EDITOR, Role.APPROVER, Role.ORG_ADMIN]
    assert policies.roles_allowing("approve") == [Role.APPROVER, Role.ORG_ADMIN]
    assert policies.roles_allowing("admin") == [Role.ORG_ADMIN]


def test_members_who_may_approve_are_the_organizations_active_approvers(personas, org_a):
    gone = UserFactory(email="gone@test.bmms", is_active=False)
    MembershipFactory(user=gone, organization=org_a, role=Role.APPROVER)
    approvers = set(policies.members_who_may(org_a.pk, "approve"))
    assert approvers == {personas["alice"], personas["dave"]}
    editors = set(policies.members_who_may(org_a.pk, "change"))
    assert editors == {personas["alice"], personas["carol"], personas["dave"]}


def test_read_only_and_oversight(personas):
    assert policies.is_read_only(personas["olga"])
    assert not policies.is_read_only(personas["root"])
    assert not policies.is_read_only(personas["carol"])
    assert policies.is_oversight(personas["olga"]) and policies.is_oversight(personas["root"])
    assert not policies.is_oversight(personas["alice"])


def test_an_ocm_user_given_a_membership_without_the_grant_still_writes_nothing(olga, org_a):
    MembershipFactory(user=olga, organization=org_a, role=Role.ORG_ADMIN)
    assert policies.is_read_only(olga)
    assert not policies.may(olga, org_a.pk, "change")
    assert not policies.is_approver(olga, org_a.pk)
    assert policies.may(olga, org_a.pk, "view")


# --- planning ------------------------------------------------------------------------------------


def test_plan_permissions_by_persona(personas, org_a):
    plan = StrategicPlanFactory(organization=org_a, created_by=personas["carol"])
    perms = {name: policies.plan_permissions(user, plan) for name, user in personas.items()}
    assert perms["carol"] == policies.PlanPermissions(True, True, False, None)
    assert perms["dave"] == policies.PlanPermissions(True, True, True, None)
    assert perms["alice"].can_approve and perms["alice"].approve_refusal is None
    for reader in ("bob", "charlie", "olga"):
        assert perms[reader] == policies.PlanPermissions(False, False, False, None), reader
    assert perms["root"].can_edit and perms["root"].can_approve


def test_plan_permissions_follow_the_plans_state(carol, dave, org_a):
    plan = StrategicPlanFactory(organization=org_a, status="active")
    perms = policies.plan_permissions(carol, plan)
    assert not perms.can_edit and perms.can_track
    plan.status = "archived"
    assert not policies.plan_permissions(carol, plan).can_track
    assert policies.plan_permissions(dave, plan).approve_refusal is None  # only drafts


def test_an_approver_who_wrote_the_draft_is_told_why_they_may_not_approve(dave, alice, org_a):
    plan = StrategicPlanFactory(organization=org_a, created_by=dave)
    refusal = policies.plan_permissions(dave, plan).approve_refusal
    assert refusal == policies.segregation_message("You", "strategic plan")
    assert policies.plan_permissions(alice, plan).approve_refusal is None
    assert not policies.may_decide(dave, plan) and policies.may_decide(alice, plan)


def test_work_plan_objectives_are_tracked_by_editors_until_archived(carol, bob, org_a):
    work_plan = AnnualWorkPlanFactory(plan__organization=org_a, plan__status="active")
    assert policies.work_plan_permissions(carol, work_plan).can_edit
    assert not policies.work_plan_permissions(bob, work_plan).can_edit
    work_plan.plan.status = "archived"
    assert not policies.work_plan_permissions(carol, work_plan).can_edit


def test_who_may_create_plans(carol, bob, charlie, olga, org_a):
    assert policies.may_create_plan(carol, org_a)
    assert not policies.may_create_plan(bob, org_a)
    assert not policies.may_create_plan(charlie, org_a)
    assert not policies.may_create_plan(olga, org_a)
    assert not policies.may_create_plan(carol, None)


# --- budgeting -----------------------------------------------------------------------------------


def test_proposal_permissions_by_persona(personas, org_a):
    proposal = BudgetProposalFactory(organization=org_a, created_by=personas["carol"])
    carol = policies.proposal_permissions(personas["carol"], proposal)
    assert carol.can_edit and not carol.can_decide and not carol.can_execute
    for reader in ("bob", "charlie", "olga"):
        assert not policies.proposal_permissions(personas[reader], proposal).can_edit, reader
    proposal.status = proposal.Status.SUBMITTED
    dave = policies.proposal_permissions(personas["dave"], proposal)
    assert dave.can_decide and dave.decide_refusal is None and not dave.can_edit
    for nobody in ("bob", "carol", "charlie", "olga"):
        assert not policies.proposal_permissions(personas[nobody], proposal).can_decide, nobody


def test_a_contributor_to_a_proposal_may_not_decide_on_it(dave, alice, org_a):
    proposal = BudgetProposalFactory(organization=org_a, status="submitted")
    Contribution.objects.create(
        subject_type="budgeting.budgetproposal",
        subject_id=proposal.pk,
        user=dave,
        first_at=timezone.now(),
        last_at=timezone.now(),
    )
    perms = policies.proposal_permissions(dave, proposal)
    assert not perms.can_decide
    assert perms.decide_refusal == policies.segregation_message("You", "budget proposal")
    assert policies.proposal_permissions(alice, proposal).can_decide


def test_ledger_permissions(personas, org_a):
    program = ProgramBudgetFactory(proposal=ApprovedProposalFactory(organization=org_a))
    ledger = {name: policies.ledger_permissions(u, program) for name, u in personas.items()}
    assert ledger["dave"] == policies.LedgerPermissions(True, True, True)
    assert ledger["carol"] == policies.LedgerPermissions(False, True, False)
    for reader in ("bob", "charlie", "olga"):
        assert ledger[reader] == policies.LedgerPermissions(False, False, False), reader
    draft = ProgramBudgetFactory(proposal=BudgetProposalFactory(organization=org_a))
    assert not policies.ledger_permissions(personas["dave"], draft).can_release


def test_only_approvers_close_a_year_that_is_over(dave, carol, org_a):
    today = timezone.localdate()
    assert policies.may_close_year(dave, org_a, today.year - 1, today)
    assert not policies.may_close_year(dave, org_a, today.year, today)
    assert not policies.may_close_year(carol, org_a, today.year - 1, today)


# --- coordination --------------------------------------------------------------------------------


@pytest.fixture
def org_b_admin(org_b):
    user = UserFactory(email="bea@test.bmms")
    MembershipFactory(user=user, organization=org_b, role=Role.ORG_ADMIN)
    return user


def _sees(user, partnership, *, include_invitations=True) -> bool:
    scope = Partnership.objects.for_user(user, include_invitations=include_invitations)
    return scope.filter(pk=partnership.pk).exists()


def test_partnership_visibility_one_rule_in_both_forms(personas, org_a, org_b, org_b_admin):
    """`sees_work` (one object) and `partnership_scope` (the queryset) say the same for everyone,
    before and after the invited organization accepts, shared with the OCM or not."""
    everyone = {**personas, "bea": org_b_admin}
    partnership = PartnershipFactory(organization=org_a, visible_to_ocm=False)
    participant = ParticipantFactory(partnership=partnership, organization=org_b)
    for shared in (False, True):
        partnership.visible_to_ocm = shared
        partnership.save()
        for state in (ParticipantState.INVITED, ParticipantState.ACCEPTED):
            participant.state = state
            participant.save()
            accepted = {org_b.pk} if state == ParticipantState.ACCEPTED else set()
            for name, user in everyone.items():
                assert policies.sees_work(user, partnership, accepted) == _sees(
                    user, partnership, include_invitations=False
                ), (name, shared, state)


def test_who_sees_a_partnership_and_its_work(personas, org_a, org_b, org_b_admin):
    partnership = PartnershipFactory(organization=org_a, visible_to_ocm=False)
    ParticipantFactory(partnership=partnership, organization=org_b)
    assert _sees(personas["bob"], partnership)  # a viewer of the lead
    assert _sees(org_b_admin, partnership)  # to answer the invitation...
    assert not policies.sees_work(org_b_admin, partnership, set())  # ...not the work
    assert not _sees(personas["charlie"], partnership)  # invited, not an admin
    assert not _sees(personas["olga"], partnership)  # not shared with the OCM
    assert _sees(personas["root"], partnership)
    assert list(policies.shared_with_ocm(Partnership.objects.all())) == []
    partnership.visible_to_ocm = True
    partnership.save()
    assert _sees(personas["olga"], partnership)
    assert list(policies.shared_with_ocm(Partnership.objects.all())) == [partnership]


def test_who_writes_for_which_organization(personas, org_a, org_b, olga):
    partnership = PartnershipFactory(organization=org_a)
    accepted = {org_b.pk}
    assert policies.contributing_organization(personas["carol"], partnership, accepted) == org_a.pk
    assert policies.contributing_organization(personas["charlie"], partnership, accepted) == (
        org_b.pk
    )
    assert policies.contributing_organization(personas["charlie"], partnership, set()) is None
    assert policies.contributing_organization(personas["bob"], partnership, accepted) is None
    assert policies.contributing_organization(olga, partnership, accepted) is None
    # The OCM rule is explicit: a membership without the superuser's grant gives no voice.
    MembershipFactory(user=olga, organization=org_a, role=Role.EDITOR)
    assert policies.contributing_organization(olga, partnership, accepted) is None
    ours = MilestoneFactory(partnership=partnership, responsible_organization=org_b)
    theirs = MilestoneFactory(partnership=partnership, responsible_organization=org_a)
    assert policies.may_update_milestone(personas["charlie"], ours, accepted)
    assert not policies.may_update_milestone(personas["charlie"], theirs, accepted)
    assert not policies.may_update_milestone(personas["charlie"], ours, set())
    assert policies.may_update_milestone(personas["carol"], ours, accepted)
    assert not policies.may_update_milestone(olga, ours, accepted)


def test_partnership_permissions(personas, org_a, org_b, org_b_admin):
    partnership = PartnershipFactory(organization=org_a, visible_to_ocm=True)
    invited = ParticipantFactory(partnership=partnership, organization=org_b)
    participants = [invited]
    carol = policies.partnership_permissions(personas["carol"], partnership, participants, set())
    assert carol.can_edit and carol.sees_work and carol.can_comment and carol.answerable == ()
    bob = policies.partnership_permissions(personas["bob"], partnership, participants, set())
    assert not bob.can_edit and bob.sees_work and not bob.can_comment
    bea = policies.partnership_permissions(org_b_admin, partnership, participants, set())
    assert bea.answerable == (invited,) and not bea.sees_work and not bea.can_comment
    olga = policies.partnership_permissions(personas["olga"], partnership, participants, set())
    assert olga.sees_work and not olga.can_comment and not olga.can_edit
    assert olga.answerable == ()


# --- members and OCM levels ----------------------------------------------------------------------


def test_who_sees_and_manages_an_organizations_people(personas, org_a):
    assert policies.may_manage_members(personas["alice"], org_a)
    assert policies.may_manage_members(personas["root"], org_a)
    for nobody in ("bob", "carol", "dave", "charlie", "olga"):
        assert not policies.may_manage_members(personas[nobody], org_a), nobody
    assert policies.may_see_members(personas["bob"], org_a)
    assert policies.may_see_members(personas["olga"], org_a)
    assert not policies.may_see_members(personas["charlie"], org_a)


def test_ocm_levels(olga, root, carol):
    assert ocm_level_of(olga) == "analyst" and ocm_level_of(root) == "executive"
    assert ocm_level_of(carol) is None
    assert has_ocm_level("analyst", "viewer") and has_ocm_level("analyst", "analyst")
    assert not has_ocm_level("analyst", "executive") and not has_ocm_level(None, "viewer")
    viewer = UserFactory(email="vic@test.bmms")
    OCMAccessFactory(user=viewer, level="viewer")
    assert ocm_level_of(viewer) == "viewer"
