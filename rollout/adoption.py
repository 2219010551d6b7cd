"""Adoption metrics from the portal's own requests, at no Redis round trip of their own.

Per request of a member working in an organization, the process counts it in memory: a request,
a write (an unsafe method that succeeded), its duration in a histogram bucket, and the user for a
HyperLogLog (a distinct count that cannot list who was counted) under the day, organization,
module and role. Every few seconds one Redis pipeline adds the buffered counts (HINCRBY, PFADD);
nothing is written to PostgreSQL per request. The `aggregate_adoption` beat task
folds a day's counters into `AdoptionDaily` rows (upsert: running it twice changes nothing).
No per-person history is kept or shown anywhere: only counts."""

from __future__ import annotations

import bisect
import datetime
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Upper bounds (ms) of the duration buckets; the median is reported as its bucket's bound.
BUCKETS_MS = [10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 60000]
KEEP_SECONDS = 3 * 24 * 60 * 60
MODULES = {"planning", "budgeting", "coordination", "bcp", "organizations", "rollout", "ocm"}
ALL = "all"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _client():
    """The raw Redis client of the cache, or None (process-memory cache, tests without Redis)."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _counters_key(day: str) -> str:
    """One hash per day: fields `<org>:<module>:<role>:<metric>` (req, w, t<bucket>)."""
    return cache.make_key(f"adopt:c:{day}")


def _users_key(day: str, org_id: int, module: str, role: str) -> str:
    return cache.make_key(f"adopt:u:{day}:{org_id}:{module}:{role}")


#: A request is counted in this process's memory; the counts reach Redis in one pipeline at most
#: every `ADOPTION_FLUSH_SECONDS` (default 5) or every `FLUSH_EVERY` requests, whichever comes
#: first, so a page costs no Redis round trip of its own. A worker that dies loses at most that
#: many seconds of counts; `aggregate()` flushes its own process first.
FLUSH_EVERY = 500


class _Buffer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()
        self.flushed_at = time.monotonic()

    def reset(self) -> None:
        self.counters: dict[tuple[str, str], int] = defaultdict(int)
        self.users: dict[tuple[str, int, str, str], set[int]] = defaultdict(set)
        self.requests = 0


_buffer = _Buffer()


def flush() -> int:
    """Write this process's buffered counts to Redis (one pipeline); returns the requests sent."""
    with _buffer.lock:
        counters, users, requests = _buffer.counters, _buffer.users, _buffer.requests
        _buffer.reset()
        _buffer.flushed_at = time.monotonic()
    if not requests:
        return 0
    client = _client()
    if client is None:
        return 0
    pipe = client.pipeline(transaction=False)
    days = set()
    for (day, field), n in counters.items():
        pipe.hincrby(_counters_key(day), field, n)
        days.add(day)
    for (day, org_id, module, role), ids in users.items():
        key = _users_key(day, org_id, module, role)
        pipe.pfadd(key, *ids)
        pipe.expire(key, KEEP_SECONDS)
    for day in days:
        pipe.expire(_counters_key(day), KEEP_SECONDS)
    pipe.execute()
    return requests


def record(request: Any, response: Any, elapsed_ms: float) -> None:
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    if organization is None or membership is None:
        return
    match = getattr(request, "resolver_match", None)
    module = match.app_name if match and match.app_name in MODULES else "portal"
    day = timezone.localdate().isoformat()
    role = membership.role
    write = request.method in UNSAFE and response.status_code < 400
    bucket = min(bisect.bisect_left(BUCKETS_MS, elapsed_ms), len(BUCKETS_MS) - 1)
    org_id = organization.pk
    user_id = request.user.pk
    with _buffer.lock:
        counters, users = _buffer.counters, _buffer.users
        for scope in (module, ALL):
            prefix = f"{org_id}:{scope}:{role}"
            counters[(day, f"{prefix}:req")] += 1
            if write:
                counters[(day, f"{prefix}:w")] += 1
            counters[(day, f"{prefix}:t{bucket}")] += 1
            users[(day, org_id, scope, role)].add(user_id)
        _buffer.requests += 1
        due = _buffer.requests >= FLUSH_EVERY or time.monotonic() - _buffer.flushed_at >= getattr(
            settings, "ADOPTION_FLUSH_SECONDS", 5
        )
    if due:
        flush()


class AdoptionMiddleware:
    """Counts the request after the response is ready; a Redis failure never fails a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                record(request, response, (time.perf_counter() - start) * 1000)
            except Exception:  # noqa: BLE001 - metrics are best effort
                logger.debug("adoption counters unavailable", exc_info=True)
        return response


def _median(histogram: dict[int, int]) -> int | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen * 2 >= total:
            return BUCKETS_MS[bucket]
    return None


def aggregate(day: datetime.date) -> int:
    """Upsert one AdoptionDaily row per organization, module and role seen that day."""
    from organizations.models import Organization

    from .models import AdoptionDaily

    flush()
    client = _client()
    if client is None:
        return 0
    iso = day.isoformat()
    groups: dict[tuple[int, str, str], dict[str, int]] = {}
    for field, value in client.hgetall(_counters_key(iso)).items():
        org_id, module, role, metric = field.decode().split(":")
        groups.setdefault((int(org_id), module, role), {})[metric] = int(value)
    existing_orgs = set(Organization.objects.values_list("pk", flat=True))
    written = 0
    for (org_id, module, role), raw in sorted(groups.items()):
        if org_id not in existing_orgs:
            continue
        histogram = {int(k[1:]): v for k, v in raw.items() if k.startswith("t")}
        AdoptionDaily.objects.update_or_create(
            day=day,
            organization_id=org_id,
            module=module,
            role=role,
            defaults={
                "active_users": client.pfcount(_users_key(iso, org_id, module, role)),
                "requests": raw.get("req", 0),
                "writes": raw.get("w", 0),
                "median_ms": _median(histogram),
            },
        )
        written += 1
    return written
