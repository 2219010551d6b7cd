"""The rollout page: organizations by wave and onboarding status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.models import AuditLog, Organization

pytestmark = pytest.mark.django_db


def test_superuser_moves_an_organization_and_it_is_audited(client, root):
    client.force_login(root)
    page = client.get(reverse("organizations:rollout")).content.decode()
    assert "MOH · Ministry of Health" in page
    response = client.post(
        reverse("organizations:rollout-edit", args=["MSSD"]),
        {
            "rollout_wave": 2,
            "onboarding_status": "training",
            "onboarding_date": "2026-12-01",
            "go_live_date": "2027-02-01",
        },
    )
    assert response.status_code == 302
    mssd = Organization.objects.get(code="MSSD")
    assert (mssd.rollout_wave, mssd.onboarding_status) == (2, "training")
    entry = AuditLog.objects.get(action="organization.rollout_updated")
    assert entry.before["onboarding_status"] == "not_started"


def test_go_live_before_onboarding_is_refused_with_a_message(client, root):
    client.force_login(root)
    response = client.post(
        reverse("organizations:rollout-edit", args=["MSSD"]),
        {
            "rollout_wave": 2,
            "onboarding_status": "live",
            "onboarding_date": "2027-02-01",
            "go_live_date": "2026-12-01",
        },
    )
    assert response.status_code == 200
    assert "The go-live date cannot be before the onboarding date." in response.content.decode()
    assert Organization.objects.get(code="MSSD").onboarding_status == "not_started"


def test_members_cannot_see_it_and_ocm_reads_it(client, alice, olga):
    client.force_login(alice)
    assert client.get(reverse("organizations:rollout")).status_code == 403
    client.force_login(olga)
    page = client.get(reverse("organizations:rollout")).content.decode()
    assert "Change</a>" not in page and "MAFAR" in page
