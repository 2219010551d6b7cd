"""A fixed-window counter in the cache (Redis in production), for requests that anonymous
visitors can repeat: reset links. With the cache down the limit is not applied (fails open):
a reset e-mail is harmless, and sign-in itself stays throttled by django-axes."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, who: str, window: int) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]  # no address in the cache's keys
    return f"ratelimit:{scope}:{digest}:{int(time.time()) // window}"


def hit(scope: str, who: str, *, limit: int, window: int) -> bool:
    """Count one request of `who`; False when it is over `limit` in the current window."""
    key = _key(scope, who, window)
    try:
        count = 1 if cache.add(key, 1, timeout=window + 5) else cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    if count is None:  # the cache did not answer (django-redis IGNORE_EXCEPTIONS)
        return True
    return count <= limit


def retry_after(window: int) -> int:
    """Seconds until the current window ends."""
    return window - int(time.time()) % window
