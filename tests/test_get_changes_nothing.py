"""Issue 16, class 4: no GET creates or changes anything, in the portal or the API.

Every URL pattern of the project is requested with GET by its sample's reader (a privileged
member: alice, org A's admin, or root for the admin), with the samples of the permission matrix
(tests/matrix.py, tests/*/matrix_samples.py); a checksum of every table is compared before and
after each request. Only the tables of sessions, sign-in tracking (axes) and caches are left
out: they record the visit, not the data. The audit log is compared like any table.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.matrix import _url, build_world, iter_patterns, sample_for

#: Tables a GET may legitimately write: the session, its "last seen" (accounts_usersession, at
#: most once a minute) and the sign-in tracking of django-axes.
IGNORED_TABLES = {"django_session", "accounts_usersession"}
IGNORED_PREFIXES = ("axes_",)


def project_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]
    return [
        name
        for name in names
        if name not in IGNORED_TABLES and not name.startswith(IGNORED_PREFIXES)
    ]


def table_checksums(tables: list[str]) -> dict[str, tuple[int, int]]:
    """(row count, sum of the hashes of every row's text) of each table, in one query."""
    quote = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT '{name}', count(*), coalesce(sum(hashtext(t::text)::bigint), 0) "
        f"FROM {quote(name)} t"
        for name in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {name: (count, checksum) for name, count, checksum in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def test_the_checksum_sees_a_change(personas):
    """The harness can fail: an update of one row changes its table's checksum."""
    tables = project_tables()
    assert "organizations_auditlog" in tables and "bcp_export" in tables
    assert "django_session" not in tables
    before = table_checksums(tables)
    alice = personas["alice"]
    alice.first_name = "Alicia"
    alice.save(update_fields=["first_name"])
    assert changed_tables(before, table_checksums(tables)) == ["organizations_user"]


def test_no_get_changes_any_table(personas):
    world = build_world(personas)
    tables = project_tables()
    clients: dict[str, Client] = {}
    problems = []
    walked = 0
    for key, pattern, _namespace in iter_patterns():
        sample = sample_for(key, pattern, world)
        assert sample is not None, f"{key}: no sample (the permission matrix says which)"
        url = _url(key, pattern, sample.resolve_kwargs(world), None)
        if sample.reader not in clients:
            clients[sample.reader] = Client()
            clients[sample.reader].force_login(personas[sample.reader])
        before = table_checksums(tables)
        response = clients[sample.reader].get(url)
        changed = changed_tables(before, table_checksums(tables))
        if changed:
            problems.append(f"GET {url} ({key}) → {response.status_code} changed {changed}")
        walked += 1
    assert walked > 100
    assert problems == []


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
