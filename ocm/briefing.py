"""The executive briefing: the dashboard's figures as a short A4 landscape PDF (OCM executives).

It reads what the dashboard reads (the summary tables through `selectors.dashboard()`), so the
briefing and the page never disagree; an organization without data shows "no data", never zero.
The bytes depend on the figures only (reportlab's invariant mode), not on the clock.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from bcp.exports import register_fonts
from budgeting.templatetags.money import percent, peso

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
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

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

    def table(header: list[str], rows: list[list[str]], weights: list[float]):
        widths = [width * w / sum(weights) for w in weights]
        cells = [[Paragraph(f"<b>{escape(h)}</b>", cell) for h in header]]
        cells += [[Paragraph(escape(v), cell) for v in row] for row in rows]
        result = LongTable(cells, colWidths=widths, repeatRows=1)
        result.setStyle(grid)
        return result

    as_of = f"{timezone.localtime(data.computed_at):%d %B %Y, %H:%M}"
    story: list[Any] = [
        Paragraph("Executive briefing: the Bangsamoro government at a glance", h1),
        Paragraph(escape(f"Office of the Chief Minister · data as of {as_of}"), body),
        Spacer(1, 0.5 * cm),
        Paragraph("Key figures", h2),
        table(["Figure", "Value"], [list(r) for r in key_figures(data, live)], [3, 2]),
    ]
    for heading, key, weights in SECTIONS:
        header, rows = tables[key]
        story += [Spacer(1, 0.4 * cm), Paragraph(escape(heading), h2)]
        if rows:
            story.append(table(header, [[text(v) for v in row] for row in rows], weights))
        else:
            story.append(Paragraph("No data.", body))

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
