"""Query counts of the list and detail pages stay the same as participants grow (5 → 50)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coordination.models import ParticipantState
from coordination.selectors import CACHE_NAMESPACE
from core import versioned_cache
from tests.factories import OrganizationFactory, UserFactory, main_of

from .factories import CommentFactory, MilestoneFactory, ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

#: Warm requests: the user, then the page's own reads when the cached list is stale (after a
#: write), or only the user when it is current. Pinned: a change is a decision.
LIST_QUERIES = 4
LIST_CACHED_QUERIES = 1
DETAIL_QUERIES = 5


def _world(org_a, carol, participants: int):
    """Partnerships led by MOH, each with `participants` organizations, milestones carried by
    them, and a comment from each."""
    partnerships = []
    for n in range(3):
        partnership = PartnershipFactory(organization=org_a, title=f"P{n}", focal_person=carol)
        for i in range(participants):
            org = OrganizationFactory(code=f"Q{i}", name=f"Participant {i}")
            ParticipantFactory(
                partnership=partnership,
                organization=org,
                state=ParticipantState.ACCEPTED if i % 2 else ParticipantState.INVITED,
                invited_by=carol,
            )
            if i % 2:
                MilestoneFactory(
                    partnership=partnership, responsible_organization=org, progress=i % 100
                )
                CommentFactory(partnership=partnership, organization=org, author=UserFactory())
        partnerships.append(partnership)
    return partnerships


@pytest.mark.parametrize("participants", [5, 50])
def test_list_page_queries_are_constant(
    participants, org_a, carol, client, django_assert_num_queries
):
    _world(org_a, carol, participants)
    client.force_login(carol)
    url = reverse("coordination:partnership-list")
    client.get(url)  # warm: session and tenancy cached
    versioned_cache.bump(CACHE_NAMESPACE)
    with django_assert_num_queries(LIST_QUERIES):  # stale: user, tab counts, count, page
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    with django_assert_num_queries(LIST_CACHED_QUERIES):
        assert main_of(client.get(url)) == main_of(response)


@pytest.mark.parametrize("participants", [5, 50])
def test_detail_page_queries_are_constant(
    participants, org_a, carol, client, django_assert_num_queries
):
    partnership = _world(org_a, carol, participants)[0]
    client.force_login(carol)
    url = reverse("coordination:partnership-detail", args=[partnership.public_id])
    client.get(url)  # warm: session and tenancy profile cached
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["participants"]) == participants
    assert response.content.decode().count("timeline-item") == participants // 2
