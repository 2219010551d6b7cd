"""Durations and times as people say them: "45 min", "4 h 30 min", "2 d", "2 d 3 h"."""

from __future__ import annotations

import datetime

from django.utils import timezone

#: The one date-time format of the incident pages, logs and reports (as the bcp pages use).
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def duration(minutes: int | float | None) -> str:
    if minutes is None:
        return "—"
    minutes = int(minutes)
    if minutes < 0:
        return "−" + duration(-minutes)
    if minutes < 60:
        return f"{minutes} min"
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


def when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime(DATETIME_FORMAT) if value else "—"
