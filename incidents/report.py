"""The incident report as PDF (reportlab) and DOCX (python-docx), deterministic like the plan
exports (bcp/exports.py): the same incident gives the same bytes, so its SHA-256 (sent in the
`X-Content-SHA256` header) identifies the file. Times are printed from the records, never "now".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from bcp.exports import FIXED_DATE, _normalize_zip, _para_text, register_fonts
from core import formats

from .formatting import duration, when
from .models import CallTreeEntry, Incident, LogEntry, RecoveryItem

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class ReportData:
    title: str
    banner: str
    facts: list[tuple[str, str]]
    plans: list[list[str]]
    processes: list[list[str]]
    calls: list[list[str]]
    log: list[list[str]]
    review: list[tuple[str, str]]
    actions: list[list[str]]


PROCESS_HEAD = ["Process", "Disrupted since", "RTO", "MTPD", "Recovered at", "Achieved", "Result"]
CALL_HEAD = ["Contact", "Role", "Status", "Notified", "Acknowledged"]
LOG_HEAD = ["When", "Kind", "Who", "Entry"]
PLAN_HEAD = ["Plan", "Version in force", "Exercise recorded"]
ACTION_HEAD = ["Corrective action", "Owner", "Due", "Status"]


def collect(incident: Incident) -> ReportData:
    end = incident.closed_at
    items = RecoveryItem.objects.filter(incident=incident).order_by("priority", "name", "pk")
    processes = []
    for item in items:
        achieved = item.elapsed_minutes(end) if item.is_recovered else None
        if item.is_recovered and item.rto_minutes is not None:
            result = "RTO met" if achieved <= item.rto_minutes else "RTO missed"
        elif item.is_recovered:
            result = "Recovered (no RTO)"
        else:
            result = item.get_status_display()
        processes.append(
            [
                item.name,
                when(item.disrupted_since),
                duration(item.rto_minutes),
                duration(item.mtpd_minutes),
                when(item.recovered_at),
                duration(achieved),
                result,
            ]
        )
    calls = [
        [
            c.name + (f" (alternate for {c.alternate_for.name})" if c.alternate_for_id else ""),
            c.role,
            c.get_status_display(),
            when(c.notified_at),
            when(c.acknowledged_at),
        ]
        for c in CallTreeEntry.objects.filter(incident=incident)
        .select_related("alternate_for")
        .order_by("position", "pk")
    ]
    log = [
        [when(e.created_at), e.get_kind_display(), e.author_name, e.text]
        for e in LogEntry.objects.filter(incident=incident).order_by("created_at", "pk")
    ]
    plans = [
        [
            a.plan.title,
            f"v{a.version.version_number}",
            f"{a.exercise.get_kind_display()} of {formats.date(a.exercise.held_on)}"
            if a.exercise
            else "—",
        ]
        for a in incident.activations.select_related("plan", "version", "exercise").order_by(
            "plan__title", "pk"
        )
    ]
    review = getattr(incident, "review", None) if not incident.is_open else None
    facts = [
        ("Organization", incident.organization.name),
        ("Type", incident.get_kind_display()),
        ("Severity", incident.get_severity_display()),
        ("Location", incident.location),
        ("Started", when(incident.started_at)),
        ("Declared", f"{when(incident.declared_at)} by {incident.declared_by}"),
        ("Incident commander", str(incident.commander)),
        ("Departments", ", ".join(d.name for d in incident.departments.order_by("name")) or "—"),
        ("Response time", duration(incident.response_minutes)),
        ("Status", incident.get_status_display()),
        ("Stood down", f"{when(incident.closed_at)} by {incident.closed_by}" if end else "—"),
        ("Summary", incident.summary or "—"),
    ]
    if incident.open_processes_reason:
        facts.append(
            ("Stood down with processes disrupted because", incident.open_processes_reason)
        )
    if incident.description:
        facts.insert(4, ("Description", incident.description))
    return ReportData(
        title=str(incident.title),
        banner=(
            "EXERCISE — simulated incident, not a real disruption"
            if incident.is_exercise
            else "Incident report"
        ),
        facts=facts,
        plans=plans,
        processes=processes,
        calls=calls,
        log=log,
        review=[("What worked", review.what_worked), ("What failed", review.what_failed)]
        if review
        else [],
        actions=[
            [a.description, str(a.owner), f"{formats.date(a.due_date)}", a.get_status_display()]
            for a in review.actions.select_related("owner").order_by("due_date", "pk")
        ]
        if review
        else [],
    )


def _sections(data: ReportData) -> list[tuple[str, list[str], list[list[str]], str]]:
    return [
        ("Plans activated", PLAN_HEAD, data.plans, "No approved plan was activated."),
        ("Recovery of critical processes", PROCESS_HEAD, data.processes, "No process recorded."),
        ("Call tree", CALL_HEAD, data.calls, "Nobody on the call tree."),
        ("Incident log", LOG_HEAD, data.log, "No entries."),
    ]


def render_pdf(data: ReportData) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="DejaVuSans", fontSize=9.5)
    cell = ParagraphStyle("Cell", parent=body, fontSize=7.5, leading=9.5)
    h1 = ParagraphStyle("H1", parent=base["Heading1"], fontName="DejaVuSans-Bold", fontSize=16)
    h2 = ParagraphStyle("H2", parent=base["Heading2"], fontName="DejaVuSans-Bold", fontSize=12)
    banner = ParagraphStyle("Banner", parent=body, textColor=colors.HexColor("#b42318"))
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5a0")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3efe8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def table(header, rows):
        cells = [[Paragraph(f"<b>{escape(h)}</b>", cell) for h in header]] + [
            [Paragraph(_para_text(str(v)), cell) for v in row] for row in rows
        ]
        result = LongTable(cells, repeatRows=1, colWidths=None)
        result.setStyle(grid)
        return result

    story: list[Any] = [
        Paragraph(escape(data.banner), banner),
        Paragraph(escape(data.title), h1),
        table(["", ""], [list(f) for f in data.facts]),
        Spacer(1, 0.4 * cm),
    ]
    for heading, header, rows, empty in _sections(data):
        story.append(Paragraph(escape(heading), h2))
        story.append(table(header, rows) if rows else Paragraph(escape(empty), body))
        story.append(Spacer(1, 0.3 * cm))
    story.append(Paragraph("After-action review", h2))
    if data.review:
        for label, text in data.review:
            story.append(Paragraph(f"<b>{escape(label)}</b>", body))
            story.append(Paragraph(_para_text(text), body))
        story.append(
            table(ACTION_HEAD, data.actions)
            if data.actions
            else Paragraph("No corrective actions.", body)
        )
    else:
        story.append(Paragraph("Not written yet.", body))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("DejaVuSans", 7.5)
        canvas.drawString(2 * cm, 1.2 * cm, f"{data.banner} · {data.title} · page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.6 * cm,
        rightMargin=1.6 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=data.title,
        author="BMMS portal",
        subject=data.banner,
        creator="BMMS portal",
        invariant=1,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render_docx(data: ReportData) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    props = document.core_properties
    props.title = data.title
    props.author = props.last_modified_by = "BMMS portal"
    props.subject = data.banner
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.revision = 1

    def table(header, rows):
        grid = document.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for index, text in enumerate(header):
            grid.rows[0].cells[index].text = text
        for row in rows:
            cells = grid.add_row().cells
            for index, value in enumerate(row):
                cells[index].text = str(value)

    document.add_paragraph(data.banner)
    document.add_heading(data.title, level=0)
    table(["", ""], [list(f) for f in data.facts])
    for heading, header, rows, empty in _sections(data):
        document.add_heading(heading, level=2)
        if rows:
            table(header, rows)
        else:
            document.add_paragraph(empty)
    document.add_heading("After-action review", level=2)
    if data.review:
        for label, text in data.review:
            document.add_heading(label, level=3)
            document.add_paragraph(text)
        if data.actions:
            table(ACTION_HEAD, data.actions)
        else:
            document.add_paragraph("No corrective actions.")
    else:
        document.add_paragraph("Not written yet.")
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalize_zip(buffer.getvalue())


def render(incident: Incident, fmt: str) -> bytes:
    data = collect(incident)
    return render_pdf(data) if fmt == "pdf" else render_docx(data)


def filename(incident: Incident, fmt: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in incident.title.lower()).strip("-")[:60]
    prefix = "exercise" if incident.is_exercise else "incident"
    return f"{prefix}-{incident.started_at:%Y%m%d}-{slug or 'report'}.{fmt}"
