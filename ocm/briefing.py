"""The executive briefing: the dashboard's figures as a short A4 landscape PDF (OCM executives).

It reads what the dashboard reads (the summary tables through `selectors.dashboard()`), so the
briefing and the page never disagree; an organization without data shows "no data", never zero.
The bytes depend on the figures only (reportlab's invariant mode), not on the clock.

Charts (reportlab.graphics) stand with their tables: budget utilization and disbursement rates
per organization (bars), business continuity readiness (a pie). Organizations without data in
a per-organization table are named on one line ("No data yet: MOTC, MSSD, …") instead of a row
each, so three organizations with budgets do not drown in forty "no data" rows.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from bcp.exports import register_fonts
from budgeting.templatetags.money import percent, peso
from core import formats

from . import selectors
from .templatetags.ocm_cells import cell

#: (heading, key in the dashboard's tables, relative column widths)
SECTIONS = [
    (
        "Budget utilization by organization",
        "budget_by_organization",
        [1.7, 2, 1.9, 1.9, 1.9, 1.6, 1.7],
    ),
    ("Obligations by quarter", "budget_by_quarter", [1, 1, 1, 1]),
    ("Business continuity readiness", "bc_readiness", [3, 1]),
    ("Partnerships shared with the OCM, by status", "partnership_status", [3, 1]),
    ("Onboarding of organizations", "onboarding", [3, 1]),
]


#: Tables with one row per organization (its code first): rows without any figure are grouped.
PER_ORGANIZATION = {"budget_by_organization"}
#: At most this many organizations in a bar chart (the largest approved budgets): one page.
CHART_MAX_BARS = 30
FONT = "DejaVuSans"
GREEN, GOLD, GREY = "#0b6b4a", "#d9a520", "#9aa5a0"


def split_no_data(rows: list[list]) -> tuple[list[list], list[str]]:
    """(rows with at least one figure, codes of the organizations with none)."""
    with_data = [r for r in rows if any(v is not None for v in r[1:])]
    without = [str(r[0]) for r in rows if all(v is None for v in r[1:])]
    return with_data, without


def no_data_line(codes: list[str]) -> str:
    return "No data yet: " + ", ".join(codes) + "."


def _number(value: Any) -> float:
    return float(value) if isinstance(value, Decimal) else 0.0


def utilization_chart(rows: list[list], width: float):
    """Horizontal bars per organization: utilization and disbursement rates (percent)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    shown = sorted(rows, key=lambda r: _number(r[1]), reverse=True)[:CHART_MAX_BARS]
    shown.sort(key=lambda r: str(r[0]), reverse=True)  # the chart draws bottom-up: A at the top
    per_bar = 9
    plot_height = max(60, len(shown) * per_bar * 2.6)
    height = plot_height + 68
    drawing = Drawing(width, height)
    title = "Budget utilization and disbursement rates by organization (%)"
    if len(rows) > len(shown):
        title += f": the {len(shown)} largest budgets"
    drawing.add(String(0, height - 12, title, fontName=f"{FONT}-Bold", fontSize=9))
    chart = HorizontalBarChart()
    chart.x, chart.y = 60, 38
    chart.width, chart.height = width - 90, plot_height
    chart.data = [[_number(r[5]) for r in shown], [_number(r[6]) for r in shown]]
    chart.categoryAxis.categoryNames = [str(r[0]) for r in shown]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.boxAnchor = "e"
    top = max([100.0, *chart.data[0], *chart.data[1]])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = 20 if top <= 100 else None
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.barWidth = per_bar
    chart.groupSpacing = per_bar * 0.6
    chart.bars[0].fillColor = colors.HexColor(GREEN)
    chart.bars[1].fillColor = colors.HexColor(GOLD)
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 60, 6
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 190
    legend.colorNamePairs = [
        (colors.HexColor(GREEN), "Utilization rate (obligated ÷ allotted)"),
        (colors.HexColor(GOLD), "Disbursement rate (disbursed ÷ obligated)"),
    ]
    drawing.add(legend)
    return drawing


def readiness_chart(rows: list[list], width: float):
    """A pie of the organizations by BC readiness (slices without organizations left out)."""
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    slices = [(str(label), int(n or 0)) for label, n in rows if n]
    height = 150
    drawing = Drawing(width, height)
    drawing.add(
        String(
            0, height - 12, "BC readiness of the organizations", fontName=f"{FONT}-Bold", fontSize=9
        )
    )
    if not slices:
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 120, 10, 110, 110  # side labels fit on the left
    pie.data = [n for _label, n in slices]
    pie.labels = [f"{label.split(' (')[0]}: {n}" for label, n in slices]
    pie.simpleLabels = 0
    pie.sideLabels = 1
    pie.slices.fontName = FONT
    pie.slices.fontSize = 7.5
    pie.slices.strokeColor = colors.white
    palette = {"Ready": GREEN, "Plans, not ready": GOLD}
    for i, (label, _n) in enumerate(slices):
        pie.slices[i].fillColor = colors.HexColor(palette.get(label.split(" (")[0], GREY))
    drawing.add(pie)
    return drawing


def text(value: Any) -> str:
    """A cell as the dashboard shows it: pesos, percents, "no data" for a missing figure."""
    return "no data" if value is None else str(cell(value))


def key_figures(data: selectors.Dashboard, live: int) -> list[tuple[str, str]]:
    totals = data.totals
    rollout = totals.get("rollout", {})
    budget = totals.get("budget", {})
    current = budget.get("current")
    year = budget.get("fiscal_year")

    def figure(key: str, kind) -> str:
        return kind(current[key]) if current else "no data"

    return [
        ("Organizations", str(totals.get("organizations", 0))),
        ("Live on the portal", str(live)),
        (
            "Users active in the last 30 days",
            f"{rollout.get('active_30d', 0):,} of {rollout.get('members', 0):,}",
        ),
        ("Partnerships shared with the OCM", str(totals.get("coordination", {}).get("total", 0))),
        (
            "Organizations ready for a disruption (every department's BC plan in force)",
            str(totals.get("bcp", {}).get("ready", 0)),
        ),
        ("Overdue BC plan reviews", str(totals.get("bcp", {}).get("overdue_reviews", 0))),
        (f"Approved appropriation, FY {year}", figure("approved", peso)),
        (f"Obligated, FY {year}", figure("obligated", peso)),
        (f"Disbursed, FY {year}", figure("disbursed", peso)),
        ("Utilization rate (obligated ÷ allotted)", figure("utilization_rate", percent)),
        (
            "Organizations without an approved budget this year",
            str(budget.get("no_data", 0)),
        ),
    ]


def render(data: selectors.Dashboard, tables: dict, live: int) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        KeepTogether,
        LongTable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="DejaVuSans", fontSize=9.5)
    cell = ParagraphStyle("Cell", parent=body, fontSize=7.5, leading=9)
    h1 = ParagraphStyle("H1", parent=base["Heading1"], fontName="DejaVuSans-Bold", fontSize=17)
    h2 = ParagraphStyle("H2", parent=base["Heading2"], fontName="DejaVuSans-Bold", fontSize=12)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5a0")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3efe8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    page = landscape(A4)  # room for seven columns of peso amounts without wrapping
    width = page[0] - 4 * cm

    def table(header: list[str], rows: list[list[str]], weights: list[float], total=None):
        widths = [(total or width) * w / sum(weights) for w in weights]
        cells = [[Paragraph(f"<b>{escape(h)}</b>", cell) for h in header]]
        cells += [[Paragraph(escape(v), cell) for v in row] for row in rows]
        result = LongTable(cells, colWidths=widths, repeatRows=1)
        result.setStyle(grid)
        return result

    def table_beside(flowable, drawing, half: float):
        """The table on the left half, its chart on the right half."""
        result = LongTable([[flowable, drawing]], colWidths=[half, half])
        result.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (0, 0), 0),
                ]
            )
        )
        return result

    as_of = formats.datetime(data.computed_at)  # "2 Dec 2026 14:05", Philippine time
    story: list[Any] = [
        Paragraph("Executive briefing: the Bangsamoro government at a glance", h1),
        Paragraph(escape(f"Office of the Chief Minister · data as of {as_of}"), body),
        Spacer(1, 0.5 * cm),
        Paragraph("Key figures", h2),
        table(["Figure", "Value"], [list(r) for r in key_figures(data, live)], [3, 2]),
    ]
    for heading, key, weights in SECTIONS:
        header, rows = tables[key]
        story.append(Spacer(1, 0.4 * cm))
        section: list[Any] = [Paragraph(escape(heading), h2)]  # kept on one page with its start
        without: list[str] = []
        if key in PER_ORGANIZATION:
            rows, without = split_no_data(rows)
        if key == "budget_by_organization" and rows:
            section += [utilization_chart(rows, width), Spacer(1, 0.5 * cm)]
        if rows and key == "bc_readiness":  # the table and its pie side by side
            half = width / 2
            cells = [[text(v) for v in row] for row in rows]
            rendered = table(header, cells, weights, total=half - 0.5 * cm)
            section.append(table_beside(rendered, readiness_chart(rows, half - 0.5 * cm), half))
        elif rows:
            section.append(table(header, [[text(v) for v in row] for row in rows], weights))
        elif not without:
            section.append(Paragraph("No data.", body))
        if without:
            section += [Spacer(1, 0.15 * cm), Paragraph(escape(no_data_line(without)), body)]
        story.append(KeepTogether(section))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("DejaVuSans", 7.5)
        canvas.drawString(2 * cm, 1.2 * cm, f"OCM executive briefing · {as_of} · page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=f"OCM executive briefing, {as_of}",
        author="Office of the Chief Minister",
        creator="BMMS portal",
        invariant=1,
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
