"""Every OCM URL × every unsafe method → 403/405, and no row anywhere changes."""

from __future__ import annotations

import pytest
from django.db import connection

from ocm.services import refresh
from tests.matrix import _url, iter_patterns, sample_for

pytestmark = pytest.mark.django_db


def table_checksums() -> dict[str, str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        sums = {}
        for table in tables:
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{table}" t'
            )
            sums[table] = cursor.fetchone()[0]
    return sums


@pytest.mark.parametrize("who", ["olga", "ocm_executive", "root"])
def test_ocm_urls_refuse_every_unsafe_method_and_change_nothing(who, client, personas, ocm_viewer):
    from organizations.models import OCMAccess
    from tests.factories import OCMAccessFactory, UserFactory

    users = dict(personas)
    executive = UserFactory(email="exec@test.bmms")
    OCMAccessFactory(user=executive, level=OCMAccess.Level.EXECUTIVE)
    users["ocm_executive"] = executive
    refresh()
    client.force_login(users[who])
    patterns = [(k, p) for k, p, ns in iter_patterns() if ns == "ocm"]
    assert len(patterns) >= 3
    before = table_checksums()
    for key, pattern in patterns:
        url = _url(key, pattern, sample_for(key, pattern, {}).resolve_kwargs({}), None)
        for method in ("post", "put", "patch", "delete"):
            status = getattr(client, method)(url).status_code
            assert status in (403, 405), f"{who} {method.upper()} {url} → {status}"
    assert table_checksums() == before
