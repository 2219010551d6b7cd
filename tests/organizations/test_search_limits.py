"""Issue 16, class 3: every search box takes at most SEARCH_MAX_LENGTH characters; a longer
text (sent by hand: the input stops typing there) is not searched, and the page says why."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.search import SEARCH_MAX_LENGTH

pytestmark = pytest.mark.django_db

#: (URL name, query parameter, persona): every list page with a search text.
SEARCHES = [
    ("bcp:plan-list", "q", "alice"),
    ("bcp:vendor-list", "q", "alice"),
    ("planning:plan-list", "q", "alice"),
    ("budgeting:proposal-list", "q", "alice"),
    ("coordination:partnership-list", "q", "alice"),
    ("organizations:organization-list", "q", "alice"),
    ("organizations:member-list", "q", "alice"),
    ("organizations:audit-log", "action", "alice"),
    ("organizations:audit-log", "actor", "alice"),
]


@pytest.mark.parametrize(("name", "param", "persona"), SEARCHES)
def test_a_search_text_over_the_limit_is_refused_with_a_message(
    name, param, persona, personas, client
):
    client.force_login(personas[persona])
    url = reverse(name)
    ok_text = "z" * SEARCH_MAX_LENGTH
    page = client.get(url, {param: ok_text}).content.decode()
    assert f'maxlength="{SEARCH_MAX_LENGTH}"' in page
    assert "Search text is at most" not in page
    too_long = "y" * (SEARCH_MAX_LENGTH + 1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {param: too_long})
    assert response.status_code == 200
    assert f"Search text is at most {SEARCH_MAX_LENGTH} characters" in response.content.decode()
    assert not any(too_long in q["sql"] for q in ctx.captured_queries)  # never searched


def test_the_api_search_has_the_same_limit(carol, client):
    client.force_login(carol)
    response = client.get("/api/bcm-plans/departments", {"search": "y" * (SEARCH_MAX_LENGTH + 1)})
    assert response.status_code == 422
