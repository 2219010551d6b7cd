"""The budget reports as XLSX workbooks (openpyxl: amounts are numbers with a peso format) and
PDFs (reportlab, deterministic: invariant mode, fixed metadata, no "printed at" text — the same
figures give the same bytes)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from bcp.exports import register_fonts

from .reports import RAOD_COLUMNS, Registry, Report, Signatory
from .templatetags.money import peso

PESO_FORMAT = '"₱"#,##0.00;-"₱"#,##0.00'
FIXED_DATE = datetime.datetime(2000, 1, 1)


@dataclass
class Sheet:
    """What a report prints: title lines, the header, rows (label cells then amounts) with their
    kind (for bold subtotals), and the certification blocks."""

    name: str
    title: str
    lines: list[str]
    header: list[str]
    text_columns: int
    rows: list[tuple[str, list[Any]]]
    signatories: list[Signatory]


def _day(value: datetime.date) -> str:
    return value.strftime("%-d %b %Y")


def _heading_lines(report) -> list[str]:
    org = report.organization
    return [
        f"{org.name} ({org.code})",
        f"Fiscal year {report.fiscal_year} · Q{report.quarter} · as of {_day(report.as_of)}",
    ]


def report_sheet(report: Report) -> Sheet:
    rows = []
    for row in report.rows:
        label = f"{row.code} · {row.label}" if row.kind == "object" and row.code else row.label
        indent = {"pap": "  ", "class": "    ", "object": "      "}.get(row.kind, "")
        rows.append((row.kind, [indent + label, *row.cells()]))
    return Sheet(
        name=report.form,
        title=f"{report.form} · {report.title}",
        lines=_heading_lines(report),
        header=[
            "Fund cluster / PAP / allotment class"
            if report.form == "FAR No. 1"
            else "Allotment class / object of expenditure",
            *[h for _k, h in report.columns],
        ],
        text_columns=1,
        rows=rows,
        signatories=report.signatories,
    )


def registry_sheet(registry: Registry) -> Sheet:
    keys = [k for k, _h in RAOD_COLUMNS]
    rows = [
        (
            "entry",
            [
                _day(e.date),
                e.reference,
                e.pap,
                e.particulars,
                e.object_code,
                *[e.figures.get(k) for k in keys],
            ],
        )
        for e in registry.entries
    ]
    rows.append(("total", ["Total", "", "", "", "", *[registry.totals.get(k) for k in keys]]))
    scope = (
        f"Object code {registry.object_code.code} {registry.object_code.title}"
        if registry.object_code
        else f"Allotment class {registry.allotment_class}"
    )
    return Sheet(
        name=f"RAOD {registry.allotment_class}",
        title=registry.title,
        lines=[*_heading_lines(registry), scope],
        header=["Date", "Reference", "PAP", "Particulars", "Object code"]
        + [h for _k, h in RAOD_COLUMNS],
        text_columns=5,
        rows=rows,
        signatories=registry.signatories,
    )


# --- XLSX ----------------------------------------------------------------------------------------


def render_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet.name[:31]
    workbook.properties.creator = "BMMS portal"
    workbook.properties.created = FIXED_DATE
    workbook.properties.modified = FIXED_DATE
    bold = Font(bold=True)
    ws.append([sheet.title])
    ws["A1"].font = Font(bold=True, size=13)
    for line in sheet.lines:
        ws.append([line])
    ws.append([])
    ws.append(sheet.header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for kind, cells in sheet.rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in cells])
        for cell in ws[ws.max_row][sheet.text_columns :]:
            if isinstance(cell.value, float):
                cell.number_format = PESO_FORMAT
        if kind in ("cluster", "pap", "total"):
            for cell in ws[ws.max_row]:
                cell.font = bold
    ws.freeze_panes = ws.cell(row=header_row + 1, column=sheet.text_columns + 1)
    ws.column_dimensions["A"].width = 48 if sheet.text_columns == 1 else 12
    for n in range(2, len(sheet.header) + 1):
        ws.column_dimensions[get_column_letter(n)].width = 18
    ws.append([])
    for signatory in sheet.signatories:
        ws.append([signatory.certifies])
        ws.append([signatory.name or "________________________"])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.append([signatory.position])
        ws.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def render_pdf(sheet: Sheet) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A3, A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        LongTable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    register_fonts()
    wide = len(sheet.header) > 12
    pagesize = landscape(A3 if wide else A4)
    margin = 0.8 * cm
    usable = pagesize[0] - 2 * margin
    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="DejaVuSans", fontSize=9)
    title = ParagraphStyle("T", parent=body, fontName="DejaVuSans-Bold", fontSize=13, leading=16)
    # Sized so that ₱999,999,999.99 fits on one line of an amount column.
    size = 5.6 if wide else 7
    cell = ParagraphStyle("Cell", parent=body, fontSize=size, leading=size + 1.5)
    money = ParagraphStyle("Money", parent=cell, alignment=TA_RIGHT)
    if sheet.text_columns == 1:
        widths = [4.6 * cm] + [(usable - 4.6 * cm) / (len(sheet.header) - 1)] * (
            len(sheet.header) - 1
        )
    else:
        text = [1.8 * cm, 2.6 * cm, 3.6 * cm, 6.2 * cm, 1.9 * cm]
        rest = (usable - sum(text)) / (len(sheet.header) - len(text))
        widths = text + [rest] * (len(sheet.header) - len(text))

    def para(value: Any, kind: str, numeric: bool) -> Paragraph:
        text = "" if value is None else (peso(value) if isinstance(value, Decimal) else str(value))
        text = f"<b>{escape(text)}</b>" if kind in ("cluster", "pap", "total") else escape(text)
        return Paragraph(text, money if numeric else cell)

    data = [[Paragraph(f"<b>{escape(h)}</b>", cell) for h in sheet.header]]
    styles = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5a0")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3efe8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for n, (kind, cells) in enumerate(sheet.rows, start=1):
        data.append([para(v, kind, i >= sheet.text_columns) for i, v in enumerate(cells)])
        if kind in ("cluster", "pap", "class", "total") and sheet.text_columns == 1:
            shade = "#f1f5f3" if kind != "class" else "#fafcfb"
            styles.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor(shade)))
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(styles))
    story: list[Any] = [Paragraph(escape(sheet.title), title)]
    story += [Paragraph(escape(line), body) for line in sheet.lines]
    story += [Spacer(1, 0.3 * cm), table, Spacer(1, 0.8 * cm)]
    blocks = [
        [
            Paragraph(escape(s.certifies), cell),
            Spacer(1, 0.9 * cm),
            Paragraph(f"<b>{escape(s.name or '_' * 30)}</b>", body),
            Paragraph(escape(s.position), cell),
        ]
        for s in sheet.signatories
    ]
    signatures = Table([blocks], colWidths=[usable / max(len(blocks), 1)] * len(blocks))
    signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(signatures)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("DejaVuSans", 7)
        canvas.drawString(margin, 0.5 * cm, f"{sheet.title} · {sheet.lines[0]} · page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=1.2 * cm,
        title=sheet.title,
        author=sheet.lines[0],
        creator="BMMS portal",
        invariant=1,
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
