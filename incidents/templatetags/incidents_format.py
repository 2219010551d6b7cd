"""`{{ minutes|duration }}` → "4 h 30 min"; `{{ value|when }}` → "2026-12-02 14:05"."""

from __future__ import annotations

from django import template

from incidents import formatting

register = template.Library()


@register.filter
def duration(minutes):
    return formatting.duration(minutes)


@register.filter
def when(value):
    return formatting.when(value)
