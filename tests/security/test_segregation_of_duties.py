"""Segregation of duties: nobody approves, reviews or is asked to review what they contributed
to or submitted (issue 16, class 1), in BC plans, strategic plans (with their work plans) and
budget proposals. Each module's version of the insider scenario is refused, and a genuine second
person can still approve.

Personas: carol (editor) drafts, dave (approver) is the insider, alice (org admin) is the second
person.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bcp import services as bcp
from bcp.models import PlanVersion, Review
from budgeting import services as budgeting
from budgeting.models import BudgetProposal
from planning import services as planning
from planning.models import StrategicPlan
from tests.bcp.factories import approve_plan, full_content, make_plan

pytestmark = pytest.mark.django_db

#: The one message names the rule.
RULE = "nobody approves or reviews what they contributed to (segregation of duties)"


def _rule(noun: str, who: str = "You") -> str:
    return (
        f"{who} contributed to or submitted this {noun}, so someone else must decide on it: {RULE}."
    )


# --- BC plans ------------------------------------------------------------------------------------


def _rewrite(version: PlanVersion, actor) -> None:
    version.refresh_from_db()
    bcp.version_update_draft(
        actor=actor,
        version=version,
        content=full_content(version.plan.template, " Rewritten."),
        change_note="Rewritten",
        expected_revision=version.revision,
    )


def test_bcp_an_approver_who_rewrote_the_draft_cannot_review_it_alone(org_a, carol, dave, alice):
    plan = make_plan(org_a, carol)
    version = plan.versions.get()
    _rewrite(version, dave)
    with pytest.raises(PermissionDenied, match=re.escape(RULE)):
        bcp.version_submit_for_review(actor=dave, version=version, reviewers=[dave])
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.DRAFT and not version.reviews.exists()
    # Nor when the author sends it: dave contributed.
    with pytest.raises(PermissionDenied, match=re.escape(RULE)):
        bcp.version_submit_for_review(actor=carol, version=version, reviewers=[alice, dave])
    assert not version.reviews.exists()
    # A genuine second person still approves it.
    (review,) = bcp.version_submit_for_review(actor=dave, version=version, reviewers=[alice])
    bcp.review_decide(actor=alice, review=review, decision=Review.Status.APPROVED)
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.ACTIVE


def test_bcp_a_reviewer_who_edits_during_the_review_cannot_approve(org_a, carol, dave, alice):
    plan = make_plan(org_a, carol)
    version = plan.versions.get()
    dave_review, alice_review = bcp.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    bcp.risk_create(actor=dave, plan=plan, threat="Flood", likelihood=3, impact=4)
    with pytest.raises(PermissionDenied, match=re.escape(RULE)):
        bcp.review_decide(actor=dave, review=dave_review, decision=Review.Status.APPROVED)
    dave_review.refresh_from_db()
    version.refresh_from_db()
    assert dave_review.status == Review.Status.PENDING
    assert version.status == PlanVersion.Status.IN_REVIEW


def test_bcp_the_submitter_cannot_be_a_reviewer(org_a, alice, dave, carol):
    plan = make_plan(org_a, carol)
    with pytest.raises(PermissionDenied, match=re.escape(RULE)):
        bcp.version_submit_for_review(actor=dave, version=plan.versions.get(), reviewers=[dave])


def test_bcp_register_changes_count_until_the_plan_is_next_approved(org_a, carol, dave, alice):
    plan = make_plan(org_a, carol)
    bcp.risk_create(actor=dave, plan=plan, threat="Flood", likelihood=3, impact=4)
    with pytest.raises(PermissionDenied, match=re.escape(RULE)):
        bcp.version_submit_for_review(actor=carol, version=plan.versions.get(), reviewers=[dave])
    approve_plan(plan, carol, [alice])
    # Alice decided on dave's risk; the next version is new content dave may review.
    v2 = bcp.version_create_draft(
        actor=carol, plan=plan, content=full_content(plan.template, " v2"), change_note="v2"
    )
    (review,) = bcp.version_submit_for_review(actor=carol, version=v2, reviewers=[dave])
    bcp.review_decide(actor=dave, review=review, decision=Review.Status.APPROVED)
    v2.refresh_from_db()
    assert v2.status == PlanVersion.Status.ACTIVE


def test_bcp_reviewer_choices_leave_out_contributors_and_say_why(org_a, carol, dave, alice, client):
    plan = make_plan(org_a, carol)
    version = plan.versions.get()
    _rewrite(version, dave)
    client.force_login(carol)
    url = reverse("bcp:version-submit", args=[version.public_id])
    page = client.get(url).content.decode()
    assert f'value="{alice.pk}"' in page and f'value="{dave.pk}"' not in page
    assert RULE in page and f"Not listed for that reason: {dave}." in page
    # Posting dave anyway is refused with a plain message; nothing is sent.
    page = client.post(url, {"reviewers": [dave.pk]}).content.decode()
    assert "Someone you chose can no longer review this version" in page
    assert not version.reviews.exists()


def test_bcp_a_contributing_reviewer_sees_the_rule_on_a_403(org_a, carol, dave, alice, client):
    plan = make_plan(org_a, carol)
    version = plan.versions.get()
    (review,) = bcp.version_submit_for_review(actor=carol, version=version, reviewers=[dave])
    bcp.contact_create(actor=dave, plan=plan, name="Omar Sema", role="Alternate", phone="+63 1")
    client.force_login(dave)
    url = reverse("bcp:review-decide", args=[review.public_id])
    for response in (client.get(url), client.post(url, {"decision": "approved"})):
        assert response.status_code == 403
        assert _rule("BC plan version") in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


# --- strategic plans and work plans ---------------------------------------------------------------


@pytest.fixture
def strategic_plan(org_a, carol):
    plan = planning.plan_create(
        actor=carol, organization=org_a, title="Health 2025–2028", start_year=2025, end_year=2028
    )
    planning.goal_create(
        actor=carol, plan=plan, title="Coverage", target_metric="%", target_value=Decimal("80")
    )
    return plan


def _edit_vision(plan, dave):
    plan.refresh_from_db()
    planning.plan_update(
        actor=dave,
        plan=plan,
        revision=plan.revision,
        title=plan.title,
        start_year=plan.start_year,
        end_year=plan.end_year,
        vision="Dave's vision",
        mission=plan.mission,
    )


def _add_goal(plan, dave):
    planning.goal_create(
        actor=dave, plan=plan, title="Dave's goal", target_metric="%", target_value=Decimal("9")
    )


def _add_objective(plan, dave):
    work_plan = planning.work_plan_create(actor=dave, plan=plan, year=2025, title="2025")
    planning.objective_create(
        actor=dave,
        work_plan=work_plan,
        goal=plan.goals.get(),
        title="Reach 20 facilities",
        indicator="Facilities",
        target_value=Decimal("20"),
    )


@pytest.mark.parametrize("contribute", [_edit_vision, _add_goal, _add_objective])
def test_planning_an_approver_who_contributed_cannot_approve(
    strategic_plan, dave, alice, contribute
):
    contribute(strategic_plan, dave)
    with pytest.raises(PermissionDenied, match=re.escape(RULE)):
        planning.plan_transition(actor=dave, plan=strategic_plan, action="approve")
    strategic_plan.refresh_from_db()
    assert strategic_plan.status == StrategicPlan.Status.DRAFT
    approved = planning.plan_transition(actor=alice, plan=strategic_plan, action="approve")
    assert approved.status == StrategicPlan.Status.APPROVED and approved.approved_by == alice


def test_planning_pages_say_why_and_refuse_with_403(strategic_plan, dave, client):
    _edit_vision(strategic_plan, dave)
    client.force_login(dave)
    detail = client.get(reverse("planning:plan-detail", args=[strategic_plan.public_id]))
    assert _rule("strategic plan") in detail.content.decode()
    url = reverse("planning:plan-transition", args=[strategic_plan.public_id, "approve"])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        assert _rule("strategic plan") in response.content.decode()
    strategic_plan.refresh_from_db()
    assert strategic_plan.status == StrategicPlan.Status.DRAFT


# --- budget proposals ----------------------------------------------------------------------------


@pytest.fixture
def proposal_with_program(org_a, carol):
    proposal = budgeting.proposal_create(
        actor=carol, organization=org_a, fiscal_year=2027, title="FY 2027"
    )
    program = budgeting.program_create(
        actor=carol, proposal=proposal, name="Immunization", requested_amount=Decimal("10000")
    )
    return proposal, program


def test_budgeting_an_approver_who_costed_a_line_cannot_decide(
    proposal_with_program, carol, dave, alice
):
    proposal, program = proposal_with_program
    budgeting.line_item_create(
        actor=dave,
        program=program,
        expense_class="MOOE",
        description="Vaccines",
        unit_cost=Decimal("10000"),
        quantity=1,
    )
    budgeting.proposal_submit(actor=carol, proposal=proposal)
    for decide in (
        lambda: budgeting.proposal_start_review(actor=dave, proposal=proposal),
        lambda: budgeting.proposal_approve(actor=dave, proposal=proposal, approved_amounts={}),
        lambda: budgeting.proposal_return(actor=dave, proposal=proposal, reason="Mine"),
    ):
        with pytest.raises(PermissionDenied, match=re.escape(RULE)):
            decide()
    proposal.refresh_from_db()
    assert proposal.status == BudgetProposal.Status.SUBMITTED
    budgeting.proposal_approve(actor=alice, proposal=proposal, approved_amounts={})
    proposal.refresh_from_db()
    assert proposal.status == BudgetProposal.Status.APPROVED and proposal.approved_by == alice


def test_budgeting_a_program_editor_sees_the_rule_and_a_403(
    proposal_with_program, carol, dave, client
):
    proposal, program = proposal_with_program
    budgeting.program_update(actor=dave, program=program, description="Dave's wording")
    budgeting.line_item_create(
        actor=carol,
        program=program,
        expense_class="MOOE",
        description="Vaccines",
        unit_cost=Decimal("10000"),
        quantity=1,
    )
    budgeting.proposal_submit(actor=carol, proposal=proposal)
    client.force_login(dave)
    detail = client.get(reverse("budgeting:proposal-detail", args=[proposal.public_id]))
    page = detail.content.decode()
    assert _rule("budget proposal") in page
    assert reverse("budgeting:proposal-approve", args=[proposal.public_id]) not in page
    for name in ("budgeting:proposal-approve", "budgeting:proposal-return"):
        url = reverse(name, args=[proposal.public_id])
        for response in (client.get(url), client.post(url, {"reason": "Mine"})):
            assert response.status_code == 403
            assert _rule("budget proposal") in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == BudgetProposal.Status.SUBMITTED
