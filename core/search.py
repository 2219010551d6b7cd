"""Search boxes: one length limit for every list's search text (bounded work).

A search runs `ILIKE '%text%'` over one or more columns; its cost grows with the text, so every
search box of the portal takes at most SEARCH_MAX_LENGTH characters (the input's `maxlength`
stops typing there). A longer text sent by hand is not searched: the page says why and lists
nothing, rather than running an expensive scan.
"""

from __future__ import annotations

import django_filters
from django.http import HttpRequest

SEARCH_MAX_LENGTH = 100
TOO_LONG = f"Search text is at most {SEARCH_MAX_LENGTH} characters: shorten it."


class SearchFilter(django_filters.CharFilter):
    """A CharFilter bounded to SEARCH_MAX_LENGTH characters, with a plain message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("error_messages", {"max_length": TOO_LONG})
        super().__init__(*args, **kwargs)


class BoundedFilterSet(django_filters.FilterSet):
    """A FilterSet that lists nothing when a search text is over the limit (django-filter would
    leave the invalid filter out and list everything)."""

    @property
    def qs(self):
        if not hasattr(self, "_qs") and self.is_bound:
            searches = [n for n, f in self.filters.items() if isinstance(f, SearchFilter)]
            if any(name in self.form.errors for name in searches):
                self._qs = self.queryset.none()
        return super().qs


def search_text(request: HttpRequest, name: str = "q") -> tuple[str, str]:
    """(text to search, error message) of a plain search box: a text over the limit is not
    searched (empty text) and the message says why."""
    text = request.GET.get(name, "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        return "", TOO_LONG
    return text, ""
