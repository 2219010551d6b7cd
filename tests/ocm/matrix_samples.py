"""Permission-matrix samples for the OCM dashboard (readers are OCM users, not members)."""

from __future__ import annotations

from typing import Any

from ocm.services import refresh
from tests.matrix import Sample

SAMPLES: dict[str, Sample] = {
    "ocm:dashboard": Sample(reader="olga"),
    "ocm:organization-detail": Sample(kwargs={"code": "MOH"}, reader="olga"),
    "ocm:export": Sample(kwargs={"table": "organizations"}, reader="olga"),
    # Executives only: the superuser reads it, olga (analyst) is refused (tests/ocm).
    "ocm:briefing": Sample(reader="root"),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    refresh()
