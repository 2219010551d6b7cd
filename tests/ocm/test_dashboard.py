"""The OCM dashboard: access by level, numbers equal SQL sums, 'no data', constant queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from core.formats import file_stamp
from ocm import selectors
from ocm.services import refresh
from organizations.models import Organization

pytestmark = pytest.mark.django_db


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_access_by_level(client, alice, olga, ocm_viewer, root):
    dashboard = reverse("ocm:dashboard")
    drill = reverse("ocm:organization-detail", args=["MOH"])
    export = reverse("ocm:export", args=["organizations"])
    assert client.get(dashboard).status_code == 302
    client.force_login(alice)  # a member, not OCM
    assert client.get(dashboard).status_code == 403
    client.force_login(ocm_viewer)
    assert client.get(dashboard).status_code == 200
    response = client.get(drill)
    assert response.status_code == 403 and "needs OCM analyst access" in response.content.decode()
    assert client.get(export).status_code == 403
    for user in (olga, root):
        client.force_login(user)
        assert [client.get(u).status_code for u in (dashboard, drill, export)] == [200] * 3


def test_numbers_equal_independent_sql(client, olga, seeded):
    refresh()
    data = selectors.dashboard()
    rows = {r.code: r for r in data.rows}
    assert (
        data.totals["organizations"]
        == sql("SELECT count(*) FROM organizations_organization WHERE is_active")[0][0]
        == 44
    )
    # Partnerships: only those shared with the OCM; participations only when accepted.
    visible_total = sql("SELECT count(*) FROM coordination_partnership WHERE visible_to_ocm")[0][0]
    assert data.totals["coordination"]["total"] == visible_total == 2
    for code in ("MOH", "MOLE", "MAFAR", "MSSD"):
        led = sql(
            """SELECT count(*) FROM coordination_partnership p
                     JOIN organizations_organization o ON o.id = p.organization_id
                     WHERE p.visible_to_ocm AND o.code = %s""",
            [code],
        )[0][0]
        joined = sql(
            """SELECT count(*) FROM coordination_partnershipparticipant pp
                        JOIN coordination_partnership p ON p.id = pp.partnership_id
                        JOIN organizations_organization o ON o.id = pp.organization_id
                        WHERE p.visible_to_ocm AND pp.state = 'accepted' AND o.code = %s""",
            [code],
        )[0][0]
        section = rows[code].section("coordination")
        if led or joined:
            assert (section["led"], section["participating"]) == (led, joined), code
        else:
            assert section == {"has_data": False}, code
    assert rows["MSSD"].section("coordination") == {"has_data": False}  # its partnership is hidden
    assert data.totals["coordination"]["network"] == [["MOH", "MOLE", 1], ["MOLE", "MAFAR", 1]]
    # Members and active users.
    for code in ("MAFAR", "MOH"):
        members, active = sql(
            """SELECT count(DISTINCT m.user_id),
                                   count(DISTINCT m.user_id) FILTER (
                                     WHERE u.last_login >= now() - interval '30 days'
                                     AND u.is_active)
                                 FROM organizations_membership m
                                 JOIN organizations_user u ON u.id = m.user_id
                                 JOIN organizations_organization o ON o.id = m.organization_id
                                 WHERE o.code = %s""",
            [code],
        )[0]
        rollout = rows[code].section("rollout")
        assert (rollout["members"], rollout["active_30d"]) == (members, active)
    assert rows["MAFAR"].section("rollout")["active_30d"] == 1


def test_page_shows_no_data_instead_of_zero_and_sorts(client, olga, seeded):
    refresh()
    client.force_login(olga)
    page = client.get(reverse("ocm:dashboard"), {"sort": "-participating"}).content.decode()
    assert "Data as of" in page and "no data" in page
    assert page.count("<tr>") >= 44
    first_rows = page.split("All organizations", 1)[1]
    assert first_rows.index(">MOLE<") < first_rows.index(">MSSD<")


def test_csv_downloads_carry_the_same_figures(client, olga, seeded):
    refresh()
    client.force_login(olga)
    response = client.get(reverse("ocm:export", args=["organizations"]))
    raw = response.content.decode()
    # Issue 21: a BOM for Excel, the header row first, the data-as-of time in the file name.
    assert raw.startswith("\ufeffCode,")
    computed = selectors.dashboard().computed_at
    assert (
        f'filename="ocm-organizations-{file_stamp(computed)}.csv"'
        in (response["Content-Disposition"])
    )
    lines = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    header, body = lines[0], lines[1:]
    assert len(body) == 44
    moh = dict(zip(header, next(r for r in body if r[0] == "MOH"), strict=True))
    assert moh["Partnerships led"] == "1" and moh["Partnerships joined"] == "0"
    mssd = dict(zip(header, next(r for r in body if r[0] == "MSSD"), strict=True))
    assert mssd["Partnerships led"] == "no data"
    network = client.get(reverse("ocm:export", args=["network"])).content.decode()
    assert "MOH,MOLE,1" in network
    assert client.get(reverse("ocm:export", args=["nope"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_refreshes_the_summaries(seeded, org_b):
    """Real commits (no test transaction): each committed write leads to one refresh."""
    from tests.coordination.factories import PartnershipFactory

    before = {r.code: r for r in selectors.dashboard().rows}["MOLE"]
    assert before.section("coordination")["led"] == 1
    PartnershipFactory(organization=org_b, visible_to_ocm=True)
    rows = {r.code: r for r in selectors.dashboard().rows}
    assert rows["MOLE"].section("coordination")["led"] == 2


@pytest.mark.django_db(transaction=True)
def test_writes_while_a_refresh_is_queued_share_it(seeded, org_b):
    """A queued refresh covers every write committed before it runs; those writes queue no other
    (one recomputation per OCM_REFRESH_DELAY_SECONDS, not one per write), and once it has run the
    next write queues its own."""
    from django.core.cache import cache

    from ocm.services import PENDING_KEY
    from ocm.tasks import refresh_summaries
    from tests.coordination.factories import PartnershipFactory

    def mole_led():
        return {r.code: r for r in selectors.dashboard().rows}["MOLE"].section("coordination")[
            "led"
        ]

    assert mole_led() == 1
    assert cache.add(PENDING_KEY, True)  # a refresh is queued, as after a first write
    PartnershipFactory(organization=org_b, visible_to_ocm=True)
    PartnershipFactory(organization=org_b, visible_to_ocm=True)
    assert mole_led() == 1  # both writes wait for the queued refresh
    refresh_summaries()  # the queued refresh runs (the worker, after the delay)
    assert mole_led() == 3 and cache.get(PENDING_KEY) is None
    PartnershipFactory(organization=org_b, visible_to_ocm=True)
    assert mole_led() == 4  # queued (and run at once: tests run tasks eagerly)
    assert cache.get(PENDING_KEY) is None


@pytest.mark.parametrize("shrink", [False, True])
def test_dashboard_query_count_is_constant(client, olga, seeded, shrink, django_assert_num_queries):
    """Same count with 44 organizations and with 5, with 2 partnerships and with 60."""
    from django.core.cache import cache

    from tests.coordination.factories import ParticipantFactory, PartnershipFactory

    if shrink:
        Organization.objects.exclude(code__in=["MOH", "MOLE", "MAFAR", "MSSD", "OCM"]).update(
            is_active=False
        )
    else:
        orgs = list(Organization.objects.all()[:20])
        for i in range(60):
            p = PartnershipFactory(organization=orgs[i % 20], visible_to_ocm=True)
            ParticipantFactory(partnership=p, organization=orgs[(i + 1) % 20], state="accepted")
    refresh()
    client.force_login(olga)
    client.get(reverse("ocm:dashboard"))  # session and tenancy profile cached
    cache.delete("ocm:dashboard")
    with django_assert_num_queries(3):  # user, data-as-of, summaries
        assert client.get(reverse("ocm:dashboard")).status_code == 200
    with django_assert_num_queries(1):  # warm: the user only, the rest from the cache
        assert client.get(reverse("ocm:dashboard")).status_code == 200


def test_bc_readiness_equals_independent_sql(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from bcp.models import Plan

    plan = Plan.objects.filter(organization__code="MOLE").first()
    Plan.objects.filter(pk=plan.pk).update(next_review_date="2020-01-01")  # overdue
    refresh()
    rows = {r.code: r for r in selectors.dashboard().rows}
    for code in ("MOH", "MOLE", "MAFAR"):
        approved_current, overdue = sql(
            """SELECT count(*) FILTER (WHERE p.status = 'approved'
                        AND p.current_version_id IS NOT NULL
                        AND (p.next_review_date IS NULL OR p.next_review_date >= current_date)),
                      count(*) FILTER (WHERE p.next_review_date < current_date)
               FROM bcp_plan p JOIN organizations_organization o ON o.id = p.organization_id
               WHERE o.code = %s AND p.status <> 'archived'""",
            [code],
        )[0]
        not_exercised = sql(
            """SELECT count(*) FROM bcp_criticalprocess cp
               JOIN bcp_plan p ON p.id = cp.plan_id
               JOIN organizations_organization o ON o.id = p.organization_id
               WHERE o.code = %s AND p.status <> 'archived' AND NOT EXISTS (
                 SELECT 1 FROM bcp_exerciseresult r JOIN bcp_exercise e ON e.id = r.exercise_id
                 WHERE r.process_id = cp.id AND e.held_on >= current_date - 365)""",
            [code],
        )[0][0]
        section = rows[code].section("bcp")
        assert (
            section["approved_current"],
            section["overdue_reviews"],
            section["not_exercised_12m"],
        ) == (approved_current, overdue, not_exercised), code
    assert rows["MOLE"].section("bcp")["overdue_reviews"] == 1
    assert rows["MSSD"].section("bcp") == {"has_data": False}


def test_executive_briefing_pdf_reads_back_with_the_dashboard_figures(
    client, alice, olga, ocm_viewer
):
    import pdfplumber
    from django.core.management import call_command

    from core import formats

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - pilot budgets
    refresh()
    from organizations.models import OCMAccess
    from tests.factories import OCMAccessFactory, UserFactory

    executive = UserFactory(email="exec@test.bmms")
    OCMAccessFactory(user=executive, level=OCMAccess.Level.EXECUTIVE)
    url = reverse("ocm:briefing")
    for user in (alice, ocm_viewer, olga):  # a member, a viewer, an analyst
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403
    assert "needs OCM executive access" in response.content.decode()
    client.force_login(executive)
    page = client.get(reverse("ocm:dashboard")).content.decode()
    assert url in page and "Executive briefing (PDF)" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="ocm-briefing-')
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = " ".join(" ".join(p.extract_text() or "" for p in pdf.pages).split())
        pages = len(pdf.pages)
    data = selectors.dashboard()
    from budgeting.templatetags.money import peso

    current = data.totals["budget"]["current"]
    assert "Executive briefing: the Bangsamoro government at a glance" in text
    assert f"data as of {formats.datetime(data.computed_at)}" in text  # "2 Dec 2026 14:05"
    assert peso(current["approved"]) in text  # the same total as the dashboard's tile
    moh = next(r for r in data.rows if r.code == "MOH")
    assert f"MOH {peso(moh.section('budget')['current']['approved'])}" in text
    # Organizations without a budget this year are named on one line, not a "no data" row each
    # (and never ₱0.00).
    assert "MSSD no data" not in text
    no_budget = sorted(r.code for r in data.rows if not r.section("budget").get("current"))
    assert len(no_budget) > 30
    assert f"No data yet: {', '.join(no_budget)}." in text
    # The charts beside the tables: their titles, legends and labels are text in the PDF.
    assert "Budget utilization and disbursement rates by organization (%)" in text
    assert "Utilization rate (obligated ÷ allotted)" in text
    moh_rate = moh.section("budget")["current"]["utilization_rate"]
    assert f"{float(moh_rate):.1f}%" in text  # MOH's bar label
    assert "BC readiness of the organizations" in text
    assert f"No data: {data.totals['bcp']['no_data']}" in text  # a pie slice's label
    assert pages <= 4  # was 5 with 44 rows of the budget table
    # The same figures give the same bytes (no clock inside the file).
    assert client.get(url).content == response.content
