"""The portal search (issue 21 item 2): one box in the header, results grouped by kind, every
kind scoped to what the user may see. A foreign record never appears, not even as a count."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bcp.models import CriticalProcess
from coordination.models import ParticipantState
from core.search import SEARCH_MAX_LENGTH
from core.tenancy import forget_tenancy
from organizations import site_search
from organizations.models import Organization
from tests.bcp.factories import make_plan
from tests.budgeting.factories import BudgetProposalFactory, ProgramBudgetFactory
from tests.coordination.factories import ParticipantFactory, PartnershipFactory
from tests.factories import MembershipFactory, UserFactory
from tests.planning.factories import StrategicGoalFactory, StrategicPlanFactory

pytestmark = pytest.mark.django_db

WORD = "Zamboanga"
#: The kinds owned by an organization (organizations are public to every signed-in user).
OWNED = ["plans", "goals", "proposals", "programs", "partnerships", "bc-plans", "processes"]


def records_of(organization, editor, tag: str) -> dict:
    """One record of every kind in `organization` whose name holds WORD (and `tag`)."""
    plan = StrategicPlanFactory(organization=organization, title=f"{WORD} {tag} strategy")
    proposal = BudgetProposalFactory(organization=organization, title=f"{WORD} {tag} budget")
    bc_plan = make_plan(organization, editor, title=f"{WORD} {tag} continuity plan")
    person = UserFactory(email=f"{tag}@zz.test", first_name=WORD, last_name=tag.title())
    MembershipFactory(user=person, organization=organization)
    return {
        "plans": plan,
        "goals": StrategicGoalFactory(plan=plan, title=f"{WORD} {tag} clinics"),
        "proposals": proposal,
        "programs": ProgramBudgetFactory(proposal=proposal, name=f"{WORD} {tag} outreach"),
        "partnerships": PartnershipFactory(
            organization=organization, title=f"{WORD} {tag} partnership"
        ),
        "bc-plans": bc_plan,
        "processes": CriticalProcess.objects.create(plan=bc_plan, name=f"{WORD} {tag} payroll"),
        "people": person,
    }


@pytest.fixture
def both(alice, charlie, org_a, org_b):
    return records_of(org_a, alice, "ours"), records_of(org_b, charlie, "theirs")


def counts(user, text=WORD) -> dict[str, str]:
    return {r.key: r.count for r in site_search.search(user, text)}


def titles(user, key, text=WORD) -> list[str]:
    (result,) = site_search.search(user, text, [site_search.BY_KEY[key]])
    return [hit.title for hit in result.hits]


@pytest.mark.parametrize("key", [*OWNED, "people"])
def test_a_foreign_record_is_absent_and_not_counted(key, both, alice, charlie):
    assert counts(alice)[key] == "1"
    assert all("theirs" not in t.lower() for t in titles(alice, key))
    assert counts(charlie)[key] == "1"
    assert all("ours" not in t.lower() for t in titles(charlie, key))


def test_the_page_shows_neither_a_foreign_record_nor_its_count(both, alice, client):
    client.force_login(alice)
    page = client.get(reverse("search"), {"q": WORD}).content.decode()
    assert "theirs" not in page.lower()
    assert "@zz.test" in page  # people are found (their e-mail shown)
    badges = re.findall(r'<span class="badge"[^>]*>(\S+)</span>', page)
    assert badges and set(badges) == {"1"}  # every kind counts one: org A's
    for key in OWNED:
        page_of_kind = client.get(reverse("search"), {"q": WORD, "kind": key}).content.decode()
        assert "theirs" not in page_of_kind.lower()


def test_ocm_reads_every_organization_but_only_shared_partnerships(both, olga):
    ours, theirs = both
    ours["partnerships"].visible_to_ocm = True
    ours["partnerships"].save(update_fields=["visible_to_ocm"])
    found = counts(olga)
    assert {key: found[key] for key in OWNED if key != "partnerships"} == {
        key: "2" for key in OWNED if key != "partnerships"
    }
    assert found["partnerships"] == "1"
    assert titles(olga, "partnerships") == [ours["partnerships"].title]
    assert found["people"] == "2"


def test_a_participant_sees_the_partnership_an_invited_admin_too(both, alice, charlie, bob):
    ours, theirs = both
    ParticipantFactory(partnership=theirs["partnerships"], organization=ours["plans"].organization)
    # invited, not answered: org A's admin sees it (to answer), its viewer does not
    assert counts(alice)["partnerships"] == "2"
    assert counts(bob)["partnerships"] == "1"


def test_accepted_participation_opens_the_partnership_to_every_member(both, bob):
    ours, theirs = both
    ParticipantFactory(
        partnership=theirs["partnerships"],
        organization=ours["plans"].organization,
        state=ParticipantState.ACCEPTED,
    )
    assert counts(bob)["partnerships"] == "2"


def test_a_module_switched_off_hides_its_kinds(both, alice, org_a):
    from waffle.models import Flag

    Flag.objects.get(name="module.planning").scope.excluded_organizations.add(org_a)
    forget_tenancy(alice)  # the profile cached on the object (the next request rebuilds it)
    found = counts(alice)
    assert found["plans"] == "0" and found["goals"] == "0"
    assert found["proposals"] == "1"


def test_organizations_are_found_by_name_and_code(alice):
    assert "Ministry of Health" in titles(alice, "organizations", "Health")
    assert titles(alice, "organizations", "MOH")[0] == Organization.objects.get(code="MOH").name


def test_words_are_stemmed_and_names_may_be_partial(both, alice):
    assert titles(alice, "goals", "clinic") == [f"{WORD} ours clinics"]  # stemmed
    assert titles(alice, "programs", "Zambo") == [f"{WORD} ours outreach"]  # trigram
    assert titles(alice, "people", "ours@zz") == [f"{WORD} Ours"]  # e-mail


def test_a_short_or_long_text_is_not_searched(alice, client):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("search"), {"q": "ab"}).content.decode()
    assert site_search.TOO_SHORT in page
    too_long = "y" * (SEARCH_MAX_LENGTH + 1)
    page = client.get(reverse("search"), {"q": too_long}).content.decode()
    assert "Search text is at most" in page
    assert not any("websearch_to_tsquery" in q["sql"] for q in ctx.captured_queries)


def test_each_kind_reads_at_most_the_cap(alice, org_a):
    plan = StrategicPlanFactory(organization=org_a, title="Capped plan")
    for i in range(site_search.CAP + 3):
        StrategicGoalFactory(plan=plan, title=f"Capped goal {i}")
    (result,) = site_search.search(alice, "capped goal", [site_search.BY_KEY["goals"]])
    assert result.capped and result.count == f"{site_search.CAP}+"
    assert len(result.hits) == site_search.CAP


def test_the_header_box_is_on_every_signed_in_page_and_costs_no_query(
    alice, client, django_assert_num_queries
):
    client.force_login(alice)
    client.get(reverse("home"))
    page = client.get(reverse("home")).content.decode()
    assert 'role="search"' in page and f'action="{reverse("search")}"' in page
    assert f'maxlength="{SEARCH_MAX_LENGTH}"' in page
    assert re.search(r'<label for="header-search-q"[^>]*>[^<]+</label>', page)
    # the home page's pinned count (tests/organizations/test_query_counts.py) is unchanged
    with django_assert_num_queries(2):
        client.get(reverse("home"))


def test_the_results_page_query_count_is_pinned(alice, org_a, client, django_assert_num_queries):
    """The user (the session is cached), then one query for every kind (UNION ALL): constant in
    the rows and the kinds."""
    client.force_login(alice)
    url = reverse("search")
    records_of(org_a, alice, "one")
    client.get(url, {"q": WORD})  # warm: session and tenancy profile cached
    expected = 2
    with django_assert_num_queries(expected):
        assert client.get(url, {"q": WORD}).status_code == 200
    for i in range(3):
        records_of(org_a, alice, f"more{i}")
    client.get(url, {"q": WORD})
    with django_assert_num_queries(expected):
        assert client.get(url, {"q": WORD}).status_code == 200
