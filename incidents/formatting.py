"""Durations and times for the incident pages: the portal's formats (organizations.formats)."""

from __future__ import annotations

from organizations.formats import datetime as when
from organizations.formats import duration

__all__ = ["duration", "when"]
