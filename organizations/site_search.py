"""The portal search: one box in the header, over everything the user may see.

Kinds: strategic plans, goals, budget proposals, programs, partnerships, BC plans, critical
processes, people and organizations. Every kind starts from its tenancy door
(`Model.objects.for_user(user)`, the partnerships' `partnership_scope` behind it, the people's
`policies.people_scope`), so a record the user may not open is never read, not even counted.

A record matches when its full-text document (organizations/fulltext.py: PostgreSQL
`to_tsvector('english', …) @@ websearch_to_tsquery('english', text)`) matches, or when its name
is close to the text (pg_trgm word similarity, `%>`). Both are GIN-indexed. Results are ranked by
`ts_rank` of the stored document; people by name, organizations by trigram similarity.

Bounded work: the text is at most SEARCH_MAX_LENGTH characters (core/search.py) and at
least MIN_LENGTH; each kind reads at most CAP + 1 rows, all kinds in one UNION ALL query; the
overview shows the first PER_KIND of each, the page of one kind up to CAP, and a count over CAP
reads "50+".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity
from django.db.models import F, FloatField, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from core import policies, versioned_cache
from core.search import SEARCH_MAX_LENGTH, TOO_LONG

from . import fulltext

MIN_LENGTH = 3
TOO_SHORT = f"Type at least {MIN_LENGTH} characters to search."
#: Rows shown per kind on the overview.
PER_KIND = 5
#: Rows read per kind (the page of one kind shows them all); above it the count reads "50+".
CAP = 50


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class KindResult:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    #: More than CAP rows match.
    capped: bool = False

    @property
    def count(self) -> str:
        return f"{CAP}+" if self.capped else str(len(self.hits))


def _select(queryset: QuerySet, *fields: str, **expressions: Any):
    """A kind's rows and the columns its hit reads: (queryset, {name: expression})."""
    return queryset, {name: F(name) for name in fields} | expressions


def _ranked(queryset: QuerySet, text: str, *, name: str) -> QuerySet:
    """Rows of `queryset` whose stored document matches the words or whose name is close to the
    text (organizations/fulltext.py: both GIN-indexed), best first: by `ts_rank` of the stored
    document (names close to the text but without the words come after, by name). Ranking by
    trigram similarity too would compute it for every match (40 ms for 4,000 programs)."""
    query = fulltext.query(text)
    document = F(fulltext.DOCUMENT)
    return (
        queryset.filter(
            Q(**{fulltext.DOCUMENT: query}) | Q(**{f"{name}__trigram_word_similar": text})
        )
        .annotate(_rank=SearchRank(document, query))
        .order_by("-_rank", name, "pk")
    )


def _org(row: dict, key: str = "org") -> str:
    return row[key] or ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    #: (user, text) → the matching rows, best first (unsliced), and the columns read from
    #: them (`_select`): the hit gets a dict of those names.
    rows: Callable[[Any, str], tuple[QuerySet, dict[str, Any]]]
    hit: Callable[[dict], Hit]


# --- the kinds -------------------------------------------------------------------------------


def _strategic_plans(user, text):
    from planning.models import StrategicPlan

    qs = StrategicPlan.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="title"),
        "public_id",
        "title",
        "start_year",
        "end_year",
        "status",
        org=F("organization_id"),
    )


def _strategic_plan_hit(row):
    from planning.models import StrategicPlan

    status = StrategicPlan.Status(row["status"]).label
    return Hit(
        row["title"],
        f"{_org(row)} · {row['start_year']}–{row['end_year']} · {status}",
        reverse("planning:plan-detail", args=[row["public_id"]]),
    )


def _goals(user, text):
    from planning.models import StrategicGoal

    qs = StrategicGoal.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="title"),
        "public_id",
        "title",
        plan_public_id=F("plan__public_id"),
        plan_title=F("plan__title"),
        org=F("plan__organization_id"),
    )


def _goal_hit(row):
    url = reverse("planning:plan-detail", args=[row["plan_public_id"]])
    return Hit(
        row["title"],
        f"{_org(row)} · goal of {row['plan_title']}",
        f"{url}#goal-{row['public_id']}",
    )


def _proposals(user, text):
    from budgeting.models import BudgetProposal

    qs = BudgetProposal.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="title"),
        "public_id",
        "title",
        "fiscal_year",
        "status",
        org=F("organization_id"),
    )


def _proposal_hit(row):
    from budgeting.models import BudgetProposal

    status = BudgetProposal.Status(row["status"]).label
    return Hit(
        row["title"],
        f"{_org(row)} · FY {row['fiscal_year']} · {status}",
        reverse("budgeting:proposal-detail", args=[row["public_id"]]),
    )


def _programs(user, text):
    from budgeting.models import ProgramBudget

    qs = ProgramBudget.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="name"),
        "public_id",
        "name",
        "code",
        year=F("proposal__fiscal_year"),
        org=F("proposal__organization_id"),
    )


def _program_hit(row):
    code = f"{row['code']} · " if row["code"] else ""
    return Hit(
        row["name"],
        f"{_org(row)} · {code}program of the FY {row['year']} proposal",
        reverse("budgeting:program-items", args=[row["public_id"]]),
    )


def _partnerships(user, text):
    from coordination.models import Partnership

    qs = Partnership.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="title"), "public_id", "title", "status", org=F("organization_id")
    )


def _partnership_hit(row):
    from coordination.models import Partnership

    status = Partnership.Status(row["status"]).label
    return Hit(
        row["title"],
        f"Led by {_org(row)} · {status}",
        reverse("coordination:partnership-detail", args=[row["public_id"]]),
    )


def _bc_plans(user, text):
    from bcp.models import Plan

    qs = Plan.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="title"),
        "public_id",
        "title",
        "status",
        org=F("organization_id"),
        department_name=F("department__name"),
    )


def _bc_plan_hit(row):
    from bcp.models import Plan

    status = Plan.Status(row["status"]).label
    department = f" · {row['department_name']}" if row["department_name"] else ""
    return Hit(
        row["title"],
        f"{_org(row)}{department} · {status}",
        reverse("bcp:plan-detail", args=[row["public_id"]]),
    )


def _processes(user, text):
    from bcp.models import CriticalProcess

    qs = CriticalProcess.objects.for_user(user)
    return _select(
        _ranked(qs, text, name="name"),
        "public_id",
        "name",
        plan_title=F("plan__title"),
        org=F("plan__organization_id"),
    )


def _process_hit(row):
    return Hit(
        row["name"],
        f"{_org(row)} · critical process of {row['plan_title']}",
        reverse("bcp:process-detail", args=[row["public_id"]]),
    )


def _people(user, text):
    """Members of the organizations whose people the user may see (the member-visibility
    policy): every word must be in the first name, last name or e-mail address."""
    condition = Q()
    for word in text.split()[:5]:
        condition &= (
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    return _select(
        policies.people_scope(user)
        .filter(condition)
        .order_by("user__last_name", "user__first_name", "user__email", "organization__code"),
        "role",
        "user__first_name",
        "user__last_name",
        "user__email",
        org=F("organization_id"),
    )


def _person_hit(row):
    from core.tenancy import Role

    name = f"{row['user__first_name']} {row['user__last_name']}".strip() or row["user__email"]
    role = Role(row["role"]).label
    return Hit(
        name,
        f"{row['user__email']} · {_org(row)} · {role}",
        reverse("organizations:organization-detail", args=[row["org"]]),
    )


def _organizations(user, text):
    from .models import Organization

    return _select(
        Organization.objects.filter(is_active=True)
        .filter(
            Q(name__trigram_word_similar=text)
            | Q(name__icontains=text)
            | Q(code__iexact=text)
            | Q(acronym__iexact=text)
        )
        .annotate(_rank=Coalesce(TrigramWordSimilarity(text, "name"), Value(0.0)))
        .order_by("-_rank", "code"),
        "code",
        "name",
        "category",
    )


def _organization_hit(row):
    from .models import Organization

    return Hit(
        row["name"],
        f"{row['code']} · {Organization.Category(row['category']).label}",
        reverse("organizations:organization-detail", args=[row["code"]]),
    )


KINDS: tuple[Kind, ...] = (
    Kind("plans", "Strategic plans", _strategic_plans, _strategic_plan_hit),
    Kind("goals", "Goals", _goals, _goal_hit),
    Kind("proposals", "Budget proposals", _proposals, _proposal_hit),
    Kind("programs", "Programs", _programs, _program_hit),
    Kind("partnerships", "Partnerships", _partnerships, _partnership_hit),
    Kind("bc-plans", "Continuity plans", _bc_plans, _bc_plan_hit),
    Kind("processes", "Critical processes", _processes, _process_hit),
    Kind("people", "People", _people, _person_hit),
    Kind("organizations", "Organizations", _organizations, _organization_hit),
)
BY_KEY = {kind.key: kind for kind in KINDS}


def problem(text: str) -> str:
    """Why `text` is not searched ("" when it is)."""
    if len(text) > SEARCH_MAX_LENGTH:
        return TOO_LONG
    if len(text) < MIN_LENGTH:
        return TOO_SHORT
    return ""


#: Columns of the combined query: the kind, the rank, and up to WIDTH values of the kind's own.
WIDTH = 6


def _part(index: int, queryset: QuerySet, columns: dict[str, Any]) -> QuerySet:
    """One kind's rows in the combined query's shape: (k, r, c0 … c5), all values as text, at most
    CAP + 1 rows, best first."""
    assert len(columns) <= WIDTH
    if "_rank" not in queryset.query.annotations:
        queryset = queryset.annotate(_rank=Value(0.0))
    slots = {
        f"c{i}": Cast(expression, TextField()) for i, expression in enumerate(columns.values())
    }
    slots |= {f"c{i}": Value(None, output_field=TextField()) for i in range(len(columns), WIDTH)}
    return queryset.values(k=Value(index), r=Cast("_rank", FloatField()), **slots)[: CAP + 1]


def organization_codes() -> dict[int, str]:
    """Organization id → code, for the hits (no join to the organizations in the search's nine
    parts: each join made planning slower). Kept under the "tenancy" version token, which every
    organization save replaces: one cache round trip, a query only when it changed."""
    from core.tenancy import NAMESPACE

    from .models import Organization

    token, codes = versioned_cache.lookup(NAMESPACE, ["organization-codes"])
    if codes is None:
        codes = dict(Organization.objects.values_list("id", "code"))
        versioned_cache.store(NAMESPACE, ["organization-codes"], token, codes, 3600)
    return codes


def combined_query(user: Any, text: str, kinds: list[Kind]) -> tuple[QuerySet, list]:
    """The one query of `search` (its EXPLAIN is in tests/perf/bench_search.py), and each kind's
    (queryset, columns)."""
    selected = [kind.rows(user, text) for kind in kinds]
    parts = [_part(i, queryset, columns) for i, (queryset, columns) in enumerate(selected)]
    return (parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]), selected


def search(user: Any, text: str, kinds: Iterable[Kind] = KINDS) -> list[KindResult]:
    """Each kind's matches the user may see, at most CAP + 1 rows per kind, in one query: the
    kinds' queries (each ordered and limited) joined by UNION ALL. A kind the user sees in no
    organization adds nothing (`for_user` of no organization is empty without SQL)."""
    kinds = list(kinds)
    combined, selected = combined_query(user, text, kinds)
    by_kind: dict[int, list[dict]] = {i: [] for i in range(len(kinds))}
    for row in combined:  # each part's rows come in its own order (PostgreSQL's Append)
        by_kind[row["k"]].append(row)
    results = []
    codes = organization_codes() if any(by_kind.values()) else {}
    for i, kind in enumerate(kinds):
        names = list(selected[i][1])
        rows = [{n: row[f"c{j}"] for j, n in enumerate(names)} for row in by_kind[i]]
        for row in rows:
            if "org" in row:
                row["org"] = codes.get(int(row["org"]), "")
        results.append(
            KindResult(
                kind.key,
                kind.label,
                [kind.hit(row) for row in rows[:CAP]],
                capped=len(rows) > CAP,
            )
        )
    return results
