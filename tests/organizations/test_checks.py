"""System checks of settings that only fail together."""

from __future__ import annotations

from core.checks import shared_cache_with_a_worker


def test_a_worker_without_a_shared_cache_is_warned(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.REDIS_URL = ""
    assert [w.id for w in shared_cache_with_a_worker(None)] == ["bmms.W001"]
    settings.REDIS_URL = "redis://127.0.0.1:6379/1"
    assert shared_cache_with_a_worker(None) == []
    settings.CELERY_BROKER_URL = ""
    settings.REDIS_URL = ""
    assert shared_cache_with_a_worker(None) == []
