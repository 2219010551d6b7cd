"""`/healthz/`: database and cache always; with a Redis broker configured, the broker itself and a
Celery ping (at least one worker answers)."""

from __future__ import annotations

from django.conf import settings


def health_checks() -> list:
    checks: list = ["health_check.checks.Database", "health_check.checks.Cache"]
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        import redis

        url = settings.CELERY_BROKER_URL
        checks.append(
            (
                "health_check.contrib.redis.Redis",
                {"client_factory": lambda: redis.Redis.from_url(url)},
            )
        )
    return checks
