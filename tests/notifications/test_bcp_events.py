"""BC plan events: review requested (each reviewer), decided and changes requested (author and
contributors), version approved (everyone who must acknowledge), AI draft ready, export ready."""

from __future__ import annotations

import pytest

from bcp import services as bcp
from bcp.models import Review
from notifications.models import Notification
from tests.bcp.factories import make_plan
from tests.factories import MembershipFactory, UserFactory

from .conftest import told

pytestmark = pytest.mark.django_db


def test_review_cycle_tells_reviewers_then_authors_then_the_audience(
    events, org_a, dept_a, alice, bob, carol, dave, charlie, mailoutbox
):
    other_department = UserFactory(email="elsewhere@test.bmms")
    MembershipFactory(user=other_department, organization=org_a, role="viewer")  # no department
    plan = make_plan(org_a, carol, department=dept_a)
    version = plan.versions.get(status="draft")
    with events():
        reviews = bcp.version_submit_for_review(actor=carol, version=version, reviewers=[dave])
    assert told("bcp.review_requested") == [dave.email]
    assert Notification.objects.get(verb="bcp.review_requested").url.endswith(
        f"/bcp/reviews/{reviews[0].public_id}/"
    )
    with events():
        bcp.review_decide(
            actor=dave, review=reviews[0], decision=Review.Status.CHANGES_REQUESTED, notes="More"
        )
    assert told("bcp.changes_requested") == [carol.email]
    version.refresh_from_db()
    with events():
        (review,) = bcp.version_submit_for_review(actor=carol, version=version, reviewers=[alice])
        bcp.review_decide(actor=alice, review=review, decision=Review.Status.APPROVED, notes="ok")
    assert told("bcp.review_decided") == [carol.email]
    # The plan is the Finance department's: its members acknowledge (not the approving
    # reviewer, not a member of another department, not MOLE).
    assert told("bcp.version_approved") == [bob.email, carol.email, dave.email]
    assert other_department.email not in {m.to[0] for m in mailoutbox}


def test_finished_background_jobs_tell_whoever_asked(
    events, org_a, dept_a, carol, alice, bob, django_capture_on_commit_callbacks, settings
):
    plan = make_plan(org_a, carol, department=dept_a)
    with events():
        job = bcp.generation_request(actor=carol, plan=plan, enqueue=False)
        bcp.generation_run(job.pk)
    assert told("bcp.draft_ready") == [carol.email]
    version = plan.versions.order_by("-version_number").first()
    with events():
        bcp.export_request(actor=bob, version=version, fmt="pdf")
    assert told("bcp.export_ready") == [bob.email]
