"""List pages as users expect (issue 21 item 3): sortable columns, "n of m", a remembered page
size, the filtered list as CSV (core/listing.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.listing import Sorting, page_size
from organizations.models import User
from tests.planning.factories import StrategicPlanFactory

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff"), "a byte-order mark first (Excel)"
    return list(csv.reader(io.StringIO(body[1:])))


# --- the helper ----------------------------------------------------------------------------------


SORT = Sorting({"title": "title", "years": ("start_year", "end_year")})


@pytest.mark.parametrize(
    "asked",
    [
        "password",
        "-password",
        "organization__users__password",
        "-organization__users__password",
        "created_by__password",
        "title__icontains",
        "--title",
        "",
        "pk; DROP TABLE x",
    ],
)
def test_a_sort_key_outside_the_whitelist_is_ignored(asked):
    bound = SORT.bind(RequestFactory().get("/", {"sort": asked}))
    assert bound.key is None and bound.value == ""
    ordering = bound.apply(User.objects.all()).query.order_by
    text = " ".join(str(o) for o in ordering)
    assert "password" not in text and "users" not in text


def test_a_sort_ends_with_a_tiebreaker_and_nulls_last():
    bound = SORT.bind(RequestFactory().get("/", {"sort": "-years"}))
    assert (bound.key, bound.descending, bound.value) == ("years", True, "-years")
    order = list(bound.apply(User.objects.all()).query.order_by)
    assert [o.expression.name for o in order] == ["start_year", "end_year", "pk"]
    assert all(o.nulls_last and o.descending for o in order)
    # No sort asked: the queryset's own order, the tiebreaker after it.
    plain = SORT.bind(RequestFactory().get("/"))
    order = [str(o) for o in plain.apply(User.objects.order_by("-email")).query.order_by]
    assert order[0] == "-email" and "pk" in order[1]


def test_the_header_link_toggles_ascending_then_descending():
    assert SORT.bind(RequestFactory().get("/")).next_value("title") == "title"
    asc = SORT.bind(RequestFactory().get("/", {"sort": "title"}))
    assert (asc.state("title"), asc.next_value("title")) == ("ascending", "-title")
    desc = SORT.bind(RequestFactory().get("/", {"sort": "-title"}))
    assert (desc.state("title"), desc.next_value("title")) == ("descending", "title")
    assert desc.state("years") == "" and desc.next_value("years") == "years"


def test_the_page_size_is_the_readers_choice_never_above_100(settings, alice):
    request = RequestFactory().get("/")
    request.user = alice
    assert page_size(request) == 25
    alice.page_size = 100
    assert page_size(request) == 100
    alice.page_size = 5000  # not a choice (a hand-made row): the default
    assert page_size(request) == 25
    settings.PAGE_SIZE = 1000
    assert page_size(request) == 100


# --- a list page ---------------------------------------------------------------------------------


def test_plan_list_sorts_by_a_column_keeps_filters_and_survives_pagination(alice, org_a, client):
    for i, title in enumerate(
        ["Charlie plan", "Alpha plan", "Bravo plan"] + [f"Zulu {n:02}" for n in range(30)]
    ):
        StrategicPlanFactory(organization=org_a, title=title, start_year=2025 + i % 3)
    client.force_login(alice)
    url = reverse("planning:plan-list")
    page = client.get(url, {"sort": "title", "status": "draft"}).content.decode()
    assert page.index("Alpha plan") < page.index("Bravo plan") < page.index("Charlie plan")
    assert 'aria-sort="ascending"' in page
    assert "Showing 1–25 of 33" in page
    # the header link now asks for descending, keeping the filter; "Next" keeps both
    assert 'href="?sort=-title&amp;status=draft"' in page
    assert 'href="?sort=years&amp;status=draft"' in page
    assert 'href="?sort=title&amp;status=draft&amp;page=2" rel="next"' in page
    page2 = client.get(url, {"sort": "title", "status": "draft", "page": 2}).content.decode()
    assert "Showing 26–33 of 33" in page2 and "Zulu 29" in page2 and "Alpha plan" not in page2
    desc = client.get(url, {"sort": "-title"}).content.decode()
    assert 'aria-sort="descending"' in desc and "Zulu 29" in desc and "Alpha plan" not in desc
    # a key outside the whitelist: the usual order, no error
    assert client.get(url, {"sort": "organization__users__password"}).status_code == 200


def test_the_page_size_is_remembered_and_the_list_shows_it(alice, org_a, client):
    for n in range(60):
        StrategicPlanFactory(organization=org_a, title=f"Plan {n:02}")
    client.force_login(alice)
    url = reverse("planning:plan-list")
    assert "Showing 1–25 of 60" in client.get(url).content.decode()
    back = client.post(
        reverse("accounts:page-size"),
        {"page_size": "50"},
        HTTP_REFERER=f"http://testserver{url}?sort=title&page=2",
    )
    assert back.status_code == 302 and back["Location"] == f"{url}?sort=title"
    alice.refresh_from_db()
    assert alice.page_size == 50
    page = client.get(url, {"sort": "title"}).content.decode()
    assert "Showing 1–50 of 60" in page and '<option value="50" selected>' in page
    # never more than 100, never a foreign site
    back = client.post(
        reverse("accounts:page-size"), {"page_size": "1000", "next": "https://evil.example/"}
    )
    alice.refresh_from_db()
    assert alice.page_size == 50 and back["Location"] == reverse("home")


def test_olga_ocm_may_choose_her_page_size(olga, client):
    client.force_login(olga)
    assert client.post(reverse("accounts:page-size"), {"page_size": "100"}).status_code == 302
    olga.refresh_from_db()
    assert olga.page_size == 100


# --- CSV export ----------------------------------------------------------------------------------


def test_plan_export_is_the_filtered_sorted_list_of_the_readers_organization_only(
    alice, charlie, org_a, org_b, client
):
    StrategicPlanFactory(organization=org_a, title="Bravo", status="draft")
    StrategicPlanFactory(organization=org_a, title="Alpha", status="draft")
    StrategicPlanFactory(organization=org_a, title="Approved one", status="approved")
    StrategicPlanFactory(organization=org_a, title='=HYPERLINK("http://x")', status="draft")
    StrategicPlanFactory(organization=org_b, title="Foreign plan of B", status="draft")
    client.force_login(alice)
    response = client.get(reverse("planning:plan-export"), {"status": "draft", "sort": "-title"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{org_a.code}-strategic-plans-'
    )
    rows = rows_of(response)
    assert rows[0][:3] == ["Title", "Start year", "End year"]
    assert [r[0] for r in rows[1:]] == ["Bravo", "Alpha", '\'=HYPERLINK("http://x")']
    assert "Foreign plan of B" not in response.content.decode()
    client.force_login(charlie)
    foreign = client.get(reverse("planning:plan-export")).content.decode()
    assert "Foreign plan of B" in foreign
    assert not any(t in foreign for t in ("Bravo", "Alpha", "Approved one"))


# --- query counts: a sorted page and an export cost the same whatever the rows -------------------


def _grow_plans(org, actor, n):
    for _ in range(n):
        StrategicPlanFactory(organization=org, created_by=actor)


def _grow_proposals(org, actor, n):
    from tests.budgeting.factories import BudgetProposalFactory

    for _ in range(n):
        BudgetProposalFactory(organization=org, created_by=actor)


def _grow_partnerships(org, actor, n):
    from tests.coordination.factories import PartnershipFactory

    for _ in range(n):
        PartnershipFactory(organization=org)


def _grow_bc_plans(org, actor, n):
    from bcp.models import Plan

    start = Plan.objects.filter(organization=org).count()
    for i in range(n):
        from tests.bcp.factories import make_plan

        make_plan(org, actor, title=f"Plan {start + i}")


def _grow_members(org, actor, n):
    from tests.factories import MembershipFactory

    for _ in range(n):
        MembershipFactory(organization=org)


def _grow_audit(org, actor, n):
    from organizations import services
    from tests.factories import DepartmentFactory

    for i in range(n):
        services.department_update(
            actor=actor, department=DepartmentFactory(organization=org), head=f"Head {i}"
        )


#: (list or export URL name, sort, grow) → the pinned query count (sorted, stale cache).
PINS = {
    ("planning:plan-list", "-author", _grow_plans): 3,
    ("planning:plan-export", "-author", _grow_plans): 2,
    ("budgeting:proposal-list", "-requested", _grow_proposals): 3,
    ("budgeting:proposal-export", "-requested", _grow_proposals): 2,
    ("coordination:partnership-list", "-participants", _grow_partnerships): 4,
    ("coordination:partnership-export", "-participants", _grow_partnerships): 2,
    # + the reviews waiting for the reader, the department choices of the filter
    ("bcp:plan-list", "-department", _grow_bc_plans): 5,
    ("bcp:plan-export", "-department", _grow_bc_plans): 2,
    ("organizations:member-list", "role", _grow_members): 4,
    ("organizations:member-export", "role", _grow_members): 2,
    ("organizations:audit-log", "-who", _grow_audit): 3,
    ("organizations:audit-log-export", "-who", _grow_audit): 2,
}


@pytest.mark.parametrize(
    ("name", "sort", "grow", "expected"),
    [(*key, value) for key, value in PINS.items()],
    ids=[key[0] for key in PINS],
)
def test_sorted_pages_and_exports_cost_the_same_whatever_the_rows(
    name, sort, grow, expected, alice, org_a, client, django_assert_num_queries
):
    client.force_login(alice)
    url = reverse(name)
    grow(org_a, alice, 2)
    client.get(url, {"sort": sort})  # warm: session and tenancy profile cached
    for more in (0, 30):
        grow(org_a, alice, more)
        client.get(url, {"sort": sort})
        # a path not seen before: no cached fragment answers for the list
        with django_assert_num_queries(expected):
            response = client.get(url, {"sort": sort, "page": 2, "seen": more})
        assert response.status_code == 200


def test_audit_log_export_has_readable_changes_and_only_the_organizations_entries(
    alice, charlie, org_a, org_b, client
):
    from organizations import services
    from tests.factories import DepartmentFactory

    services.department_update(
        actor=alice, department=DepartmentFactory(organization=org_a, name="Ours"), head="=1+1"
    )
    from core import audit

    audit.record(
        actor=charlie,
        action="department.updated",
        subject=DepartmentFactory(organization=org_b, name="Theirs"),
    )
    client.force_login(alice)
    response = client.get(reverse("organizations:audit-log-export"), {"sort": "-when"})
    rows = rows_of(response)
    assert rows[0] == [
        "When", "Who", "Action", "Record type", "Record", "Changes", "Request", "Address"
    ]  # fmt: skip
    body = response.content.decode()
    assert "Ours" in body and "Theirs" not in body
    assert any("→ =1+1" in cell for row in rows for cell in row)  # inside a cell, not first
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def _foreign_plan(org, marker):
    StrategicPlanFactory(organization=org, title=marker)


def _foreign_proposal(org, marker):
    from tests.budgeting.factories import BudgetProposalFactory

    BudgetProposalFactory(organization=org, title=marker)


def _foreign_partnership(org, marker):
    from tests.coordination.factories import PartnershipFactory

    PartnershipFactory(organization=org, title=marker)


def _foreign_bc_plan(org, marker):
    from bcp.models import Plan
    from tests.bcp.factories import departmental_template
    from tests.factories import UserFactory

    Plan.objects.create(
        organization=org, title=marker, template=departmental_template(), owner=UserFactory()
    )


def _foreign_member(org, marker):
    from tests.factories import MembershipFactory, UserFactory

    MembershipFactory(organization=org, user=UserFactory(email=f"{marker.lower()}@test.bmms"))


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("planning:plan-export", _foreign_plan),
        ("budgeting:proposal-export", _foreign_proposal),
        ("coordination:partnership-export", _foreign_partnership),
        ("bcp:plan-export", _foreign_bc_plan),
        ("organizations:member-export", _foreign_member),
        ("incidents:incident-export", None),
    ],
)
def test_an_export_never_holds_another_organizations_rows(
    name, make, alice, charlie, org_a, org_b, client
):
    """Org B's record is in charlie's export of the same list, never in alice's (org A)."""
    marker = "Foreignmarker"
    if make is not None:
        make(org_b, marker)
    else:
        from tests.incidents.factories import declare

        declare(charlie, org_b, title=marker)
    client.force_login(alice)
    ours = client.get(reverse(name))
    assert ours.status_code == 200 and marker.lower() not in ours.content.decode().lower()
    client.force_login(charlie)
    theirs = client.get(reverse(name))
    assert theirs.status_code == 200 and marker.lower() in theirs.content.decode().lower()
