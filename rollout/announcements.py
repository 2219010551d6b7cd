"""Announcements on every page, for next to nothing.

The announcements that are current or upcoming (the next `UPCOMING_DAYS`) are read from the
database once and kept in the cache under the "announcements" version token
(core/versioned_cache.py); any save or delete of an announcement replaces the token. A
page therefore costs one cache round trip (token and entry together) and no query. Which of them
a user sees (audience, start and end, dismissed) is decided in Python from the cached list."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import versioned_cache

from .markup import announcement_html

NAMESPACE = "announcements"
UPCOMING_DAYS = 14
#: Bounds how stale a list may be for announcements that enter the window by time alone.
CACHE_SECONDS = 300
DISMISS_COOKIE = "bmms_dismissed"


@dataclass(frozen=True)
class Shown:
    """What a page needs of an announcement (plain values: cheap to cache and unpickle)."""

    key: str  # short public id, used for dismissal
    title: str
    html: str
    severity: str
    severity_label: str
    audience: str
    wave: int | None
    organization_id: int | None
    starts_at: datetime
    ends_at: datetime

    def reaches(self, organization: Any) -> bool:
        if self.audience == "everyone":
            return True
        if organization is None:
            return False
        if self.audience == "wave":
            return organization.rollout_wave == self.wave
        return organization.pk == self.organization_id

    def is_current(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    @property
    def is_maintenance(self) -> bool:
        return self.severity == "maintenance"


def _load() -> list[Shown]:
    from .models import Announcement

    now = timezone.now()
    rows = Announcement.objects.filter(
        ends_at__gt=now - timedelta(seconds=CACHE_SECONDS),
        starts_at__lt=now + timedelta(days=UPCOMING_DAYS, seconds=CACHE_SECONDS),
    ).order_by("starts_at", "pk")
    return [
        Shown(
            key=a.public_id.hex[:12],
            title=a.title,
            html=announcement_html(a.body),
            severity=a.severity,
            severity_label=a.get_severity_display(),
            audience=a.audience,
            wave=a.wave,
            organization_id=a.organization_id,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
        )
        for a in rows
    ]


#: This process's copy of the list and the token it was read under. While the token in the cache
#: is unchanged, a page costs one small GET (the token) and no unpickling; and for
#: `ANNOUNCEMENT_RECHECK_SECONDS` (default 2) after a check the copy is used without asking the
#: cache at all, so a change made in another process shows here at most that much later (a change
#: made in this process shows at once: saving or deleting an announcement forgets the copy).
_local: dict[str, Any] = {"token": None, "value": None, "at": 0.0, "checked": 0.0}


def _drop_local() -> None:
    globals()["_local"] = {"token": None, "value": None, "at": 0.0, "checked": 0.0}


def forget(**kwargs: Any) -> None:
    """Drop this process's copy now and when the transaction commits (a signal receiver on
    announcement saves and deletes, beside the token's bumper)."""
    _drop_local()
    transaction.on_commit(_drop_local)


def all_relevant() -> list[Shown]:
    now = time.monotonic()
    local = _local  # read once: another thread may replace it
    if (
        local["token"] is not None
        and now - local["checked"] < getattr(settings, "ANNOUNCEMENT_RECHECK_SECONDS", 2)
        and now - local["at"] < CACHE_SECONDS
    ):
        return local["value"]
    token = versioned_cache.current_version(NAMESPACE)
    if token is not None and local["token"] == token and now - local["at"] < CACHE_SECONDS:
        globals()["_local"] = {**local, "checked": now}
        return local["value"]
    value = versioned_cache.cached(NAMESPACE, ["list"], _load, CACHE_SECONDS)
    if token is not None:
        globals()["_local"] = {"token": token, "value": value, "at": now, "checked": now}
    return value


def dismissed_keys(request: Any) -> set[str]:
    raw = request.COOKIES.get(DISMISS_COOKIE, "")[:2000]
    return {k for k in raw.split(".") if k}


def for_request(request: Any) -> dict[str, list[Shown]]:
    """{"banner": current ones not dismissed, "current": current ones, "upcoming": maintenance
    windows ahead}, for the user's organization (and everyone's)."""
    now = timezone.now()
    organization = getattr(request, "organization", None)
    mine = [a for a in all_relevant() if a.reaches(organization) and a.ends_at > now]
    current = [a for a in mine if a.is_current(now)]
    dismissed = dismissed_keys(request)
    return {
        "banner": [a for a in current if a.key not in dismissed],
        "current": current,
        "upcoming": [a for a in mine if a.is_maintenance and a.starts_at > now],
    }


def public_maintenance() -> list[Shown]:
    """Maintenance for everyone, current or ahead: what the public status page may show."""
    now = timezone.now()
    return [
        a
        for a in all_relevant()
        if a.audience == "everyone" and a.is_maintenance and a.ends_at > now
    ]
