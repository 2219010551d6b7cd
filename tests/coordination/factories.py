"""factory_boy factories of the coordination app."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from coordination.models import (
    Milestone,
    ParticipantState,
    Partnership,
    PartnershipComment,
    PartnershipParticipant,
)
from tests.factories import OrganizationFactory, UserFactory


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Partnership {n}")
    partnership_type = Partnership.Type.JOINT_PROGRAM
    objectives = "Work together."
    status = Partnership.Status.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=300))


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipParticipant

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SubFactory(OrganizationFactory)
    state = ParticipantState.INVITED
    invited_at = factory.LazyFunction(timezone.now)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    responsible_organization = factory.SelfAttribute("partnership.organization")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipComment

    partnership = factory.SubFactory(PartnershipFactory)
    author = factory.SubFactory(UserFactory)
    organization = factory.SelfAttribute("partnership.organization")
    body = "A comment."
