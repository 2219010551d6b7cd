"""OCM test users at each level, and a seeded government with partnerships in every state."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from coordination.models import ParticipantState, Partnership
from organizations.models import OCMAccess, Organization
from tests.coordination.factories import ParticipantFactory, PartnershipFactory
from tests.factories import MembershipFactory, OCMAccessFactory, UserFactory


@pytest.fixture
def ocm_viewer(db):
    user = UserFactory(email="ocm.viewer@test.bmms")
    OCMAccessFactory(user=user, level=OCMAccess.Level.VIEWER)
    return user


@pytest.fixture
def seeded(org_a, org_b):
    """Partnerships that count and ones that must not (hidden from OCM, declined, withdrawn)."""
    mafar = Organization.objects.get(code="MAFAR")
    mssd = Organization.objects.get(code="MSSD")
    visible = PartnershipFactory(organization=org_a, visible_to_ocm=True)
    ParticipantFactory(partnership=visible, organization=org_b, state=ParticipantState.ACCEPTED)
    ParticipantFactory(partnership=visible, organization=mafar, state=ParticipantState.DECLINED)
    ParticipantFactory(partnership=visible, organization=mssd, state=ParticipantState.WITHDRAWN)
    second = PartnershipFactory(
        organization=org_b,
        visible_to_ocm=True,
        status=Partnership.Status.COMPLETED,
        partnership_type=Partnership.Type.CAPACITY_BUILDING,
    )
    ParticipantFactory(partnership=second, organization=mafar, state=ParticipantState.ACCEPTED)
    hidden = PartnershipFactory(organization=mssd, visible_to_ocm=False)
    ParticipantFactory(partnership=hidden, organization=org_a, state=ParticipantState.ACCEPTED)
    # Members, one of whom signed in recently.
    active = UserFactory(last_login=timezone.now() - datetime.timedelta(days=2))
    MembershipFactory(user=active, organization=mafar)
    stale = UserFactory(last_login=timezone.now() - datetime.timedelta(days=45))
    MembershipFactory(user=stale, organization=mafar)
    return {"visible": visible, "second": second, "hidden": hidden}
