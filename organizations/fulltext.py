"""The indexed search columns of the portal search (organizations/site_search.py), in one place.

* `document_field(*fields)`: a stored generated column, `search_document`, holding the record's
  full-text document, `to_tsvector('english', a || ' ' || b)` (PostgreSQL keeps it current on
  every write). The search matches it with `websearch_to_tsquery` (`query(text)`) and ranks with
  `ts_rank` on the stored vector, so a query matching thousands of rows never recomputes a
  document. `document_index()` is its GIN index.
* `trigram_index(field)`: a GIN `gin_trgm_ops` index on a name, for `%>` (word similarity: a
  partial name or one with a letter wrong still matches), or with `upper=True` on UPPER(name)
  for Django's `icontains`. The pg_trgm
  extension is created by organizations/migrations/0010 (TrigramExtension), which every app's
  search migration depends on.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper

#: The text search configuration: English stemming ("plans" finds "plan").
CONFIG = "english"
#: The name of the generated document column on every searchable model.
DOCUMENT = "search_document"


def document_field(*fields: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=SearchVector(*fields, config=CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )


def query(text: str) -> SearchQuery:
    """The user's words as web search syntax: words, "a phrase", -excluded, or."""
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def document_index(*, name: str) -> GinIndex:
    return GinIndex(fields=[DOCUMENT], name=name)


def trigram_index(field: str, *, name: str, upper: bool = False) -> GinIndex:
    """`upper=True` indexes UPPER(field), the expression of Django's `icontains` on PostgreSQL
    (`UPPER(field::text) LIKE UPPER('%…%')`), for fields searched by substring (people's names and
    e-mail addresses, organization names)."""
    expression = Upper(field) if upper else F(field)
    return GinIndex(OpClass(expression, name="gin_trgm_ops"), name=name)
