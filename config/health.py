"""`/healthz/`: database and cache always; with a Redis broker configured, the broker itself (it
does not ping Celery workers). Behind Sentinel the broker check asks the sentinels for the current
master."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def health_checks() -> list:
    checks: list = ["health_check.checks.Database", "health_check.checks.Cache"]
    if settings.REDIS_SENTINELS:
        from redis.sentinel import Sentinel

        def master():
            sentinel = Sentinel(
                settings.REDIS_SENTINELS,
                sentinel_kwargs=settings.REDIS_SENTINEL_KWARGS,
                socket_timeout=1,
            )
            return sentinel.master_for(settings.REDIS_SENTINEL_MASTER)

        checks.append(("health_check.contrib.redis.Redis", {"client_factory": master}))
    elif settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        import redis

        url = settings.CELERY_BROKER_URL
        checks.append(
            (
                "health_check.contrib.redis.Redis",
                {"client_factory": lambda: redis.Redis.from_url(url)},
            )
        )
    return checks


def live(request: HttpRequest) -> HttpResponse:
    """`/healthz/live/`: this host's application answers. The load balancer checks this rather
    than `/healthz/`: a blip of a shared service (Redis failover, PostgreSQL promotion) would fail
    the deep check on every host at once and leave the balancer with no server at all."""
    return HttpResponse("ok\n", content_type="text/plain")
