"""`{{ amount|peso }}` → “₱1,234,567.89”; `{{ rate|percent }}` → “87.5%”."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from core import formats

register = template.Library()


@register.filter
def peso(value) -> str:
    """Money with the peso sign, thousands separators and centavos (negative as −₱)."""
    return formats.peso(value)


@register.filter
def percent(value, places: int = 1) -> str:
    """A rate already in percent (0–100), or “—” when there is nothing to divide by."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{number:.{int(places)}f}%"
