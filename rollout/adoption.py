"""Adoption metrics from the portal's own requests, at the cost of one Redis round trip.

Per request of a member working in an organization, one pipelined Redis call counts the request,
a write (an unsafe method that succeeded), its duration in a histogram bucket, and adds the user
to a HyperLogLog (a distinct count that cannot list who was counted) under the day, organization,
module and role. Nothing is written to PostgreSQL per request. The `aggregate_adoption` beat task
folds a day's counters into `AdoptionDaily` rows (upsert: running it twice changes nothing).
No per-person history is kept or shown anywhere: only counts."""

from __future__ import annotations

import bisect
import datetime
import logging
import time
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


def _keys(day: str, org_id: int, module: str, role: str) -> tuple[str, str]:
    suffix = f"{day}:{org_id}:{module}:{role}"
    return cache.make_key(f"adopt:c:{suffix}"), cache.make_key(f"adopt:u:{suffix}")


def _index_key(day: str) -> str:
    return cache.make_key(f"adopt:index:{day}")


def record(request: Any, response: Any, elapsed_ms: float) -> None:
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    if organization is None or membership is None:
        return
    client = _client()
    if client is None:
        return
    match = getattr(request, "resolver_match", None)
    module = match.app_name if match and match.app_name in MODULES else "portal"
    day = timezone.localdate().isoformat()
    role = membership.role
    write = request.method in UNSAFE and response.status_code < 400
    bucket = min(bisect.bisect_left(BUCKETS_MS, elapsed_ms), len(BUCKETS_MS) - 1)
    pipe = client.pipeline(transaction=False)
    index = _index_key(day)
    for mod in (module, ALL):
        counters, users = _keys(day, organization.pk, mod, role)
        pipe.hincrby(counters, "req", 1)
        if write:
            pipe.hincrby(counters, "w", 1)
        pipe.hincrby(counters, f"t{bucket}", 1)
        pipe.pfadd(users, request.user.pk)
        pipe.expire(counters, KEEP_SECONDS)
        pipe.expire(users, KEEP_SECONDS)
        pipe.sadd(index, f"{organization.pk}:{mod}:{role}")
    pipe.expire(index, KEEP_SECONDS)
    pipe.execute()


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

    client = _client()
    if client is None:
        return 0
    iso = day.isoformat()
    members = sorted(m.decode() for m in client.smembers(_index_key(iso)))
    existing_orgs = set(Organization.objects.values_list("pk", flat=True))
    written = 0
    for member in members:
        org_id, module, role = member.split(":")
        if int(org_id) not in existing_orgs:
            continue
        counters, users = _keys(iso, int(org_id), module, role)
        raw = {k.decode(): int(v) for k, v in client.hgetall(counters).items()}
        histogram = {int(k[1:]): v for k, v in raw.items() if k.startswith("t")}
        AdoptionDaily.objects.update_or_create(
            day=day,
            organization_id=int(org_id),
            module=module,
            role=role,
            defaults={
                "active_users": client.pfcount(users),
                "requests": raw.get("req", 0),
                "writes": raw.get("w", 0),
                "median_ms": _median(histogram),
            },
        )
        written += 1
    return written
