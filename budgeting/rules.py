"""The budget execution rules kept in one place: appropriations per allotment class, the validity
of allotments (continuing appropriations), the date rules, and ORS/DV number formats.

Services enforce them, forms and pages only display what they say.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import FUND_CLUSTERS, ExpenseClass

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CLASS_ORDER = [value for value, _label in ExpenseClass.choices]

#: Allotment classes whose appropriations continue beyond their fiscal year, in years of
#: validity (1 = the fiscal year only). Setting BUDGET_CONTINUING_CLASSES overrides it.
DEFAULT_CONTINUING = {"CO": 2}


def continuing_classes() -> dict[str, int]:
    return getattr(settings, "BUDGET_CONTINUING_CLASSES", DEFAULT_CONTINUING)


def validity_years(allotment_class: str) -> int:
    return max(1, int(continuing_classes().get(allotment_class, 1)))


def valid_until(fiscal_year: int, allotment_class: str) -> datetime.date:
    """The last day an allotment of this class and fiscal year may be obligated."""
    return datetime.date(fiscal_year + validity_years(allotment_class) - 1, 12, 31)


def class_appropriations(
    approved: Decimal | None, requested: Decimal, line_totals: dict[str, Decimal]
) -> dict[str, Decimal]:
    """A program's appropriation per allotment class: its line items' totals per class, scaled
    to the approved amount when less than requested was approved (rounded down to the centavo;
    the centavos left go to the largest class, so the classes add up to the approved amount)."""
    if approved is None:
        return dict.fromkeys(CLASS_ORDER, ZERO)
    costed = sum(line_totals.values(), ZERO)
    if not costed:
        return dict.fromkeys(CLASS_ORDER, ZERO)
    if approved == costed:
        return {c: line_totals.get(c, ZERO) for c in CLASS_ORDER}
    shares = {
        c: (line_totals.get(c, ZERO) * approved / costed).quantize(CENT, rounding=ROUND_DOWN)
        for c in CLASS_ORDER
    }
    largest = max(CLASS_ORDER, key=lambda c: (line_totals.get(c, ZERO), -CLASS_ORDER.index(c)))
    shares[largest] += approved - sum(shares.values(), ZERO)
    return shares


def fund_cluster(fund_source: str) -> str:
    return FUND_CLUSTERS.get(fund_source, "01")


def document_number(cluster: str, day: datetime.date, serial: int) -> str:
    """ORS/DV numbers as fund cluster-year-month-serial, e.g. 01-2026-03-00042 (the serial
    runs per organization and year, whatever the cluster or month)."""
    return f"{cluster}-{day.year}-{day.month:02d}-{serial:05d}"


def _day(value: datetime.date) -> str:
    return value.strftime("%-d %b %Y")


def not_in_future(field: str, value: datetime.date, what: str) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            {
                field: f"The {what} ({_day(value)}) is after today ({_day(today)}): record it on "
                "the day it happens."
            }
        )


def check_release_date(release_date: datetime.date, fiscal_year: int, until: datetime.date) -> None:
    start = datetime.date(fiscal_year, 1, 1)
    if not start <= release_date <= until:
        raise ValidationError(
            {
                "release_date": f"An FY {fiscal_year} allotment of this class is released "
                f"between {_day(start)} and {_day(until)}; {_day(release_date)} is outside."
            }
        )
    not_in_future("release_date", release_date, "release date")


def check_obligation_date(day: datetime.date, allotment) -> None:
    if day < allotment.release_date:
        raise ValidationError(
            {
                "obligated_on": f"The obligation date ({_day(day)}) is before the allotment was "
                f"released ({_day(allotment.release_date)})."
            }
        )
    if allotment.valid_until and day > allotment.valid_until:
        raise ValidationError(
            {
                "obligated_on": f"This allotment was valid until {_day(allotment.valid_until)}: "
                f"nothing can be obligated against it on {_day(day)}."
            }
        )
    not_in_future("obligated_on", day, "obligation date")


def check_after_obligation(field: str, day: datetime.date, obligation, what: str) -> None:
    if day < obligation.obligated_on:
        raise ValidationError(
            {
                field: f"The {what} ({_day(day)}) is before the obligation's date "
                f"({_day(obligation.obligated_on)})."
            }
        )
    not_in_future(field, day, what)
