"""The statutory budget execution reports of one organization, computed with grouped SQL:

- SAAODB (FAR No. 1): appropriations, allotments, obligations and disbursements by quarter, and
  balances, by fund cluster, program (PAP) and allotment class;
- FAR No. 1-A: the same by allotment class and UACS object code;
- RAOD: the registry of allotments, obligations and disbursements of one allotment class (or
  one object code), entry by entry with running balances.

Every report is "as of" a date: the last day of the chosen quarter of the fiscal year (today when
that day is still ahead). It counts allotments released, obligations and adjustments made and
disbursements dated on or before it; cancelled allotments and obligations and void payments
never count. An unpaid obligation is due and demandable when its delivery was recorded on or
before the date, not yet due otherwise.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, Sum
from django.db.models.functions import ExtractQuarter
from django.utils import timezone

from organizations.models import Membership, Organization, Role

from . import rules
from .models import (
    FUND_CLUSTER_NAMES,
    Allotment,
    BudgetProposal,
    Disbursement,
    ExpenseClass,
    ObjectCode,
    Obligation,
    ObligationAdjustment,
    ProgramBudget,
    ReportSignatory,
)
from .selectors import appropriations_by_program_class

ZERO = Decimal("0.00")
CLASS_LABELS = dict(ExpenseClass.choices)
QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

#: Columns of FAR No. 1 and 1-A: (key, heading).
COLUMNS: list[tuple[str, str]] = [
    ("appropriation", "Appropriations"),
    ("allotments", "Allotments received"),
    *[(f"ob_q{q}", f"Obligations Q{q}") for q in range(1, 5)],
    ("obligations", "Total obligations"),
    *[(f"dv_q{q}", f"Disbursements Q{q}") for q in range(1, 5)],
    ("disbursements", "Total disbursements"),
    ("unreleased", "Unreleased appropriations"),
    ("unobligated", "Unobligated allotments"),
    ("due", "Unpaid obligations: due and demandable"),
    ("not_due", "Unpaid obligations: not yet due"),
]
KEYS = [k for k, _h in COLUMNS]


def as_of_date(fiscal_year: int, quarter: int) -> datetime.date:
    month, day = QUARTER_ENDS[quarter]
    return min(datetime.date(fiscal_year, month, day), timezone.localdate())


def default_period() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


@dataclass
class Row:
    kind: str  # "cluster", "pap", "class", "object", "total"
    label: str
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    code: str = ""

    def cells(self) -> list[Decimal | None]:
        return [self.figures.get(k) for k in KEYS]


@dataclass
class Signatory:
    role: str
    certifies: str
    name: str
    position: str


@dataclass
class Report:
    title: str
    form: str
    organization: Organization
    fiscal_year: int
    quarter: int
    as_of: datetime.date
    columns: list[tuple[str, str]]
    rows: list[Row]
    signatories: list[Signatory]
    subtitle: str = ""

    @property
    def total(self) -> Row:
        return self.rows[-1]


def _figures() -> dict[str, Decimal]:
    return dict.fromkeys(KEYS, ZERO)


def _add(target: dict[str, Decimal], source: dict[str, Decimal]) -> None:
    for key, value in source.items():
        if value is not None:
            target[key] = target.get(key, ZERO) + value


def _finish(figures: dict[str, Decimal]) -> dict[str, Decimal]:
    figures["obligations"] = sum((figures[f"ob_q{q}"] for q in range(1, 5)), ZERO)
    figures["disbursements"] = sum((figures[f"dv_q{q}"] for q in range(1, 5)), ZERO)
    figures["unreleased"] = figures["appropriation"] - figures["allotments"]
    figures["unobligated"] = figures["allotments"] - figures["obligations"]
    return figures


def _scope(prefix: str, organization: Organization, fiscal_year: int) -> dict[str, Any]:
    return {
        f"{prefix}proposal__organization": organization,
        f"{prefix}proposal__fiscal_year": fiscal_year,
        f"{prefix}proposal__status": BudgetProposal.Status.APPROVED,
    }


def _execution(
    organization: Organization, fiscal_year: int, as_of: datetime.date, group: tuple[str, str]
) -> dict[tuple, dict[str, Decimal]]:
    """Obligations, adjustments and disbursements as of the date, by `group` (two paths
    relative to the obligation), quarter and due/not due: three grouped queries."""
    result: dict[tuple, dict[str, Decimal]] = defaultdict(_figures)
    due = ExpressionWrapper(Q(delivered_on__lte=as_of), output_field=BooleanField())
    obligations = (
        Obligation.objects.filter(**_scope("allotment__program__", organization, fiscal_year))
        .live()
        .filter(obligated_on__lte=as_of)
        .annotate(q=ExtractQuarter("obligated_on"), is_due=due)
        .values_list(*group, "q", "is_due")
        .annotate(Sum("amount"))
        .order_by()
    )
    due_adj = ExpressionWrapper(Q(obligation__delivered_on__lte=as_of), output_field=BooleanField())
    adjustments = (
        ObligationAdjustment.objects.filter(
            **_scope("obligation__allotment__program__", organization, fiscal_year)
        )
        .filter(
            Obligation.live_q("obligation__"),
            obligation__obligated_on__lte=as_of,
            adjusted_on__lte=as_of,
        )
        .annotate(q=ExtractQuarter("adjusted_on"), is_due=due_adj)
        .values_list(*[f"obligation__{g}" for g in group], "q", "is_due")
        .annotate(Sum("amount"))
        .order_by()
    )
    disbursements = (
        Disbursement.objects.filter(
            **_scope("obligation__allotment__program__", organization, fiscal_year)
        )
        .live()
        .filter(disbursed_on__lte=as_of)
        .annotate(q=ExtractQuarter("disbursed_on"), is_due=due_adj)
        .values_list(*[f"obligation__{g}" for g in group], "q", "is_due")
        .annotate(Sum("amount"))
        .order_by()
    )
    for sign, prefix, queryset in (
        (1, "ob", obligations),
        (1, "ob", adjustments),
        (1, "dv", disbursements),
    ):
        for a, b, quarter, is_due, total in queryset:
            figures = result[(a, b)]
            # A continuing allotment obligated after its fiscal year is not in this year's
            # report (the date is inside the year): quarters are those of the year.
            figures[f"{prefix}_q{quarter}"] += sign * total
            unpaid = total if prefix == "ob" else -total
            figures["due" if is_due else "not_due"] += unpaid
    return result


def _allotments(organization, fiscal_year, as_of, group: tuple[str, str]) -> dict:
    return {
        (a, b): total
        for a, b, total in Allotment.objects.filter(
            **_scope("program__", organization, fiscal_year)
        )
        .live()
        .filter(release_date__lte=as_of)
        .values_list(*group)
        .annotate(Sum("amount"))
        .order_by()
    }


def saaodb(organization: Organization, fiscal_year: int, quarter: int) -> Report:
    """FAR No. 1 by fund cluster, PAP and allotment class (six queries)."""
    as_of = as_of_date(fiscal_year, quarter)
    programs = list(
        ProgramBudget.objects.filter(**_scope("", organization, fiscal_year))
        .order_by("code", "name")
        .values("pk", "code", "name", "fund_source")
    )
    appropriation = appropriations_by_program_class(organization, fiscal_year)
    allotted = _allotments(organization, fiscal_year, as_of, ("program_id", "allotment_class"))
    execution = _execution(
        organization, fiscal_year, as_of, ("allotment__program_id", "allotment__allotment_class")
    )
    rows: list[Row] = []
    grand = _figures()
    clusters: dict[str, list[dict]] = defaultdict(list)
    for program in programs:
        clusters[rules.fund_cluster(program["fund_source"])].append(program)
    for cluster in sorted(clusters):
        cluster_row = Row("cluster", FUND_CLUSTER_NAMES.get(cluster, cluster), _figures())
        rows.append(cluster_row)
        for program in clusters[cluster]:
            pap_row = Row("pap", f"{program['code']} {program['name']}".strip(), _figures())
            class_rows = []
            for allotment_class in rules.CLASS_ORDER:
                key = (program["pk"], allotment_class)
                figures = _figures()
                _add(figures, execution.get(key, {}))
                figures["appropriation"] = appropriation.get(key, ZERO)
                figures["allotments"] = allotted.get(key, ZERO)
                _finish(figures)
                if any(figures.values()):
                    class_rows.append(
                        Row("class", CLASS_LABELS[allotment_class], figures, allotment_class)
                    )
                    _add(pap_row.figures, figures)
            rows.append(pap_row)
            rows.extend(class_rows)
            _add(cluster_row.figures, pap_row.figures)
        _add(grand, cluster_row.figures)
    rows.append(Row("total", "Grand total", grand))
    return Report(
        title="Statement of Appropriations, Allotments, Obligations, Disbursements and Balances",
        form="FAR No. 1",
        organization=organization,
        fiscal_year=fiscal_year,
        quarter=quarter,
        as_of=as_of,
        columns=COLUMNS,
        rows=rows,
        signatories=signatories(organization),
    )


def far1a(organization: Organization, fiscal_year: int, quarter: int) -> Report:
    """FAR No. 1-A by allotment class and object code (five queries). Appropriations and
    allotments are per class (they are released per class), so object-code rows show what was
    obligated and paid against each code."""
    as_of = as_of_date(fiscal_year, quarter)
    appropriation: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_program, allotment_class), amount in appropriations_by_program_class(
        organization, fiscal_year
    ).items():
        appropriation[allotment_class] += amount
    allotted: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_quarter, allotment_class), total in _allotments(
        organization, fiscal_year, as_of, ("quarter", "allotment_class")
    ).items():
        allotted[allotment_class] += total
    execution = _execution(
        organization, fiscal_year, as_of, ("allotment__allotment_class", "object_code_id")
    )
    codes = {
        o.pk: o for o in ObjectCode.objects.filter(pk__in={code for _c, code in execution if code})
    }
    rows: list[Row] = []
    grand = _figures()
    for allotment_class in rules.CLASS_ORDER:
        class_row = Row("class", CLASS_LABELS[allotment_class], _figures(), allotment_class)
        object_rows = []
        for (cls, code_id), figures in sorted(
            execution.items(), key=lambda kv: codes[kv[0][1]].code if kv[0][1] else "~"
        ):
            if cls != allotment_class:
                continue
            _finish(figures)
            figures["unobligated"] = None
            figures["unreleased"] = None
            figures["appropriation"] = None
            figures["allotments"] = None
            code = codes.get(code_id)
            object_rows.append(
                Row(
                    "object",
                    code.title if code else "Object code not recorded (before UACS codes)",
                    figures,
                    code.code if code else "",
                )
            )
            _add(class_row.figures, figures)
        class_row.figures["appropriation"] = appropriation[allotment_class]
        class_row.figures["allotments"] = allotted[allotment_class]
        _finish(class_row.figures)
        if any(v for v in class_row.figures.values()):
            rows.append(class_row)
            rows.extend(object_rows)
            _add(grand, class_row.figures)
    rows.append(Row("total", "Grand total", grand))
    return Report(
        title="Summary of Appropriations, Allotments, Obligations, Disbursements and Balances "
        "by Object of Expenditures",
        form="FAR No. 1-A",
        organization=organization,
        fiscal_year=fiscal_year,
        quarter=quarter,
        as_of=as_of,
        columns=COLUMNS,
        rows=rows,
        signatories=signatories(organization),
    )


# --- RAOD ----------------------------------------------------------------------------------------

RAOD_COLUMNS: list[tuple[str, str]] = [
    ("allotment", "Allotments"),
    ("obligation", "Obligations"),
    ("disbursement", "Disbursements"),
    ("unobligated", "Unobligated allotment (balance)"),
    ("unpaid", "Unpaid obligations (balance)"),
]


@dataclass
class RegistryEntry:
    date: datetime.date
    reference: str
    pap: str
    particulars: str
    object_code: str
    figures: dict[str, Decimal | None]


@dataclass
class Registry:
    organization: Organization
    fiscal_year: int
    quarter: int
    as_of: datetime.date
    allotment_class: str
    object_code: ObjectCode | None
    entries: list[RegistryEntry]
    totals: dict[str, Decimal | None]
    signatories: list[Signatory]

    @property
    def title(self) -> str:
        return f"Registry of Allotments, Obligations and Disbursements – {self.allotment_class}"


def raod(
    organization: Organization,
    fiscal_year: int,
    quarter: int,
    allotment_class: str,
    object_code: ObjectCode | None = None,
) -> Registry:
    """The registry of one allotment class (or one of its object codes) as of the quarter:
    every allotment, obligation, adjustment and payment in date order, with running balances
    (four queries). Filtered on an object code, it has no allotments (they are per class) and
    no unobligated balance."""
    as_of = as_of_date(fiscal_year, quarter)
    entries: list[tuple[tuple, RegistryEntry]] = []

    def pap(program) -> str:
        return f"{program.code} {program.name}".strip()

    if object_code is None:
        for a in (
            Allotment.objects.filter(**_scope("program__", organization, fiscal_year))
            .live()
            .filter(allotment_class=allotment_class, release_date__lte=as_of)
            .select_related("program")
        ):
            entries.append(
                (
                    (a.release_date, 0, a.pk),
                    RegistryEntry(
                        a.release_date,
                        a.release_reference,
                        pap(a.program),
                        f"{a.get_quarter_display()} allotment",
                        "",
                        {"allotment": a.amount},
                    ),
                )
            )
    obligation_filter: dict[str, Any] = {"allotment__allotment_class": allotment_class}
    if object_code is not None:
        obligation_filter["object_code"] = object_code
    for o in (
        Obligation.objects.filter(**_scope("allotment__program__", organization, fiscal_year))
        .live()
        .filter(**obligation_filter, obligated_on__lte=as_of)
        .select_related("allotment__program", "object_code")
    ):
        entries.append(
            (
                (o.obligated_on, 1, o.pk),
                RegistryEntry(
                    o.obligated_on,
                    o.ors_number or o.reference,
                    pap(o.allotment.program),
                    o.payee + (f" – {o.description}" if o.description else ""),
                    o.object_code.code if o.object_code else "",
                    {"obligation": o.amount},
                ),
            )
        )
    prefixed = {f"obligation__{k}": v for k, v in obligation_filter.items()}
    for adj in (
        ObligationAdjustment.objects.filter(
            **_scope("obligation__allotment__program__", organization, fiscal_year)
        )
        .filter(
            Obligation.live_q("obligation__"),
            **prefixed,
            obligation__obligated_on__lte=as_of,
            adjusted_on__lte=as_of,
        )
        .select_related("obligation__allotment__program", "obligation__object_code")
    ):
        o = adj.obligation
        entries.append(
            (
                (adj.adjusted_on, 2, adj.pk),
                RegistryEntry(
                    adj.adjusted_on,
                    adj.reference or o.ors_number,
                    pap(o.allotment.program),
                    f"Adjustment of {o.ors_number}: {adj.reason}",
                    o.object_code.code if o.object_code else "",
                    {"obligation": adj.amount},
                ),
            )
        )
    for d in (
        Disbursement.objects.filter(
            **_scope("obligation__allotment__program__", organization, fiscal_year)
        )
        .live()
        .filter(**prefixed, disbursed_on__lte=as_of)
        .select_related("obligation__allotment__program", "obligation__object_code")
    ):
        o = d.obligation
        entries.append(
            (
                (d.disbursed_on, 3, d.pk),
                RegistryEntry(
                    d.disbursed_on,
                    d.dv_number or d.reference,
                    pap(o.allotment.program),
                    f"Payment to {o.payee} ({o.ors_number})",
                    o.object_code.code if o.object_code else "",
                    {"disbursement": d.amount},
                ),
            )
        )
    entries.sort(key=lambda pair: pair[0])
    allotted = obligated = paid = ZERO
    rows = []
    for _key, entry in entries:
        allotted += entry.figures.get("allotment") or ZERO
        obligated += entry.figures.get("obligation") or ZERO
        paid += entry.figures.get("disbursement") or ZERO
        entry.figures["unobligated"] = None if object_code else allotted - obligated
        entry.figures["unpaid"] = obligated - paid
        rows.append(entry)
    totals: dict[str, Decimal | None] = {
        "allotment": None if object_code else allotted,
        "obligation": obligated,
        "disbursement": paid,
        "unobligated": None if object_code else allotted - obligated,
        "unpaid": obligated - paid,
    }
    return Registry(
        organization=organization,
        fiscal_year=fiscal_year,
        quarter=quarter,
        as_of=as_of,
        allotment_class=allotment_class,
        object_code=object_code,
        entries=rows,
        totals=totals,
        signatories=signatories(organization)[:2],
    )


# --- certification -------------------------------------------------------------------------------

CERTIFIES = {
    ReportSignatory.Role.BUDGET_OFFICER: "Certified correct: appropriations, allotments, "
    "obligations and obligations not yet due",
    ReportSignatory.Role.CHIEF_ACCOUNTANT: "Certified correct: disbursements and obligations "
    "due and demandable",
    ReportSignatory.Role.HEAD_OF_OFFICE: "Approved",
}
#: Who signs when the organization has named no one for a role: its members of this role.
FALLBACK_ROLE = {
    ReportSignatory.Role.BUDGET_OFFICER: Role.APPROVER,
    ReportSignatory.Role.HEAD_OF_OFFICE: Role.ORG_ADMIN,
}


def signatories(organization: Organization) -> list[Signatory]:
    """The three certification blocks: the names the organization set for its reports (admin,
    budgeting → report signatories); else the budget officer is its first approver and the head
    of office its first organization administrator; the chief accountant is left blank to be
    written in (no portal role matches it). Two queries."""
    named = {s.role: s for s in ReportSignatory.objects.filter(organization=organization)}
    members: dict[str, Membership] = {}
    for membership in (
        Membership.objects.filter(organization=organization, role__in=FALLBACK_ROLE.values())
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    ):
        members.setdefault(membership.role, membership)
    result = []
    for role, label in ReportSignatory.Role.choices:
        if role in named:
            name, position = named[role].name, named[role].position
        elif role in FALLBACK_ROLE and FALLBACK_ROLE[role] in members:
            membership = members[FALLBACK_ROLE[role]]
            name, position = str(membership.user), membership.position or label
        else:
            name, position = "", label
        result.append(Signatory(label, CERTIFIES[role], name, position))
    return result
