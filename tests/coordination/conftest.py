"""Extra personas for partnerships (besides tests/conftest.py's alice, bob, carol, charlie, olga):

mole_admin: MOLE org_admin · mole_viewer: MOLE viewer
mafar_admin: MAFAR org_admin · mafar_editor: MAFAR editor
mssd_editor: an editor of an organization with no part in anything (MSSD).
"""

from __future__ import annotations

import pytest

from core.tenancy import Role
from organizations.models import Organization
from tests.factories import MembershipFactory, UserFactory

from .factories import MilestoneFactory, ParticipantFactory, PartnershipFactory


def _member(email: str, code: str, role: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organization=Organization.objects.get(code=code), role=role)
    return user


@pytest.fixture
def org_c(db) -> Organization:
    return Organization.objects.get(code="MAFAR")


@pytest.fixture
def mole_admin(org_b):
    return _member("mole.admin@test.bmms", "MOLE", Role.ORG_ADMIN)


@pytest.fixture
def mole_viewer(org_b):
    return _member("mole.viewer@test.bmms", "MOLE", Role.VIEWER)


@pytest.fixture
def mafar_admin(org_c):
    return _member("mafar.admin@test.bmms", "MAFAR", Role.ORG_ADMIN)


@pytest.fixture
def mafar_editor(org_c):
    return _member("mafar.editor@test.bmms", "MAFAR", Role.EDITOR)


@pytest.fixture
def mssd_editor(db):
    return _member("mssd.editor@test.bmms", "MSSD", Role.EDITOR)


@pytest.fixture
def partnership(org_a, carol):
    """A MOH-led active partnership; carol (MOH editor) is its focal person."""
    return PartnershipFactory(
        organization=org_a, title="Occupational health screening", focal_person=carol
    )


@pytest.fixture
def invite(partnership):
    def _invite(org, state="invited", invited_by=None):
        return ParticipantFactory(
            partnership=partnership, organization=org, state=state, invited_by=invited_by
        )

    return _invite


@pytest.fixture
def milestone_factory():
    return MilestoneFactory
