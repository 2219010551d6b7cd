"""Ceilings and what counts under them, said once.

What counts is the models' `live()` (budgeting/models.py: released allotments, obligations not
cancelled, payments not void). Adding money under a ceiling is `add_under_ceiling()`, used by the
three ceiling services (allotment release, obligation create and increase, disbursement create);
cancelling a parent that still carries counted money is refused by `refuse_while_counted()`, the
guard of allotment and obligation cancels.

The caller holds the lock on the parent row (`select_for_update()`) before it sums what the parent
carries, so concurrent requests queue on that row and the second one sees the first one's money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum

from .templatetags.money import peso

ZERO = Decimal("0.00")


class CeilingExceeded(ValidationError):
    """The money asked for is more than what is left under the parent's ceiling."""


def counted(queryset: QuerySet, expression: Any = "amount") -> Decimal:
    """The money of the rows of `queryset` that count (its `live()` rows)."""
    return queryset.live().aggregate(total=Sum(expression))["total"] or ZERO


def add_under_ceiling(
    amount: Decimal, *, ceiling: Decimal, used: Decimal, refusal: str, **words: Any
) -> Decimal:
    """Refuse `amount` (CeilingExceeded on the `amount` field) when it is more than what is left
    under `ceiling` once `used` is counted; returns what is left before adding it.

    `refusal` is the message, with `{left}` (never below zero), `{ceiling}` and `{used}` given as
    pesos, and any other `{word}` from `words`."""
    left = ceiling - used
    if amount > left:
        raise CeilingExceeded(
            {
                "amount": refusal.format(
                    left=peso(max(left, ZERO)), ceiling=peso(ceiling), used=peso(used), **words
                )
            }
        )
    return left


def refuse_while_counted(queryset: QuerySet, message: str) -> None:
    """Refuse (ValidationError) to cancel a parent while any of its rows still count."""
    if queryset.live().exists():
        raise ValidationError(message)
