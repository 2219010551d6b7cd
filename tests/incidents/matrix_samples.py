"""Permission-matrix samples for every URL of the incidents app.

The acknowledgment link is the one URL that works without signing in: it is sampled as public
with a valid token (anonymous → 200), and OCM-only users still cannot POST to it (403). Its
own rules (single use, one row, expires with the incident, reveals nothing) are tested in
tests/incidents/test_acknowledgment.py.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from incidents import services
from incidents.tokens import ack_token
from tests.incidents.factories import approved_plan_with_people, declare
from tests.matrix import Sample


def _k(name: str):
    return lambda w: {"public_id": w[name].public_id}


def _obj(name: str, write: bool = False, ok: tuple[int, ...] = (200,)) -> Sample:
    return Sample(kwargs=_k(name), foreign=True, write=write, ok=ok)


def _read(name: str) -> Sample:
    """A read-only page (require_safe): a POST answers 405 before any lookup, whoever asks and
    whatever the object, which reveals nothing; a foreign GET is 404."""
    return Sample(kwargs=_k(name), foreign=True, get_only=True)


SAMPLES: dict[str, Sample] = {
    "incidents:incident-list": Sample(),
    "incidents:incident-export": Sample(),
    "incidents:incident-declare": Sample(write=True),
    "incidents:incident-detail": _read("incident_open"),
    "incidents:incident-board": _read("incident_open"),
    "incidents:log-add": _obj("incident_open", write=True, ok=(405,)),
    "incidents:severity-change": _obj("incident_open", write=True, ok=(405,)),
    "incidents:incident-close": _obj("incident_open", write=True),
    "incidents:call-update": _obj("incident_call", write=True),
    "incidents:item-update": _obj("incident_item", write=True),
    "incidents:vendor-update": _obj("incident_vendor", write=True),
    "incidents:review": _obj("incident_closed", write=True),
    "incidents:action-create": _obj("incident_closed", write=True, ok=(405,)),
    "incidents:action-update": _obj("incident_action", write=True, ok=(405,)),
    "incidents:plan-draft": _obj("incident_closed", write=True, ok=(405,)),
    "incidents:report": Sample(
        kwargs=lambda w: {"public_id": w["incident_closed"].public_id, "fmt": "pdf"},
        foreign=True,
        get_only=True,
    ),
    # OCM only (and superusers): members get 403, OCM users read.
    "incidents:ocm-board": Sample(reader="olga"),
    "incidents:ocm-summary": Sample(reader="olga"),
    # The deliberately unscoped view: the token is the credential (see the module docstring).
    "incidents:ack": Sample(
        kwargs=lambda w: {
            "public_id": w["incident_call"].public_id,
            "token": ack_token(w["incident_call"]),
        },
        public=True,
        anon_ok=(200,),
    ),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    """Org A (MOH): an organization-wide approved plan; an open incident (call tree, board,
    vendor) and a stood-down one with its review and a corrective action."""
    alice, carol, dave = personas["alice"], personas["carol"], personas["dave"]
    organization = alice.memberships.get().organization
    setup = approved_plan_with_people(
        organization, carol, [alice, dave], title="Incident matrix plan"
    )
    now = timezone.now()
    open_incident = declare(carol, organization, now=now)
    closed = declare(carol, organization, now=now, title="Power outage")
    for item in closed.recovery_items.all():
        services.item_update(
            actor=carol,
            item=item,
            status="recovered",
            recovered_at=now - datetime.timedelta(minutes=5),
            now=now,
        )
    services.incident_close(actor=carol, incident=closed, summary="Power is back.", now=now)
    review = services.review_save(
        actor=carol, incident=closed, what_worked="Call tree.", what_failed="Generator fuel."
    )
    action = services.action_add(
        actor=carol,
        review=review,
        description="Renew the fuel contract",
        owner=alice,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    world.update(
        incident_plan=setup.plan,
        incident_open=open_incident,
        incident_closed=closed,
        incident_call=open_incident.call_tree_entries.filter(status="notified").first(),
        incident_item=open_incident.recovery_items.first(),
        incident_vendor=open_incident.vendor_statuses.first(),
        incident_action=action,
    )
