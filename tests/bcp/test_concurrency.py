"""Two reviewers deciding on the same version at the same moment, over real PostgreSQL
connections (issue 16, class 6): one wins, the other is told plainly, never a 500 or a deadlock.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bcp import services
from bcp.models import PlanVersion, Review
from tests.bcp.factories import make_plan

CLOSED = "This review is already closed"


def _decide_together(reviews, data) -> list:
    """Each reviewer posts their decision from their own thread (own connection), at once."""
    barrier = threading.Barrier(len(reviews))
    clients = []
    for review in reviews:
        client = Client()
        client.force_login(review.reviewer)
        clients.append(client)
    results: list = [None] * len(reviews)

    def worker(n: int) -> None:
        try:
            url = reverse("bcp:review-decide", args=[reviews[n].public_id])
            barrier.wait(timeout=30)
            results[n] = clients[n].post(url, data)
        except BaseException as exc:  # noqa: BLE001 - a 500 raises in the test client
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(reviews))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_requests_for_changes_one_wins_the_other_is_told(
    org_a, carol, dave, alice, dept_a, attempt
):
    plan = make_plan(org_a, carol, department=dept_a)
    version = plan.versions.get()
    reviews = services.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    results = _decide_together(
        reviews, {"decision": Review.Status.CHANGES_REQUESTED, "notes": "Add the generator."}
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.status_code for r in results) == [200, 302]
    (told,) = [r for r in results if r.status_code == 200]
    assert CLOSED in told.content.decode()
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.DRAFT
    statuses = sorted(Review.objects.filter(version=version).values_list("status", flat=True))
    assert statuses == [Review.Status.CHANGES_REQUESTED, Review.Status.WITHDRAWN]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_approve_the_version_once(org_a, carol, dave, alice, dept_a):
    plan = make_plan(org_a, carol, department=dept_a)
    version = plan.versions.get()
    reviews = services.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    results = _decide_together(reviews, {"decision": Review.Status.APPROVED, "notes": ""})
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    version.refresh_from_db()
    plan.refresh_from_db()
    assert version.status == PlanVersion.Status.ACTIVE and plan.current_version == version


@pytest.mark.django_db
def test_a_decision_posted_after_another_reviewer_closed_the_round_says_so(
    client, org_a, carol, dave, alice, dept_a
):
    """The losing request of the race above may read the review only after the winner committed
    (under load, its whole request starts later): it must still be told the review closed, not
    shown "You decided: Withdrawn" (a decision the person never made)."""
    plan = make_plan(org_a, carol, department=dept_a)
    version = plan.versions.get()
    first, second = services.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    services.review_decide(
        actor=first.reviewer,
        review=first,
        decision=Review.Status.CHANGES_REQUESTED,
        notes="Add the generator.",
    )
    client.force_login(second.reviewer)
    response = client.post(
        reverse("bcp:review-decide", args=[second.public_id]),
        {"decision": Review.Status.APPROVED, "notes": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert CLOSED in page
    assert "You decided" not in page
    assert Review.objects.get(pk=second.pk).status == Review.Status.WITHDRAWN
