"""Form fields that speak as people do.

`DurationMinutesField`: a text box that accepts "4h", "1 d", "2 weeks", "90 min" or plain
minutes, shows a stored value as "1 d", and cleans to whole minutes (the models store minutes).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core import formats


class DurationInput(forms.TextInput):
    """Shows minutes as words ("1 d"); a refused value comes back exactly as typed."""

    def format_value(self, value):
        if isinstance(value, int):
            return formats.duration(value)
        return super().format_value(value)


class DurationMinutesField(forms.Field):
    widget = DurationInput
    default_error_messages = {
        "invalid": "Enter a duration such as “90 min”, “4 h”, “1 d” or “2 w”.",
    }

    def __init__(self, *, max_minutes: int | None = None, **kwargs):
        # A model's PositiveIntegerField passes its integer bounds: the upper one is kept.
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        self.max_minutes = kwargs.pop("max_value", None) if max_minutes is None else max_minutes
        if not kwargs.get("help_text"):  # a model field passes its (empty) help text
            kwargs["help_text"] = formats.DURATION_HELP
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "text")
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("placeholder", "e.g. 4 h")

    def prepare_value(self, value):
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return formats.parse_duration(value)
        except formats.DurationError as error:
            raise ValidationError(str(error), code="invalid") from error

    def validate(self, value):
        super().validate(value)
        if value is not None and self.max_minutes is not None and value > self.max_minutes:
            longest = formats.duration(self.max_minutes)
            raise ValidationError(
                f"That is longer than {longest}: enter at most {longest}.", code="max_value"
            )

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True
