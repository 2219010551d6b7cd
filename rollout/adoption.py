"""Adoption metrics from the portal's own requests, at the cost of one Redis round trip.

Per request of a member working in an organization, one Redis command (a Lua script) counts it,
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


def _counters_key(day: str) -> str:
    """One hash per day: fields `<org>:<module>:<role>:<metric>` (req, w, t<bucket>)."""
    return cache.make_key(f"adopt:c:{day}")


def _users_key(day: str, org_id: int, module: str, role: str) -> str:
    return cache.make_key(f"adopt:u:{day}:{org_id}:{module}:{role}")


#: Everything a request counts, in one Redis command (a Lua script run by EVALSHA): the
#: module's and the "all" counters, both HyperLogLogs, and their expiry.
_RECORD = """
local ttl = tonumber(ARGV[6])
for i, prefix in ipairs({ARGV[1], ARGV[2]}) do
  redis.call('HINCRBY', KEYS[1], prefix .. ':req', 1)
  if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1], prefix .. ':w', 1) end
  redis.call('HINCRBY', KEYS[1], prefix .. ':t' .. ARGV[4], 1)
  redis.call('PFADD', KEYS[i + 1], ARGV[5])
  redis.call('EXPIRE', KEYS[i + 1], ttl)
end
redis.call('EXPIRE', KEYS[1], ttl)
return 1
"""
_script = {"client": None, "script": None}


def _record_script(client):
    if _script["client"] is not client:
        _script.update(client=client, script=client.register_script(_RECORD))
    return _script["script"]


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
    org_id = organization.pk
    _record_script(client)(
        keys=[
            _counters_key(day),
            _users_key(day, org_id, module, role),
            _users_key(day, org_id, ALL, role),
        ],
        args=[
            f"{org_id}:{module}:{role}",
            f"{org_id}:{ALL}:{role}",
            "1" if write else "0",
            bucket,
            request.user.pk,
            KEEP_SECONDS,
        ],
    )


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
