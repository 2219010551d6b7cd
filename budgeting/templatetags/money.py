"""`{{ amount|peso }}` → “₱1,234,567.89”; `{{ rate|percent }}` → “87.5%”."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def peso(value) -> str:
    """Money with the peso sign, thousands separators and centavos (negative as −₱)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}₱{abs(amount):,.2f}"


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
