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
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    """Nothing: these pages name no organization's object."""
