"""The portal's one date format and one date-time format (FORMAT_MODULE_PATH = config.formats).

Django uses these for `{{ value }}`, `{{ value|date }}`, `{{ value|date:"DATETIME_FORMAT" }}`
and the admin; `core.formats.date()/datetime()` use them in Python (CSV, PDF, DOCX).
Times are in Philippine time (TIME_ZONE = Asia/Manila).
"""

DATE_FORMAT = "j M Y"  # 2 Dec 2026
DATETIME_FORMAT = "j M Y H:i"  # 2 Dec 2026 14:05
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1  # Monday
# What date fields accept: ISO first (the browser's date input sends it), then as shown.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%m/%d/%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d %b %Y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
