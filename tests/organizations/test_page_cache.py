"""Cached list fragments ({% cache %} under version tokens): a write shows on the very next
request, a write elsewhere leaves other organizations' fragments alone, and readers with other
rights never get each other's fragment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from budgeting import services as budget_services
from coordination.models import ParticipantState
from core import versioned_cache
from planning import services as planning_services
from planning.models import StrategicGoal
from tests.coordination.factories import ParticipantFactory, PartnershipFactory
from tests.factories import MembershipFactory, UserFactory
from tests.planning.factories import StrategicGoalFactory, StrategicPlanFactory

pytestmark = pytest.mark.django_db


def planning_token(org) -> str:
    return versioned_cache.current_version(
        versioned_cache.organization_namespace("planning", org.pk)
    )


def test_plan_list_shows_a_saved_goal_at_once(org_a, carol, client):
    plan = StrategicPlanFactory(organization=org_a, title="Health plan")
    goal = StrategicGoalFactory(
        plan=plan, baseline_value=0, target_value=100, current_value=Decimal("20")
    )
    client.force_login(carol)
    url = reverse("planning:plan-list")
    assert "20%" in client.get(url).content.decode()
    assert "20%" in client.get(url).content.decode()  # from the cache
    planning_services.goal_update(actor=carol, goal=goal, current_value=Decimal("70"))
    html = client.get(url).content.decode()
    assert "70%" in html and "20%" not in html


def test_a_write_in_one_organization_keeps_the_others_fragments(org_a, org_b, charlie):
    plan_a = StrategicPlanFactory(organization=org_a)
    before_a, before_b = planning_token(org_a), planning_token(org_b)
    StrategicGoalFactory(plan=StrategicPlanFactory(organization=org_b))
    assert planning_token(org_a) == before_a
    assert planning_token(org_b) != before_b
    goal = StrategicGoalFactory(plan=plan_a)
    assert planning_token(org_a) != before_a
    # Deleting a plan deletes its goals too; each child's receiver finds no parent and the
    # plan's own delete bumps.
    before_a = planning_token(org_a)
    plan_a.delete()
    assert not StrategicGoal.objects.filter(pk=goal.pk).exists()
    assert planning_token(org_a) != before_a


def test_the_create_button_follows_the_reader_not_the_cache(org_a, carol, bob, client):
    StrategicPlanFactory(organization=org_a, title="Only plan")
    url = reverse("planning:plan-list")
    client.force_login(carol)  # an editor fills the cache first
    assert "write the first one" not in client.get(url).content.decode()
    assert "New strategic plan" in client.get(url).content.decode()
    client.force_login(bob)  # a viewer, same organization, same token
    html = client.get(url).content.decode()
    assert "Only plan" in html and "New strategic plan" not in html


def test_proposal_list_and_execution_follow_budget_writes(org_a, carol, client):
    client.force_login(carol)
    url = reverse("budgeting:proposal-list")
    assert "FY 2031" not in client.get(url).content.decode()
    budget_services.proposal_create(actor=carol, organization=org_a, fiscal_year=2031, title="B")
    assert "FY 2031" in client.get(url).content.decode()


def test_bc_plan_list_follows_a_new_plan_and_a_renamed_department(org_a, carol, dept_a, client):
    from tests.bcp.factories import make_plan

    client.force_login(carol)
    url = reverse("bcp:plan-list")
    make_plan(org_a, carol, title="Flood plan", department=dept_a)
    assert "Flood plan" in client.get(url).content.decode()
    dept_a.name = "Renamed department"
    dept_a.save()
    html = client.get(url).content.decode()
    assert html.count("Renamed department") >= 2  # the row and the filter's choice


def test_partnership_fragments_are_per_access(org_a, org_b, alice, bob, client):
    """An invitation shows to the invited organization's admin, never to its viewer, even when the
    admin's page filled the cache first."""
    invite = PartnershipFactory(organization=org_b, title="Joint vaccination drive")
    ParticipantFactory(partnership=invite, organization=org_a, state=ParticipantState.INVITED)
    url = reverse("coordination:partnership-list")
    client.force_login(alice)  # org_admin of org_a
    assert "Joint vaccination drive" in client.get(url, {"tab": "invitations"}).content.decode()
    client.force_login(bob)  # viewer of org_a
    assert "Joint vaccination drive" not in client.get(url, {"tab": "invitations"}).content.decode()
    participates = {"tab": "participates"}
    assert "Joint vaccination drive" not in client.get(url, participates).content.decode()
    link = invite.participant_links.get(organization=org_a)
    link.state = ParticipantState.ACCEPTED
    link.save()  # accepted: now a partnership org_a takes part in, on the very next request
    assert "Joint vaccination drive" in client.get(url, participates).content.decode()


def test_a_second_membership_changes_the_access_key(org_a, org_b):
    from core.tenancy import tenancy_of

    user = UserFactory()
    MembershipFactory(user=user, organization=org_a, role="viewer")
    single = tenancy_of(user).access_key
    MembershipFactory(user=user, organization=org_b, role="viewer", is_primary=False)
    user = type(user).objects.get(pk=user.pk)
    assert tenancy_of(user).access_key != single
