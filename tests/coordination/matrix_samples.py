"""Permission-matrix samples for the coordination app.

The world: a MOH-led partnership (org A) in which MAFAR is invited and nothing involves MOLE
(charlie's organization, so he must get 404 everywhere), a MAFAR-led partnership that invites
MOH (alice answers it; bob, a MOH viewer, gets 403), a milestone and a comment.
"""

from __future__ import annotations

from typing import Any

from coordination.models import ParticipantState
from organizations.models import Organization
from tests.matrix import Sample

from .factories import CommentFactory, MilestoneFactory, ParticipantFactory, PartnershipFactory


def _p(w):
    return {"public_id": w["partnership"].public_id}


SAMPLES: dict[str, Sample] = {
    "coordination:partnership-list": Sample(),
    "coordination:partnership-export": Sample(),
    "coordination:partnership-create": Sample(write=True),
    "coordination:partnership-detail": Sample(kwargs=_p, foreign=True),
    "coordination:partnership-edit": Sample(kwargs=_p, foreign=True, write=True),
    "coordination:participant-invite": Sample(kwargs=_p, foreign=True, write=True),
    "coordination:milestone-create": Sample(kwargs=_p, foreign=True, write=True),
    # GET only leads back to the thread on the detail page.
    "coordination:comment-create": Sample(kwargs=_p, foreign=True, write=True, ok=(302,)),
    "coordination:participant-withdraw": Sample(
        kwargs=lambda w: {"public_id": w["participant"].public_id}, foreign=True, write=True
    ),
    "coordination:milestone-edit": Sample(
        kwargs=lambda w: {"public_id": w["milestone"].public_id}, foreign=True, write=True
    ),
    "coordination:invitation-inbox": Sample(),
    # An invitation addressed to MOH: only its org_admin (alice) answers; bob (viewer) gets 403.
    "coordination:invitation-accept": Sample(
        kwargs=lambda w: {"public_id": w["invitation"].public_id}, foreign=True, write=True
    ),
    "coordination:invitation-decline": Sample(
        kwargs=lambda w: {"public_id": w["invitation"].public_id}, foreign=True, write=True
    ),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    alice = personas["alice"]
    moh = Organization.objects.get(code="MOH")
    mafar = Organization.objects.get(code="MAFAR")
    partnership = PartnershipFactory(organization=moh, title="Matrix partnership")
    world["partnership"] = partnership
    world["participant"] = ParticipantFactory(partnership=partnership, organization=mafar)
    world["milestone"] = MilestoneFactory(partnership=partnership)
    CommentFactory(partnership=partnership, author=alice)
    led_by_mafar = PartnershipFactory(organization=mafar, title="Invitation to MOH")
    world["invitation"] = ParticipantFactory(
        partnership=led_by_mafar, organization=moh, state=ParticipantState.INVITED
    )
