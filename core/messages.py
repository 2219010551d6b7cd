"""Django's validation messages in plain words, for every form of the portal.

Django says "Ensure this value is less than or equal to 32767." and "Ensure that there are no
more than 16 digits in total."; people read "Enter a number no larger than 32,767." and "That
amount is too large: at most 14 digits before the decimal point." The validators' messages
are class attributes, replaced once at start-up (organizations.apps).
"""

from __future__ import annotations

from django.core import validators


class _Thousands(dict):
    """Formats the limit with thousands separators when the message is filled in."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


def _limit_message(template: str):
    class Message(str):
        def __mod__(self, params):
            return (
                str.__mod__(template, _Thousands(params))
                if isinstance(params, dict)
                else (str.__mod__(template, params))
            )

    return Message(template)


def use_plain_words() -> None:
    validators.MaxValueValidator.message = _limit_message(
        "Enter a number no larger than %(limit_value)s."
    )
    validators.MinValueValidator.message = _limit_message(
        "Enter a number no smaller than %(limit_value)s."
    )
    validators.MaxLengthValidator.message = _limit_message(
        "Too long: at most %(limit_value)s characters (this has %(show_value)s)."
    )
    validators.DecimalValidator.messages = {
        "invalid": "Enter a number.",
        "max_digits": "That number is too large: at most %(max)s digits in all, centavos included.",
        "max_decimal_places": "Use at most %(max)s digits after the decimal point.",
        "max_whole_digits": "That amount is too large: at most %(max)s digits before the "
        "decimal point.",
    }
