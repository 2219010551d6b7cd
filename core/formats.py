"""How the portal writes money, durations, dates and times: one place for every page and file.

- Money: `peso(1234.5)` → "₱1,234.50"; `peso_compact(140_210_000)` → "₱140.2M" (tiles);
  negative amounts as "−₱1.2M" (a real minus sign).
- Durations as people say them, stored in minutes: `duration(1440)` → "1 d",
  `duration(270)` → "4 h 30 min", `duration(20160)` → "2 w"; `parse_duration("2 weeks")` → 20160.
- Dates and date-times in Philippine time, in the formats of `config/formats/en/formats.py`
  (Django's `DATE_FORMAT`/`DATETIME_FORMAT`): `date(d)` → "2 Dec 2026",
  `datetime(dt)` → "2 Dec 2026 14:05"; `file_stamp(dt)` → "2026-12-02-1405" for file names.

The template filters of `organizations/templatetags/ui.py` call these functions; they are
built into every template (settings `TEMPLATES.OPTIONS.builtins`).
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import dateformat, timezone
from django.utils.formats import get_format

DASH = "—"
MINUS = "−"

# ---------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------
_CENT = Decimal("0.01")
_SCALES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def peso(value) -> str:
    """The exact amount: "₱1,234,567.89", "−₱5.00"; "—" for nothing."""
    amount = _decimal(value)
    if amount is None:
        return DASH if value in (None, "") else str(value)
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    sign = MINUS if amount < 0 else ""
    return f"{sign}₱{abs(amount):,.2f}"


def peso_compact(value) -> str:
    """A short amount for tiles: ₱0, ₱999, ₱1.0K, ₱140.2M, ₱1.2B, −₱2.5M (one decimal)."""
    amount = _decimal(value)
    if amount is None:
        return DASH if value in (None, "") else str(value)
    sign = MINUS if amount < 0 else ""
    amount = abs(amount)
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if whole < 1000:
        if amount == whole or amount >= 100:
            return f"{sign}₱{whole:,}"
        return f"{sign}₱{amount.quantize(_CENT, rounding=ROUND_HALF_UP)}"
    units = ((Decimal(1000), "K"), *reversed(_SCALES))
    # The smallest unit whose rounded figure stays below 1,000 (999,960 → ₱1.0M, not ₱1000.0K).
    for index, (size, suffix) in enumerate(units):
        short = (amount / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if short < 1000 or index == len(units) - 1:
            return f"{sign}₱{short:,}{suffix}"
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Durations (stored in minutes)
# ---------------------------------------------------------------------------------------------
MINUTE, HOUR, DAY, WEEK = 1, 60, 1440, 10080
_UNITS = {
    "m": MINUTE, "min": MINUTE, "mins": MINUTE, "minute": MINUTE, "minutes": MINUTE,
    "h": HOUR, "hr": HOUR, "hrs": HOUR, "hour": HOUR, "hours": HOUR,
    "d": DAY, "day": DAY, "days": DAY,
    "w": WEEK, "wk": WEEK, "wks": WEEK, "week": WEEK, "weeks": WEEK,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]*)")
DURATION_HELP = (
    'Type it as you would say it: "90 min", "4 h", "1 d", "2 w" (plain numbers are minutes).'
)


def duration(minutes) -> str:
    """Minutes as people say them: "45 min", "4 h", "4 h 30 min", "1 d 6 h", "2 w"; "—" for None."""
    if minutes is None or minutes == "":
        return DASH
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return str(minutes)
    if minutes < 0:
        return MINUS + duration(-minutes)
    if minutes == 0:
        return "0 min"
    if minutes % WEEK == 0:
        return f"{minutes // WEEK} w"
    days, rest = divmod(minutes, DAY)
    hours, mins = divmod(rest, HOUR)
    parts = [(days, "d"), (hours, "h"), (mins, "min")]
    return " ".join(f"{count} {unit}" for count, unit in parts if count)


class DurationError(ValueError):
    """Text that is not a duration; the message is for the person who typed it."""


def parse_duration(text) -> int | None:
    """ "4h", "4 h", "1 d", "2 weeks", "90 min", "1 h 30 min", "1.5 h", "90" → minutes.

    Empty text is None. Raises DurationError with a plain message for anything else.
    """
    if text is None:
        return None
    if isinstance(text, int):
        return text
    cleaned = str(text).strip().lower()
    if not cleaned:
        return None
    if cleaned.startswith(("-", MINUS)):
        raise DurationError("A duration cannot be negative: enter 0 or more (e.g. “0 min”).")
    position, total, seen = 0, Decimal(0), False
    for match in _PART.finditer(cleaned):
        between = cleaned[position : match.start()].strip(" ,")
        if between not in ("", "and"):
            break
        number, unit = match.groups()
        if unit not in _UNITS and unit != "":
            raise DurationError(
                f"“{unit}” is not a unit we know: use min, h, d or w (for example “4 h”)."
            )
        total += Decimal(number.replace(",", ".")) * (_UNITS[unit] if unit else MINUTE)
        position, seen = match.end(), True
    if not seen or cleaned[position:].strip(" ,"):
        raise DurationError(
            f"“{text}” is not a duration: write it like “90 min”, “4 h”, “1 d” or “2 w”."
        )
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# Dates and times (Philippine time: settings.TIME_ZONE is Asia/Manila)
# ---------------------------------------------------------------------------------------------
def _local(value):
    if isinstance(value, _dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date(value) -> str:
    """ "2 Dec 2026" (a date-time is first put in Philippine time)."""
    if not value:
        return DASH
    return dateformat.format(_local(value), get_format("DATE_FORMAT"))


def datetime(value) -> str:
    """ "2 Dec 2026 14:05" in Philippine time."""
    if not value:
        return DASH
    if not isinstance(value, _dt.datetime):
        return date(value)
    return dateformat.format(_local(value), get_format("DATETIME_FORMAT"))


def file_stamp(value=None) -> str:
    """ "2026-12-02-1405": the data-as-of part of an export's file name (Philippine time)."""
    value = _local(value or timezone.now())
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d-%H%M")
    return value.strftime("%Y-%m-%d")
