"""The pages: the bell and the list (marking read is a POST), preferences, "waiting for you"
on the home page for each role, and the query count of a page with and without the badge."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from budgeting import services as budgeting
from coordination.models import ParticipantState
from notifications import waiting
from notifications.models import Category, Delivery, Notification, Preference
from organizations.models import JoinInvitation
from tests.budgeting.factories import (
    BudgetLineItemFactory,
    BudgetProposalFactory,
    ProgramBudgetFactory,
)
from tests.coordination.factories import MilestoneFactory, ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _note(user, text="Note"):
    return Notification.objects.create(
        recipient=user,
        category=Category.OUTCOMES,
        verb="budget.proposal_approved",
        text=text,
        url="/",
    )


def test_bell_counts_unread_and_marking_read_is_a_post(login, alice, bob):
    for n in range(3):
        _note(alice, f"Note {n}")
    bobs = _note(bob, "Bob's")
    client = login(alice)
    assert (
        'aria-label="Notifications: 3 unread"'
        in client.get(reverse("notifications:bell")).content.decode()
    )
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Budget proposal approved" in page and "Bob's" not in page
    first = Notification.objects.filter(recipient=alice).first()
    read = reverse("notifications:read", args=[first.public_id])
    assert client.get(read).status_code == 405
    assert client.post(read)["Location"] == "/"
    assert "2 unread" in client.get(reverse("notifications:bell")).content.decode()
    assert client.post(reverse("notifications:read", args=[bobs.public_id])).status_code == 404
    client.post(reverse("notifications:read-all"))
    assert "0 unread" in client.get(reverse("notifications:bell")).content.decode()
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_preferences_page_saves_one_choice_per_category(login, bob):
    client = login(bob)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert "Plans to read and acknowledge" in page and "One e-mail a day" in page
    choices = {c.value: Delivery.IMMEDIATE for c in Category}
    choices[Category.ACKNOWLEDGMENTS] = Delivery.DIGEST
    choices[Category.JOBS] = Delivery.IMMEDIATE  # its default is in-app only
    assert client.post(url, choices).status_code == 302
    assert dict(Preference.objects.filter(user=bob).values_list("category", "delivery")) == {
        "acknowledgments": "digest",
        "jobs": "immediate",
    }
    assert client.post(url, {"jobs": "nonsense"}).status_code == 200  # refused, nothing saved
    assert Preference.objects.filter(user=bob).count() == 2


def _submitted(org, preparer):
    proposal = BudgetProposalFactory(organization=org, fiscal_year=2027, created_by=preparer)
    program = ProgramBudgetFactory(proposal=proposal, requested_amount=Decimal("10000"))
    BudgetLineItemFactory(program=program, unit_cost=Decimal("10000"), quantity=1)
    return budgeting.proposal_submit(actor=preparer, proposal=proposal)


def _invite(user, organization, by, expires_at):
    return JoinInvitation.objects.create(
        organization=organization,
        user=user,
        email=user.email,
        role="viewer",
        invited_by=by,
        expires_at=expires_at,
    )


def _groups(user, org):
    return {g.key: g.count for g in waiting.compute(user, org)}


def test_waiting_for_you_is_right_for_each_role(
    login, org_a, org_b, alice, bob, carol, dave, charlie, olga
):
    proposal = _submitted(org_a, carol)
    # Approver and admin decide; the preparer (an editor) and the viewer have nothing to decide.
    assert _groups(dave, org_a) == {"decide": 1}
    assert _groups(alice, org_a) == {"decide": 1}
    assert _groups(carol, org_a) == {}
    assert _groups(bob, org_a) == {}
    assert _groups(charlie, org_b) == {}
    budgeting.proposal_return(actor=dave, proposal=proposal, reason="Fix it")
    assert _groups(carol, org_a) == {"returned": 1}
    assert _groups(dave, org_a) == {}
    # A partnership invitation waits for the invited organization's admin only.
    led = PartnershipFactory(organization=org_b, title="Joint clinic")
    ParticipantFactory(partnership=led, organization=org_a, state=ParticipantState.INVITED)
    assert _groups(alice, org_a) == {"invitations": 1}
    assert _groups(dave, org_a) == {}
    # An OCM user is invited to nothing and decides nothing.
    assert _groups(olga, None) == {}
    _invite(olga, org_a, alice, timezone.now() + datetime.timedelta(days=7))
    assert _groups(olga, None) == {}  # OCM access cannot be combined with a membership
    home = login(carol).get("/").content.decode()
    assert "Returned to you for changes" in home and "was returned" in home
    assert 'aria-label="Waiting for you: 1"' in home


def test_the_badge_comes_from_the_cache_and_events_refresh_it(
    login, org_a, carol, dave, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = login(dave)
    assert 'aria-label="Waiting for you: 0"' in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _submitted(org_a, carol)
    # The event bumped MOH's namespace: the next page counts again.
    assert 'aria-label="Waiting for you: 1"' in client.get("/").content.decode()
    with django_assert_num_queries(0):
        assert waiting.count(dave, org_a) == 1  # a cache hit reads nothing


def test_a_new_role_changes_the_count_at_once(
    login, org_a, carol, bob, django_capture_on_commit_callbacks
):
    """The summary is kept an hour, so a change of role (a tenancy bump, no waiting event) must
    refresh it: a viewer made approver sees the proposal waiting on the next page."""
    _submitted(org_a, carol)
    client = login(bob)
    assert 'aria-label="Waiting for you: 0"' in client.get("/").content.decode()
    membership = bob.memberships.get(organization=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        membership.role = "approver"
        membership.save()
    assert 'aria-label="Waiting for you: 1"' in client.get("/").content.decode()


def test_a_new_focal_person_sees_the_overdue_milestone_at_once(
    org_a, carol, dave, django_capture_on_commit_callbacks
):
    """Overdue milestones wait for the partnership's focal person: handing the partnership to
    someone else (a partnership write, no milestone write) refreshes both counts."""
    partnership = PartnershipFactory(organization=org_a, focal_person=carol)
    MilestoneFactory(partnership=partnership, due_date=timezone.localdate() - datetime.timedelta(1))
    assert waiting.count(carol, org_a) == 1
    assert waiting.count(dave, org_a) == 0
    for person in (carol, dave):
        person._waiting_summary = None  # a new request
    with django_capture_on_commit_callbacks(execute=True):
        partnership.focal_person = dave
        partnership.save()
    assert waiting.count(carol, org_a) == 0
    assert waiting.count(dave, org_a) == 1


def test_an_invitation_that_expires_soon_bounds_how_long_the_count_is_kept(
    login, org_a, org_b, alice, charlie
):
    from django.core.cache import cache

    _invite(charlie, org_a, alice, timezone.now() + datetime.timedelta(minutes=10))
    assert waiting.count(charlie, org_b) == 1
    _, key = waiting._keys(charlie, org_b)
    assert 0 < cache.ttl(key) <= 600
    # Without one, an hour.
    assert waiting.lifetime([waiting.Group("decide", "Decide", count=1)]) == 3600


PAGES = ["home", "organizations:member-list", "notifications:list"]


@pytest.mark.parametrize("name", PAGES)
def test_the_badge_adds_no_query_on_a_warm_cache(
    name,
    login,
    org_a,
    carol,
    dave,
    settings,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    _submitted(org_a, carol)
    client = login(dave)
    url = reverse(name)
    client.get(url)  # warm
    with django_assert_max_num_queries(60) as with_badge:
        page = client.get(url).content.decode()
    assert 'aria-label="Waiting for you: 1"' in page
    baseline = len(with_badge)
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    p for p in processors if p != "notifications.context_processors.waiting"
                ],
            },
        }
    ]
    client.get(url)
    with django_assert_num_queries(baseline):
        page = client.get(url).content.decode()
    assert 'aria-label="Waiting for you: "' in page  # no badge: the count is not computed
