"""Data: load the UACS chart; give every existing allotment and obligation its allotment class
(from its program's line items; an allotment whose program spans classes is split into one
allotment per class), its validity, and every obligation and disbursement its organization and
its ORS or DV number. No peso moves: per program, the allotted, obligated and disbursed totals are
the same before and after (tests/budgeting/test_migration.py).

How an allotment is split: each live obligation keeps its recorded class when the program has
line items of that class, else takes the program's largest class; each class part of the
allotment receives the obligations of its class, and what the allotment had left unobligated is
shared in proportion to the program's line items per class (centavos left to the largest class).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db import migrations
from django.db.models import F, Sum

CLASSES = ["PS", "MOOE", "FinEx", "CO"]
CONTINUING = {"CO": 2}
CLUSTERS = {"gaab": "01", "block_grant": "01", "sdf": "03", "tdif": "03", "oda": "02"}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _largest(totals: dict[str, Decimal], default: str) -> str:
    present = [c for c in CLASSES if totals.get(c, ZERO) > 0]
    if not present:
        return default
    return max(present, key=lambda c: (totals[c], -CLASSES.index(c)))


def _share_out(amount: Decimal, weights: dict[str, Decimal], default: str) -> dict[str, Decimal]:
    total = sum(weights.values(), ZERO)
    if amount <= 0:
        return {}
    if not total:
        return {default: amount}
    shares = {
        c: (amount * w / total).quantize(CENT, rounding=ROUND_DOWN)
        for c, w in weights.items()
        if w > 0
    }
    shares[_largest(weights, default)] += amount - sum(shares.values(), ZERO)
    return shares


def forwards(apps, schema_editor):
    from budgeting import uacs

    uacs.load(apps.get_model("budgeting", "ObjectCode"))
    Program = apps.get_model("budgeting", "ProgramBudget")
    LineItem = apps.get_model("budgeting", "BudgetLineItem")
    Allotment = apps.get_model("budgeting", "Allotment")
    Obligation = apps.get_model("budgeting", "Obligation")
    Disbursement = apps.get_model("budgeting", "Disbursement")
    Counter = apps.get_model("budgeting", "DocumentCounter")

    lines: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for program_id, cls, total in LineItem.objects.values_list(
        "program_id", "expense_class"
    ).annotate(t=Sum("total_cost")).order_by():
        lines[program_id][cls] = total
    programs = {
        p["pk"]: p
        for p in Program.objects.values(
            "pk", "fund_source", "proposal__fiscal_year", "proposal__organization_id"
        )
    }
    obligations_of: dict[int, list] = defaultdict(list)
    for o in Obligation.objects.order_by("pk"):
        obligations_of[o.allotment_id].append(o)

    new_allotments, changed_allotments, changed_obligations = [], [], []
    moves: list[tuple[object, tuple[int, str]]] = []  # obligation → (original allotment, class)
    for allotment in Allotment.objects.order_by("pk"):
        program = programs[allotment.program_id]
        weights = lines.get(allotment.program_id, {})
        own = obligations_of.get(allotment.pk, [])
        default = _largest(weights, _largest(_class_sums(own), "MOOE"))
        for o in own:
            if weights and weights.get(o.expense_class, ZERO) <= 0:
                o.expense_class = default
        live = [o for o in own if o.status == "obligated"]
        need = _class_sums(live)
        left = allotment.amount - sum(need.values(), ZERO)
        if allotment.status != "released" or left < 0:
            parts = {default: allotment.amount}
            for o in own:
                o.expense_class = default
        else:
            parts = dict(need)
            for cls, share in _share_out(left, weights, default).items():
                parts[cls] = parts.get(cls, ZERO) + share
            parts = {c: v for c, v in parts.items() if v > 0}
        main = max(parts, key=lambda c: (parts[c], -CLASSES.index(c)))
        year = program["proposal__fiscal_year"]
        by_class = {}
        for cls in sorted(parts, key=CLASSES.index):
            until = datetime.date(year + CONTINUING.get(cls, 1) - 1, 12, 31)
            if cls == main:
                row = allotment
            else:
                row = Allotment(
                    public_id=uuid.uuid4(),
                    program_id=allotment.program_id,
                    quarter=allotment.quarter,
                    release_reference=allotment.release_reference,
                    release_date=allotment.release_date,
                    status=allotment.status,
                    created_by_id=allotment.created_by_id,
                )
                new_allotments.append(row)
            row.allotment_class, row.amount, row.valid_until = cls, parts[cls], until
            by_class[cls] = row
        changed_allotments.append(allotment)
        for o in own:
            o.organization_id = program["proposal__organization_id"]
            moves.append((o, by_class.get(o.expense_class, by_class[main])))
    Allotment.objects.bulk_create(new_allotments, batch_size=2000)
    Allotment.objects.bulk_update(
        changed_allotments, ["allotment_class", "amount", "valid_until"], batch_size=2000
    )
    for o, row in moves:
        o.allotment_id = row.pk
        o.expense_class = row.allotment_class
        changed_obligations.append(o)
    Obligation.objects.bulk_update(
        changed_obligations, ["allotment", "expense_class", "organization"], batch_size=2000
    )
    _number(Obligation, Counter, "ors", "obligated_on", "allotment__program", programs)
    _number(Disbursement, Counter, "dv", "disbursed_on", "obligation__allotment__program", programs)


def _class_sums(obligations) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for o in obligations:
        sums[o.expense_class] += o.amount
    return dict(sums)


def _number(model, Counter, kind, date_field, program_path, programs) -> None:
    """Gapless serials per organization and year of the document's date, in date order."""
    prefix = "ors" if kind == "ors" else "dv"
    last: dict[tuple[int, int], int] = defaultdict(int)
    rows = []
    for row, program_id in _with_program(model, date_field, program_path):
        program = programs[program_id]
        org = program["proposal__organization_id"]
        day = getattr(row, date_field)
        last[(org, day.year)] += 1
        serial = last[(org, day.year)]
        cluster = CLUSTERS.get(program["fund_source"], "01")
        row.organization_id = org
        setattr(row, f"{prefix}_year", day.year)
        setattr(row, f"{prefix}_serial", serial)
        setattr(row, f"{prefix}_number", f"{cluster}-{day.year}-{day.month:02d}-{serial:05d}")
        rows.append(row)
    model.objects.bulk_update(
        rows,
        ["organization", f"{prefix}_year", f"{prefix}_serial", f"{prefix}_number"],
        batch_size=2000,
    )
    Counter.objects.bulk_create(
        [
            Counter(organization_id=org, kind=kind, year=year, last_serial=serial)
            for (org, year), serial in last.items()
        ]
    )


def _with_program(model, date_field, program_path):
    queryset = model.objects.annotate(
        program_pk=F(program_path)
    ).order_by(date_field, "pk")
    for row in queryset.iterator(chunk_size=2000):
        yield row, row.program_pk


class Migration(migrations.Migration):
    dependencies = [("budgeting", "0003_allotment_classes_uacs_ors_dv")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
