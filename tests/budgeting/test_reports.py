"""SAAODB (FAR No. 1), FAR No. 1-A and the RAOD registries: every figure equals an independent
SQL sum, the balances reconcile to the centavo, and the XLSX and PDF say the same."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from budgeting import report_exports, reports, services
from budgeting.models import ObjectCode, ReportSignatory
from budgeting.templatetags.money import peso

from .factories import ApprovedProposalFactory, BudgetLineItemFactory, ProgramBudgetFactory

pytestmark = pytest.mark.django_db
D = Decimal


def code(value: str) -> ObjectCode:
    return ObjectCode.objects.get(code=value)


def build_year(org, year, editor, approver, day=None):
    """Two programs (GAAB and SDF), three classes, adjustments, deliveries, a void payment, a
    cancelled obligation and a cancelled allotment (which must not count)."""
    day = day or datetime.date(year, 2, 3)
    later = min(day + datetime.timedelta(days=100), timezone.localdate())  # Q2
    proposal = ApprovedProposalFactory(organization=org, fiscal_year=year)
    health = ProgramBudgetFactory(
        proposal=proposal,
        code="P1",
        name="Health",
        requested_amount=D("100000"),
        approved_amount=D("100000"),
    )
    for cls, amount, obj in (("PS", "60000", "5010101001"), ("MOOE", "40000", "5020101000")):
        BudgetLineItemFactory(
            program=health,
            expense_class=cls,
            unit_cost=D(amount),
            quantity=1,
            object_code=code(obj),
        )
    roads = ProgramBudgetFactory(
        proposal=proposal,
        code="P2",
        name="Roads",
        fund_source="sdf",
        requested_amount=D("50000"),
        approved_amount=D("40000"),
    )
    for cls, amount in (("CO", "45000"), ("MOOE", "5000")):
        BudgetLineItemFactory(program=roads, expense_class=cls, unit_cost=D(amount), quantity=1)

    def release(program, cls, amount, on=day, quarter=1):
        return services.allotment_release(
            actor=approver,
            program=program,
            allotment_class=cls,
            quarter=quarter,
            amount=D(amount),
            release_reference=f"SARO-{cls}",
            release_date=on,
        )

    def obligate(allotment, amount, obj, on=day):
        return services.obligation_create(
            actor=editor,
            allotment=allotment,
            payee="Payee",
            amount=D(amount),
            obligated_on=on,
            object_code=code(obj),
        )

    def pay(obligation, amount, on=day):
        return services.disbursement_create(
            actor=editor,
            obligation=obligation,
            amount=D(amount),
            payment_method="ada",
            disbursed_on=on,
            lines=[("Central", D(amount))],
        )

    ps = release(health, "PS", "30000")
    mooe = release(health, "MOOE", "20000")
    release(health, "MOOE", "10000", on=later, quarter=2)
    co = release(roads, "CO", "36000")
    services.allotment_cancel(actor=approver, allotment=release(roads, "MOOE", "100"))
    salaries = obligate(ps, "25000.50", "5010101001")
    services.obligation_record_delivery(actor=editor, obligation=salaries, delivered_on=day)
    pay(salaries, "20000")
    travel = obligate(mooe, "8000", "5020101000")
    services.obligation_adjust(
        actor=editor, obligation=travel, amount=D("-1000"), adjusted_on=later, reason="Fewer"
    )
    supplies = obligate(mooe, "3000", "5020301000", on=later)
    services.obligation_record_delivery(actor=editor, obligation=supplies, delivered_on=later)
    pay(supplies, "2999.99", on=later)
    dropped = obligate(mooe, "500", "5020301000")
    services.obligation_cancel(actor=editor, obligation=dropped)
    ict = obligate(co, "30000", "1060503000")
    services.obligation_adjust(
        actor=editor, obligation=ict, amount=D("5000"), adjusted_on=day, reason="Variation"
    )
    services.obligation_record_delivery(actor=editor, obligation=ict, delivered_on=later)
    void = pay(ict, "1000")
    services.disbursement_set_status(actor=approver, disbursement=void, action="void")
    pay(ict, "10000", on=later)
    return proposal


def sql(query: str, *params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: row[1] for row in cursor.fetchall()}


SCOPE = """JOIN budgeting_programbudget p ON p.id = a.program_id
    JOIN budgeting_budgetproposal bp ON bp.id = p.proposal_id
    WHERE bp.organization_id = %s AND bp.fiscal_year = %s AND bp.status = 'approved'"""


def independent(org, year, as_of) -> dict[str, dict[str, Decimal]]:
    """Per allotment class, straight from the tables (no ORM, no report code)."""
    params = (org.pk, year, as_of)
    figures = {
        "allotments": sql(
            f"""SELECT a.allotment_class, SUM(a.amount) FROM budgeting_allotment a {SCOPE}
            AND a.status = 'released' AND a.release_date <= %s GROUP BY 1""",
            *params,
        ),
        "obligated": sql(
            f"""SELECT a.allotment_class, SUM(o.amount) FROM budgeting_obligation o
            JOIN budgeting_allotment a ON a.id = o.allotment_id {SCOPE}
            AND o.status = 'obligated' AND o.obligated_on <= %s GROUP BY 1""",
            *params,
        ),
        "adjusted": sql(
            f"""SELECT a.allotment_class, SUM(j.amount) FROM budgeting_obligationadjustment j
            JOIN budgeting_obligation o ON o.id = j.obligation_id
            JOIN budgeting_allotment a ON a.id = o.allotment_id {SCOPE}
            AND o.status = 'obligated' AND j.adjusted_on <= %s GROUP BY 1""",
            *params,
        ),
        "disbursements": sql(
            f"""SELECT a.allotment_class, SUM(d.amount) FROM budgeting_disbursement d
            JOIN budgeting_obligation o ON o.id = d.obligation_id
            JOIN budgeting_allotment a ON a.id = o.allotment_id {SCOPE}
            AND d.status <> 'void' AND d.disbursed_on <= %s GROUP BY 1""",
            *params,
        ),
    }
    classes = {}
    for cls in ("PS", "MOOE", "FinEx", "CO"):
        get = lambda k: figures[k].get(cls) or D("0")  # noqa: E731
        classes[cls] = {
            "allotments": get("allotments"),
            "obligations": get("obligated") + get("adjusted"),
            "disbursements": get("disbursements"),
        }
    return classes


def class_totals(report) -> dict[str, dict[str, Decimal]]:
    totals: dict[str, dict[str, Decimal]] = {}
    for row in report.rows:
        if row.kind == "class":
            target = totals.setdefault(row.code, dict.fromkeys(reports.KEYS, D("0")))
            for key in reports.KEYS:
                target[key] += row.figures[key] or D("0")
    return totals


@pytest.fixture
def fy2026(org_a, org_b, carol, dave):
    build_year(org_a, 2026, carol, dave)
    return org_a


@pytest.mark.parametrize("quarter", [1, 2, 4])
def test_saaodb_figures_equal_independent_sql_sums(fy2026, quarter):
    report = reports.saaodb(fy2026, 2026, quarter)
    expected = independent(fy2026, 2026, report.as_of)
    totals = class_totals(report)
    for cls, figures in expected.items():
        got = totals.get(cls, dict.fromkeys(reports.KEYS, D("0")))
        for key, value in figures.items():
            assert got[key] == value, (cls, key, quarter)
    # appropriation: line items per class, Roads scaled 40,000/50,000
    assert totals["PS"]["appropriation"] == D("60000")
    assert totals["CO"]["appropriation"] == D("36000")
    assert totals["MOOE"]["appropriation"] == D("44000")
    if quarter == 4:
        grand = report.total.figures
        assert grand["obligations"] == D("25000.50") + D("7000") + D("3000") + D("35000")
        assert grand["disbursements"] == D("20000") + D("2999.99") + D("10000")
        assert grand["ob_q2"] == D("3000") - D("1000")


def test_saaodb_balances_reconcile_to_the_centavo(fy2026):
    report = reports.saaodb(fy2026, 2026, 4)
    assert [r.kind for r in report.rows][:2] == ["cluster", "pap"]
    for row in report.rows:
        f = row.figures
        assert f["unreleased"] == f["appropriation"] - f["allotments"]
        assert f["unobligated"] == f["allotments"] - f["obligations"]
        assert f["due"] + f["not_due"] == f["obligations"] - f["disbursements"]
        assert f["obligations"] == sum(f[f"ob_q{q}"] for q in range(1, 5))
    grand = report.total.figures
    # due: salaries 5,000.50 unpaid; supplies 0.01 unpaid; ICT 25,000 unpaid (delivered in Q2)
    assert grand["due"] == D("5000.50") + D("0.01") + D("25000")
    assert grand["not_due"] == D("7000")  # travel, never delivered
    q1 = reports.saaodb(fy2026, 2026, 1).total.figures
    assert q1["due"] == D("5000.50")  # the ICT delivery came in Q2
    assert q1["not_due"] == D("8000") + D("35000")


def test_far1a_by_object_code_adds_up_to_the_saaodb(fy2026):
    saaodb = reports.saaodb(fy2026, 2026, 4)
    far = reports.far1a(fy2026, 2026, 4)
    assert far.total.figures == saaodb.total.figures
    objects = {r.code: r.figures for r in far.rows if r.kind == "object"}
    assert objects["5020101000"]["obligations"] == D("7000")
    assert objects["5020301000"]["disbursements"] == D("2999.99")
    for row in far.rows:
        if row.kind == "class":
            children = [r for r in far.rows if r.kind == "object" and r is not row]
            assert row.figures["obligations"] == sum(
                c.figures["obligations"]
                for c in children
                if c.code and code(c.code).allotment_class == row.code
            )


def test_raod_running_balances_end_at_the_saaodb_figures(fy2026):
    totals = class_totals(reports.saaodb(fy2026, 2026, 4))
    for cls in ("PS", "MOOE", "CO"):
        registry = reports.raod(fy2026, 2026, 4, cls)
        last = registry.entries[-1].figures
        assert last["unobligated"] == totals[cls]["unobligated"]
        assert last["unpaid"] == totals[cls]["obligations"] - totals[cls]["disbursements"]
        assert registry.totals["obligation"] == totals[cls]["obligations"]
        dates = [e.date for e in registry.entries]
        assert dates == sorted(dates)
    travel = reports.raod(fy2026, 2026, 4, "MOOE", code("5020101000"))
    assert [e.figures.get("obligation") for e in travel.entries] == [D("8000"), D("-1000")]
    assert travel.totals["unobligated"] is None and travel.totals["unpaid"] == D("7000")


def test_certification_blocks_come_from_the_organizations_roles(fy2026, dave):
    names = [s.name for s in reports.signatories(fy2026)]
    assert names[0] == str(dave)  # the approver as budget officer
    assert names[1] == ""  # no chief accountant named: a blank line to sign
    ReportSignatory.objects.create(
        organization=fy2026, role="chief_accountant", name="Amina Dimaporo", position="CPA"
    )
    assert reports.signatories(fy2026)[1].name == "Amina Dimaporo"


def test_xlsx_has_the_pages_numbers_as_numbers(fy2026, carol, client):
    client.force_login(carol)
    response = client.get(reverse("budgeting:saaodb-xlsx"), {"year": 2026, "quarter": 4})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] and str(r[0]).startswith("Fund cluster"))
    total = next(r for r in rows if r[0] == "Grand total")
    report = reports.saaodb(fy2026, 2026, 4)
    for (key, heading), value in zip(reports.COLUMNS, total[1:], strict=False):
        assert header[1 + reports.KEYS.index(key)] == heading
        assert isinstance(value, float | int)
        assert D(str(value)).quantize(D("0.01")) == report.total.figures[key]
    assert report.signatories[0].name and (report.signatories[0].name,) in [r[:1] for r in rows]


def test_pdf_reads_back_and_is_deterministic(fy2026, carol, client):
    ReportSignatory.objects.create(
        organization=fy2026, role="chief_accountant", name="Amina Dimaporo", position="CPA"
    )
    client.force_login(carol)
    url = reverse("budgeting:saaodb-pdf")
    first = client.get(url, {"year": 2026, "quarter": 4}).content
    assert first == client.get(url, {"year": 2026, "quarter": 4}).content
    with pdfplumber.open(io.BytesIO(first)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    report = reports.saaodb(fy2026, 2026, 4)
    assert "FAR No. 1" in text and "Amina Dimaporo" in text
    assert peso(report.total.figures["obligations"]) in text
    assert peso(report.total.figures["due"]) in text
    registry = report_exports.render_pdf(
        report_exports.registry_sheet(reports.raod(fy2026, 2026, 4, "CO"))
    )
    with pdfplumber.open(io.BytesIO(registry)) as pdf:
        text = pdf.pages[0].extract_text()
    assert "01-2026-02-" in text.replace("\n", " ") or "03-2026-02-" in text


def test_report_pages_show_the_figures_and_stay_in_the_organization(fy2026, org_b, carol, client):
    client.force_login(carol)
    page = client.get(reverse("budgeting:saaodb"), {"year": 2026, "quarter": 4})
    body = page.content.decode()
    report = reports.saaodb(fy2026, 2026, 4)
    assert peso(report.total.figures["unobligated"]) in body
    assert "Budget officer" in body
    far = client.get(reverse("budgeting:far1a"), {"year": 2026, "quarter": 4}).content.decode()
    assert "5020101000" in far
    raod = client.get(reverse("budgeting:raod", args=["MOOE"]), {"year": 2026, "quarter": 4})
    assert raod.status_code == 200
    assert client.get(reverse("budgeting:raod", args=["XX"])).status_code == 404


def test_ocm_figures_equal_the_saaodb(org_a, carol, dave):
    """The OCM aggregation follows the same rules: its current-year figures per organization
    and allotment class are the SAAODB's as of today."""
    from ocm.aggregation import budget_section
    from organizations.models import Organization

    year = timezone.localdate().year
    build_year(org_a, year, carol, dave, day=datetime.date(year, 1, 1))
    per_org, _totals = budget_section(list(Organization.objects.all()))
    ocm = per_org[org_a.pk]
    report = reports.saaodb(org_a, year, 4)
    grand = report.total.figures
    assert D(ocm["current"]["obligated"]) == grand["obligations"]
    assert D(ocm["current"]["disbursed"]) == grand["disbursements"]
    assert D(ocm["current"]["allotted"]) == grand["allotments"]
    for cls, figures in class_totals(report).items():
        assert D(ocm["by_class"][cls]["budgeted"]) == figures["appropriation"]
        assert D(ocm["by_class"][cls]["allotted"]) == figures["allotments"]
        assert D(ocm["by_class"][cls]["obligated"]) == figures["obligations"]
        assert D(ocm["by_class"][cls]["disbursed"]) == figures["disbursements"]
