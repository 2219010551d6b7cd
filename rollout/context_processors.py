"""Template context of every page: the announcements (from the cache) and the help link."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from . import announcements
from .help import section_for


def rollout(request) -> dict:
    """Lazy: a page that never shows the banner (the admin) never touches the cache."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "announcements": SimpleLazyObject(lambda: announcements.for_request(request)),
        "help_section": section_for(request),
    }
