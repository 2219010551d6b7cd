"""Query counts of the pages issue 16 touched or added (version comparison, version text,
readiness check) do not grow with the content or the rows. Pinned: a change is a decision."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bcp import services
from bcp.content import MAX_SECTION_LINES
from bcp.models import Risk
from tests.bcp.factories import full_content

pytestmark = pytest.mark.django_db

DIFF_QUERIES = 5
TEXT_QUERIES = 5
# Issue 18: +2 (the continuity policy, the overdue corrective actions).
READINESS_QUERIES = 18  # 15, and the structured strategies and dependencies (issue 18 item 7)


def _second_version(plan, carol, lines: int):
    content = full_content(plan.template)
    content["roles_and_responsibilities"] = "\n".join(f"line {i}" for i in range(lines))
    return services.version_create_draft(
        actor=carol, plan=plan, content=content, change_note="long"
    )


@pytest.mark.parametrize("lines", [1, MAX_SECTION_LINES])
def test_the_comparison_and_the_text_download(
    lines, approved_plan, carol, client, django_assert_num_queries
):
    version = _second_version(approved_plan, carol, lines)
    client.force_login(carol)
    diff = reverse("bcp:version-diff", args=[approved_plan.public_id]) + "?a=1&b=2"
    text = reverse("bcp:version-text", args=[version.public_id])
    client.get(diff), client.get(text)  # warm: session, tenancy profile
    with django_assert_num_queries(DIFF_QUERIES):
        assert client.get(diff).status_code == 200
    with django_assert_num_queries(TEXT_QUERIES):
        assert client.get(text).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_the_readiness_check(rows, approved_plan, carol, client, django_assert_num_queries):
    Risk.objects.bulk_create(
        Risk(plan=approved_plan, threat=f"Threat {n}", likelihood=5, impact=5) for n in range(rows)
    )
    for n in range(rows):
        services.process_create(
            actor=carol, plan=approved_plan, name=f"P{n}", rto_minutes=60, mtpd_minutes=240
        )
    client.force_login(carol)
    url = reverse("bcp:plan-readiness", args=[approved_plan.public_id])
    client.get(url)
    with django_assert_num_queries(READINESS_QUERIES):
        assert client.get(url).status_code == 200
