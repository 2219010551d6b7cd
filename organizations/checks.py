"""System checks (`manage.py check`) for settings that work alone but not together."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register()
def shared_cache_with_a_worker(app_configs, **kwargs) -> list[Warning]:
    """A Celery worker needs the web's cache: tenancy profiles, budget summaries and rate limits
    are invalidated through it, and a process-memory cache is private to each process."""
    shared = getattr(settings, "REDIS_URL", "") or getattr(settings, "REDIS_SENTINELS", [])
    if settings.CELERY_BROKER_URL and not shared:
        return [
            Warning(
                "CELERY_BROKER_URL is set but REDIS_URL is not: the web and the worker would each "
                "keep their own cache, so a change made by a background job (a user import) could "
                "stay invisible to the web for minutes.",
                hint="Set REDIS_URL (for example redis://127.0.0.1:6379/1).",
                id="bmms.W001",
            )
        ]
    return []
