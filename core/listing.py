"""List pages as users expect them (NetBox as the model): one helper for every
list's sortable columns, its page size and its CSV export.

    PLAN_SORT = Sorting(
        {"title": "title", "years": ("start_year", "end_year"), "progress": "progress"},
    )

    sort = PLAN_SORT.bind(request)                       # no query
    page = paginate(request, lambda: filterset.qs, sort=sort)
    # template: {% sort_th "title" "Title" %} … {% include "includes/pagination.html" %}

- `?sort=key` / `?sort=-key` names a column of the list's whitelist; anything else (a field the
  list does not offer, `password`, `organization__users__password`, a lookup, garbage) is
  ignored and the list keeps its usual order. The whitelist maps a key to ORDER BY expressions
  (field names of the list's queryset, its annotations, or expressions), so a user never
  chooses a column.
- A stable tiebreaker (the primary key) ends every ORDER BY, so a page boundary never moves
  between two requests (rows with equal sort values are not shuffled across pages); nulls sort
  last whichever the direction.
- The page size is the reader's choice of 25, 50 or 100 rows (`User.page_size`, set on any
  pager and remembered); never more than 100. Reading it costs no query (the user is loaded).
- `csv_export(...)` writes the filtered and sorted list (every page, at most EXPORT_MAX_ROWS rows)
  through `core.csvfiles` (BOM, header first, data-as-of in the file name), each cell
  through `importing.csv_safe` (a cell starting with =, +, -, @ is never run as a formula).

Why not django-filter's OrderingFilter: half the lists have no FilterSet (incidents, review
queue, notifications, members), and the lists sort by annotations and several columns per key
with a tiebreaker; one small helper serves them all the same way.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Expression, F, OrderBy
from django.http import HttpRequest, HttpResponse

from organizations.importing import csv_safe

from .csvfiles import csv_response

#: The page sizes a reader may choose; never more than the last.
PAGE_SIZES = (25, 50, 100)
MAX_PAGE_SIZE = PAGE_SIZES[-1]
#: At most this many rows in a list's CSV export (bounded work: docs/architecture.md).
EXPORT_MAX_ROWS = 10_000

SORT_PARAM = "sort"


def page_size(request: HttpRequest | None) -> int:
    """The reader's page size: their remembered choice, else settings.PAGE_SIZE (≤ 100)."""
    user = getattr(request, "user", None)
    chosen = getattr(user, "page_size", None) if getattr(user, "is_authenticated", False) else None
    if chosen in PAGE_SIZES:
        return chosen
    return max(1, min(int(settings.PAGE_SIZE), MAX_PAGE_SIZE))


def _ordering(expression: str | Expression, descending: bool) -> OrderBy:
    expr = F(expression) if isinstance(expression, str) else expression
    if isinstance(expr, OrderBy):  # already directed: keep it
        return expr
    return expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)


class Sorting:
    """A list's whitelist of sortable columns: key → one expression or a tuple of them."""

    def __init__(
        self,
        columns: dict[str, str | Expression | Sequence[str | Expression]],
        *,
        tiebreaker: str = "pk",
    ) -> None:
        self.columns = {
            key: tuple(value) if isinstance(value, list | tuple) else (value,)
            for key, value in columns.items()
        }
        self.tiebreaker = tiebreaker

    def bind(self, request: HttpRequest) -> BoundSorting:
        raw = (request.GET.get(SORT_PARAM) or "").strip()
        descending = raw.startswith("-")
        key = raw[1:] if descending else raw
        if key not in self.columns:
            return BoundSorting(self, None, False)
        return BoundSorting(self, key, descending)


@dataclass(frozen=True)
class BoundSorting:
    """The sort a request asked for (or none: `key` is None and the list keeps its order)."""

    sorting: Sorting
    key: str | None
    descending: bool

    @property
    def value(self) -> str:
        """The `?sort=` value to keep in forms and links ('' when none)."""
        if self.key is None:
            return ""
        return f"-{self.key}" if self.descending else self.key

    def apply(self, queryset):
        """The queryset in the asked order, ended by the tiebreaker; without a valid sort, in
        its own order (the selector's or the model's), ended by the tiebreaker all the same."""
        tiebreaker = self.sorting.tiebreaker
        if self.key is None:
            current = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
            descending = bool(current) and str(current[-1]).startswith("-")
            return queryset.order_by(*current, _ordering(tiebreaker, descending))
        order = [_ordering(e, self.descending) for e in self.sorting.columns[self.key]]
        return queryset.order_by(*order, _ordering(tiebreaker, self.descending))

    def state(self, key: str) -> str:
        """'ascending', 'descending' or '' for a column (aria-sort and the arrow)."""
        if key != self.key:
            return ""
        return "descending" if self.descending else "ascending"

    def next_value(self, key: str) -> str:
        """What a click on the column's header asks for: ascending first, then descending."""
        return f"-{key}" if key == self.key and not self.descending else key


def csv_export(
    name: str,
    columns: Iterable[tuple[str, Callable[[Any], Any]]],
    rows: Iterable[Any],
    *,
    as_of=None,
) -> HttpResponse:
    """The CSV download of a list: header row first, one row per object (at most
    EXPORT_MAX_ROWS), each cell spreadsheet-safe. `columns` are (header, value of a row)."""
    columns = list(columns)
    response, writer = csv_response(name, as_of=as_of)
    writer.writerow([csv_safe(header) for header, _ in columns])
    for count, row in enumerate(rows):
        if count >= EXPORT_MAX_ROWS:
            break
        writer.writerow([csv_safe(_cell(value(row))) for _, value in columns])
    return response


def _cell(value: Any) -> Any:
    """One format for dates and date-times (docs/ui.md), Philippine time; nothing is empty."""
    from . import formats

    if value is None:
        return ""
    if isinstance(value, _dt.date):  # a datetime is a date too
        return formats.datetime(value)
    return value
