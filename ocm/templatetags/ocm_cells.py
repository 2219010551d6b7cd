"""`{{ value|cell }}`: a dashboard cell as the page shows it (money in pesos, rates in percent)."""

from __future__ import annotations

from decimal import Decimal
from numbers import Number

from django import template

from budgeting.templatetags.money import percent, peso

register = template.Library()


@register.filter
def cell(value):
    """Money (`ocm.views.Money` or a JSON amount string) as ₱, rates as %, the rest unchanged."""
    from ocm.views import Money, Rate

    if isinstance(value, Money):
        return peso(value)
    if isinstance(value, Rate):
        return percent(value)
    return value


@register.filter
def is_number(value) -> bool:
    """Whether a cell is a figure (right-aligned), not text."""
    return isinstance(value, Number | Decimal) and not isinstance(value, bool)
