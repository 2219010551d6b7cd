"""System checks (`manage.py check`) for settings that work alone but not together."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured


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


@register()
def trusted_proxies_are_addresses(app_configs, **kwargs) -> list[Error]:
    """TRUSTED_PROXIES must be IP addresses or networks (core/client.py)."""
    from .client import _networks

    try:
        _networks(tuple(settings.TRUSTED_PROXIES))
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="bmms.E001")]
    if settings.TRUSTED_PROXY_COUNT < 1:
        return [Error("TRUSTED_PROXY_COUNT must be 1 or more.", id="bmms.E002")]
    return []
