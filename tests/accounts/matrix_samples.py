"""Permission-matrix samples of self-service accounts (issue 17 item 4)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Sample

SAMPLES: dict[str, Sample] = {
    # Public on purpose: a person who cannot sign in asks for a link, and uses it.
    "accounts:reset": Sample(public=True),
    "accounts:reset-done": Sample(public=True),
    "accounts:reset-confirm": Sample(
        kwargs={"uidb64": "MQ", "token": "bad-token"}, public=True, anon_ok=(200,)
    ),
    # One's own account: every signed-in person, viewers and OCM users included, may change
    # their details and password and end their other sessions (no organization's data).
    "accounts:profile": Sample(ocm_exempt=True),
    "accounts:password-change": Sample(ocm_exempt=True),
    "accounts:sign-out-elsewhere": Sample(ok=(405,), ocm_exempt=True),
    # Rows per page of every list (issue 21 item 3): one's own preference, POST only.
    "accounts:page-size": Sample(ok=(405,), ocm_exempt=True),
    # Issue 17 item 5: the people page's actions (organizations/people_views.py).
    "organizations:member-add": Sample(write=True),
    "organizations:member-deactivate": Sample(
        kwargs=lambda w: {"public_id": w["bob_membership"].public_id}, foreign=True, write=True
    ),
    "organizations:member-deactivated-list": Sample(),
    "organizations:member-reactivate": Sample(
        kwargs=lambda w: {"public_id": w["former_membership"].public_id},
        foreign=True,
        write=True,
        ok=(405,),
    ),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    """A deactivated member of org A (the reset and profile pages name no object)."""
    import uuid

    from django.utils import timezone

    from organizations.models import FormerMembership
    from tests.factories import UserFactory

    alice = personas["alice"]
    organization = alice.memberships.get().organization
    world["former_membership"] = FormerMembership.objects.create(
        public_id=uuid.uuid4(),
        organization=organization,
        user=UserFactory(email="former@test.bmms", is_active=False),
        role="editor",
        member_since=timezone.now(),
        deactivated_by=alice,
        account_deactivated=True,
    )
