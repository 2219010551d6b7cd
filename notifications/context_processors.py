"""The "waiting for you" count in the menu, from the versioned cache (notifications/waiting.py).
Lazy: a page that does not show the menu (an htmx fragment) does not even ask the cache."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def waiting(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .waiting import count as waiting_count

        return waiting_count(user, getattr(request, "organization", None))

    return {"waiting_count": SimpleLazyObject(count)}
