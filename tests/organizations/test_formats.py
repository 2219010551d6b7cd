"""The portal's formats (core.formats and the built-in filters of templatetags/ui.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template, TemplateSyntaxError

from core import formats
from organizations.fields import DurationMinutesField


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "₱0"),
        (Decimal("0.00"), "₱0"),
        (999, "₱999"),
        (Decimal("12.50"), "₱12.50"),
        (Decimal("999.49"), "₱999"),
        (Decimal("999.50"), "₱1.0K"),
        (1000, "₱1.0K"),
        (1049, "₱1.0K"),
        (87_455_987, "₱87.5M"),
        (140_210_000, "₱140.2M"),
        (Decimal("668230000.00"), "₱668.2M"),
        (999_960, "₱1.0M"),  # not "₱1000.0K"
        (1_200_000_000, "₱1.2B"),
        (3_400_000_000_000, "₱3.4T"),
        (-1_250_000, "−₱1.3M"),
        (-500, "−₱500"),
        ("1234567.89", "₱1.2M"),
        (12.5, "₱12.50"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_compact_peso(amount, expected):
    assert formats.peso_compact(amount) == expected


def test_exact_peso():
    assert formats.peso(Decimal("140210000")) == "₱140,210,000.00"
    assert formats.peso(Decimal("-5")) == "−₱5.00"
    assert formats.peso(None) == "—"


def test_peso_short_filter_keeps_the_exact_figure():
    html = Template("{{ a|peso_short }}").render(Context({"a": Decimal("140210000")}))
    assert 'title="₱140,210,000.00"' in html
    assert '<span aria-hidden="true">₱140.2M</span>' in html
    assert '<span class="visually-hidden">₱140,210,000.00</span>' in html
    # Nothing to hide: plain text.
    assert Template("{{ a|peso_short }}").render(Context({"a": None})) == "—"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (None, "—"),
        (0, "0 min"),
        (45, "45 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (240, "4 h"),
        (1440, "1 d"),
        (1500, "1 d 1 h"),
        (1441, "1 d 1 min"),
        (2880, "2 d"),
        (10080, "1 w"),
        (20160, "2 w"),
        (11520, "8 d"),
        (-90, "−1 h 30 min"),
    ],
)
def test_duration(minutes, expected):
    assert formats.duration(minutes) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("4h", 240),
        ("4 h", 240),
        ("4 hours", 240),
        ("1 d", 1440),
        ("1d", 1440),
        ("2 weeks", 20160),
        ("2w", 20160),
        ("90 min", 90),
        ("90", 90),
        ("1 h 30 min", 90),
        ("1h30m", 90),
        ("1 d, 6 h", 1800),
        ("1.5 h", 90),
        ("1,5 h", 90),
        ("  3 DAYS ", 4320),
        ("", None),
        (None, None),
    ],
)
def test_parse_duration(text, minutes):
    assert formats.parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["soon", "4 fortnights", "h", "4 h later", "-3 h", "1 d; drop"])
def test_parse_duration_refuses_in_plain_words(text):
    with pytest.raises(formats.DurationError) as error:
        formats.parse_duration(text)
    assert any(word in str(error.value) for word in ("duration", "unit", "negative"))


def test_every_displayed_duration_reads_back():
    for minutes in (0, 1, 59, 60, 61, 1439, 1440, 1441, 10080, 10081, 43200, 100000):
        assert formats.parse_duration(formats.duration(minutes)) == minutes


class _Form(forms.Form):
    rto = DurationMinutesField(required=False, max_minutes=10080 * 52)


def test_duration_field_accepts_words_and_shows_them():
    form = _Form(data={"rto": "2 weeks"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rto"] == 20160
    assert _Form(initial={"rto": 1440})["rto"].value() == 1440
    assert 'value="1 d"' in str(_Form(initial={"rto": 1440})["rto"])
    bad = _Form(data={"rto": "soon"})
    assert not bad.is_valid()
    assert "“soon” is not a duration" in bad.errors["rto"][0]
    too_long = _Form(data={"rto": "60 w"})
    assert not too_long.is_valid()
    assert too_long.errors["rto"] == ["That is longer than 52 w: enter at most 52 w."]
    # A refused value is shown back as typed, not as minutes.
    assert 'value="soon"' in str(bad["rto"])


def test_dates_and_times_in_philippine_time(settings):
    moment = datetime.datetime(2026, 12, 2, 6, 5, tzinfo=datetime.UTC)  # 14:05 in Manila
    assert formats.datetime(moment) == "2 Dec 2026 14:05"
    assert formats.date(moment) == "2 Dec 2026"
    assert formats.date(datetime.date(2027, 1, 9)) == "9 Jan 2027"
    assert formats.file_stamp(moment) == "2026-12-02-1405"
    assert formats.datetime(None) == "—"
    # Django's own rendering uses the same formats (FORMAT_MODULE_PATH).
    rendered = Template("{{ d }}|{{ d|date }}|{{ t }}|{{ t|when }}").render(
        Context({"d": datetime.date(2026, 12, 2), "t": moment})
    )
    assert rendered == "2 Dec 2026|2 Dec 2026|2 Dec 2026 14:05|2 Dec 2026 14:05"
    assert settings.TIME_ZONE == "Asia/Manila"
    late = datetime.datetime(2026, 12, 2, 20, 0, tzinfo=ZoneInfo("UTC"))  # next day in Manila
    assert formats.date(late) == "3 Dec 2026"


def test_icon_tag():
    html = Template('{% icon "bell" %}').render(Context())
    assert html.startswith('<svg class="icon icon-bell"') and 'aria-hidden="true"' in html
    assert "<path" in html and "<svg" not in html[5:]
    labelled = Template('{% icon "bell" label="Notifications <3" %}').render(Context())
    assert 'role="img" aria-label="Notifications &lt;3"' in labelled
    with pytest.raises(TemplateSyntaxError):
        Template('{% icon "no-such-icon" %}').render(Context())
    with pytest.raises(TemplateSyntaxError):
        Template('{% icon "../base" %}').render(Context())


def test_framework_messages_are_in_plain_words():
    class Numbers(forms.Form):
        small = forms.IntegerField(max_value=32767, min_value=0, required=False)
        money = forms.DecimalField(max_digits=16, decimal_places=2, required=False)

    form = Numbers(data={"small": "40000", "money": "123456789012345678"})
    assert not form.is_valid()
    assert form.errors["small"] == ["Enter a number no larger than 32,767."]
    assert form.errors["money"] == [
        "That number is too large: at most 16 digits in all, centavos included."
    ]
    assert Numbers(data={"small": "-1"}).errors["small"] == ["Enter a number no smaller than 0."]
    assert "Ensure" not in str(Numbers(data={"money": "1.234"}).errors)
