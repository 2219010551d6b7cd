"""Durations and times for the incident pages: the portal's formats (core.formats)."""

from __future__ import annotations

from core.formats import datetime as when
from core.formats import duration

__all__ = ["duration", "when"]
