"""OCM demo data: nothing of its own; the dashboard is computed once the others are seeded."""

from __future__ import annotations

from .services import refresh


def seed(scale: int = 0) -> list[str]:
    refresh()
    return ["OCM dashboard summaries computed."]
