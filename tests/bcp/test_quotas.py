"""Issue 16, class 4: quotas belong to the people who use them.

* every user has an hourly limit of their own (exports, generated drafts);
* the organization's hourly limit of exports is shared, but viewers (and others who may only
  read) can use at most BCP_EXPORTS_READER_SHARE_PERCENT of it: the rest stays for editors and
  approvers, so readers cannot starve them;
* asking again for an export of something unchanged returns the stored export and costs nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from bcp import services
from bcp.models import Export, GenerationJob
from core.tenancy import Role
from organizations.models import Membership
from tests.bcp.factories import full_content, make_plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(approved_plan, carol):
    """An approved version 1 and a draft version 2: four distinct exports (2 × PDF/DOCX)."""
    services.version_create_draft(
        actor=carol,
        plan=approved_plan,
        content=full_content(approved_plan.template, " v2"),
        change_note="v2",
    )
    return list(approved_plan.versions.order_by("version_number"))


def _viewer(org, email):
    user = UserFactory(email=email)
    Membership.objects.create(user=user, organization=org, role=Role.VIEWER)
    return user


def test_viewers_cannot_use_up_the_exports_of_editors_and_approvers(
    settings, two_versions, bob, dave, org_a
):
    settings.BCP_EXPORTS_PER_HOUR = 4
    settings.BCP_EXPORTS_READER_SHARE_PERCENT = 50
    v1, v2 = two_versions
    other_viewer = _viewer(org_a, "vera@test.bmms")
    services.export_request(actor=bob, version=v1, fmt="pdf")
    services.export_request(actor=other_viewer, version=v1, fmt="docx")
    # Viewers together have used their share (2 of 4): the next viewer request is refused...
    with pytest.raises(services.RateLimited) as caught:
        services.export_request(actor=bob, version=v2, fmt="pdf")
    message = " ".join(caught.value.messages)
    assert "Viewers of MOH have used their share of the exports (2 of 4 an hour)" in message
    assert "You can ask again at" in message
    # ... while an approver still exports, up to the organization's limit.
    services.export_request(actor=dave, version=v2, fmt="pdf")
    services.export_request(actor=dave, version=v2, fmt="docx")
    assert Export.objects.count() == 4
    services.version_update_draft(
        actor=dave,
        version=v2,
        content=full_content(v2.plan.template, " v2 edited"),
        change_note="v2",
        expected_revision=v2.revision,
    )
    with pytest.raises(services.RateLimited, match=r"reached its limit of exports \(4 an hour\)"):
        services.export_request(actor=dave, version=v2, fmt="pdf")


def test_every_user_has_a_limit_of_their_own(settings, two_versions, carol, dave):
    settings.BCP_EXPORTS_PER_USER_PER_HOUR = 2
    v1, v2 = two_versions
    services.export_request(actor=carol, version=v1, fmt="pdf")
    services.export_request(actor=carol, version=v1, fmt="docx")
    with pytest.raises(services.RateLimited) as caught:
        services.export_request(actor=carol, version=v2, fmt="pdf")
    assert "You have reached your limit of exports (2 an hour)" in " ".join(caught.value.messages)
    assert services.export_request(actor=dave, version=v2, fmt="pdf").requested_by == dave


def test_an_unchanged_export_asked_again_is_reused_and_costs_nothing(
    settings, login, approved_plan, bob, carol
):
    settings.BCP_EXPORTS_PER_USER_PER_HOUR = 1
    version = approved_plan.current_version
    url = reverse("bcp:version-export", args=[version.public_id])
    first = login(bob).post(url, {"format": "pdf"})
    again = login(bob).post(url, {"format": "pdf"}, follow=True)
    assert again.redirect_chain[0][0] == first["Location"]
    assert "has changed since it was exported: here is that export" in again.content.decode()
    assert Export.objects.count() == 1
    # Someone else's identical request reuses it as well.
    assert services.export_request(actor=carol, version=version, fmt="pdf").requested_by == bob
    # A change to what the file shows (a new risk) makes the next request a new export.
    services.risk_create(actor=carol, plan=approved_plan, threat="Fire", likelihood=2, impact=2)
    assert services.export_request(actor=carol, version=version, fmt="pdf").requested_by == carol
    assert Export.objects.count() == 2


def test_generated_drafts_have_a_limit_per_user(settings, org_a, carol, alice):
    settings.BCP_GENERATIONS_PER_USER_PER_HOUR = 1
    first = make_plan(org_a, carol, title="Plan one")
    second = make_plan(org_a, carol, title="Plan two")
    services.generation_request(actor=carol, plan=first, enqueue=False)
    with pytest.raises(services.RateLimited) as caught:
        services.generation_request(actor=carol, plan=second, enqueue=False)
    assert "You have reached your limit of generated drafts (1 an hour)" in " ".join(
        caught.value.messages
    )
    assert services.generation_request(actor=alice, plan=second, enqueue=False).pk
    assert GenerationJob.objects.count() == 2
