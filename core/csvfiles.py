"""CSV downloads as spreadsheets expect them.

- The header row is the first row (no "Data as of" line above it: tools take row 1 as the header).
- A UTF-8 byte-order mark first, so that Excel reads "—", "ñ" and "₱" as such.
- When the data was taken ("data as of", Philippine time) is in the file name:
  `ocm-organizations-2026-12-02-1405.csv`.
"""

from __future__ import annotations

import csv
import re

from django.http import HttpResponse

from core.formats import file_stamp

BOM = "\ufeff"


def csv_response(name: str, as_of=None) -> tuple[HttpResponse, csv.writer]:
    """An attachment response named `<name>-<as_of stamp>.csv` and a writer into it."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe}-{file_stamp(as_of)}.csv"'
    response.write(BOM)
    return response, csv.writer(response)
