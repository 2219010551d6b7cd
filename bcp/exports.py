"""PDF (reportlab) and DOCX (python-docx) renderings of a plan version.

Both are deterministic: the same version with the same plan data gives the same bytes, so the
SHA-256 stored with an export identifies the file ("verify a file"). What makes that hold:
reportlab's invariant mode (fixed creation date and document id), fixed core properties in the
DOCX and fixed timestamps on every member of its zip archive, and no "printed at" text anywhere.
The DejaVu Sans font shipped in static/fonts renders the peso sign and accented names.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings

from core import formats

from .content import sections_of
from .generation import BUILT_IN
from .models import Contact, CriticalProcess, PlanVersion, Review, SectionDefinition
from .template_data import ESCALATION_LEVELS

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
# Metadata dates are fixed: a file's bytes must depend on the plan only, never on the clock.
FIXED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass
class ExportData:
    """Everything printed in an export, read once (so both formats show the same facts)."""

    title: str
    organization: str
    department: str
    template: str
    version_number: int
    status: str
    author: str
    change_note: str
    generated_by: str
    fallback: bool
    created: str
    approved: str
    approvals: list[tuple[str, str]]
    sections: list[dict[str, Any]]
    processes: list[list[str]]
    risks: list[list[str]]
    contacts: list[list[str]]
    vendors: list[list[str]] = field(default_factory=list)


def _when(value: datetime.datetime | None) -> str:
    return formats.datetime(value)


def collect(version: PlanVersion) -> ExportData:
    """Read what an export shows: the version's sections and the plan's tables."""
    plan = version.plan
    processes = (
        CriticalProcess.objects.filter(plan=plan)
        .prefetch_related("vendors")
        .order_by("priority", "name", "pk")
    )
    vendors: dict[int, Any] = {}
    for process in processes:
        for vendor in process.vendors.all():
            vendors[vendor.pk] = vendor
    approvals = [
        (str(r.reviewer), _when(r.decided_at))
        for r in Review.objects.filter(version=version, status=Review.Status.APPROVED)
        .select_related("reviewer")
        .order_by("decided_at", "pk")
    ]
    sections = []
    for section in sections_of(plan.template):
        value = version.content.get(section.key)
        if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
            value = value if isinstance(value, dict) else {}
            rows = [
                [
                    level.title(),
                    (value.get(level) or {}).get("description", ""),
                    (value.get(level) or {}).get("response_time", ""),
                    (value.get(level) or {}).get("escalation_level", ""),
                ]
                for level in reversed(ESCALATION_LEVELS)
            ]
            sections.append({"order": section.order, "title": section.title, "matrix": rows})
        else:
            sections.append({"order": section.order, "title": section.title, "text": value or ""})
    return ExportData(
        title=plan.title,
        organization=plan.organization.name,
        department=plan.department.name if plan.department else "Whole organization",
        template=plan.template.name,
        version_number=version.version_number,
        status=version.get_status_display(),
        author=str(version.author),
        change_note=version.change_note,
        generated_by=version.generated_by,
        fallback=version.generation_fallback,
        created=_when(version.created_at),
        approved=_when(version.approved_at),
        approvals=approvals,
        sections=sections,
        processes=[
            [
                str(p.priority),
                p.name,
                formats.duration(p.rto_minutes),
                formats.duration(p.rpo_minutes),
                formats.duration(p.mtpd_minutes),
                p.get_impact_rating_display(),
            ]
            for p in processes
        ],
        risks=[
            [r.threat, str(r.likelihood), str(r.impact), str(r.rating), r.mitigation]
            for r in plan.risks.order_by("-rating", "threat", "pk")
        ],
        contacts=[
            [c.name, c.role, c.phone, c.email, c.alternate.name if c.alternate else ""]
            for c in Contact.objects.filter(plan=plan)
            .select_related("alternate")
            .order_by("name", "pk")
        ],
        vendors=[
            [
                v.name,
                v.service,
                v.get_criticality_display(),
                formats.duration(v.rto_offered_minutes),
            ]
            for v in sorted(vendors.values(), key=lambda v: (v.name.lower(), v.pk))
        ],
    )


PROCESS_HEAD = ["#", "Process", "RTO", "RPO", "MTPD", "Impact"]
MATRIX_HEAD = ["Level", "Description", "Response time", "Escalate to"]
RISK_HEAD = ["Threat", "Likelihood", "Impact", "Rating", "Mitigation"]
CONTACT_HEAD = ["Name", "Role", "Phone", "E-mail", "Alternate"]
VENDOR_HEAD = ["Vendor", "Service", "Criticality", "RTO offered"]
# Column widths in the PDF (cm, 17 cm of text width on A4).
WIDTHS = {
    "Critical processes": [0.8, 6.6, 2.2, 2.2, 2.4, 2.8],
    "Risks": [4.7, 2.3, 1.8, 1.8, 6.4],
    "Emergency contacts": [4.0, 4.0, 2.6, 4.0, 2.4],
    "Vendors": [5.0, 6.0, 3.0, 3.0],
}


def _appendix(data: ExportData) -> list[tuple[str, list[str], list[list[str]], str]]:
    """The tables after the sections: (title, header, rows, text when empty)."""
    return [
        ("Critical processes", PROCESS_HEAD, data.processes, "No critical process recorded."),
        ("Risks", RISK_HEAD, data.risks, "No risk recorded."),
        ("Emergency contacts", CONTACT_HEAD, data.contacts, "No contact recorded."),
        ("Vendors", VENDOR_HEAD, data.vendors, "No process depends on a vendor."),
    ]


def _info_rows(data: ExportData) -> list[tuple[str, str]]:
    rows = [
        ("Organization", data.organization),
        ("Department", data.department),
        ("Template", data.template),
        ("Version", f"{data.version_number} ({data.status})"),
        ("Author", data.author),
        ("Drafted", data.created),
        ("Approved", data.approved),
        ("Approved by", "; ".join(f"{who} ({when})" for who, when in data.approvals) or "—"),
    ]
    if data.generated_by:
        # How the first draft was made, in words (never "AI unavailable" on an approved plan).
        drafted = (
            "the portal's built-in plan template"
            if data.fallback or data.generated_by == BUILT_IN
            else f"AI assistance ({data.generated_by}), reviewed by people"
        )
        rows.append(("First draft", drafted))
    if data.change_note:
        rows.append(("Change note", data.change_note))
    return rows


def _contents(data: ExportData) -> list[str]:
    return [f"{s['order']}. {s['title']}" for s in data.sections] + [
        title for title, *_ in _appendix(data)
    ]


# --- PDF -----------------------------------------------------------------------------------------

_fonts_registered = False


def register_fonts() -> None:
    """DejaVu Sans (Unicode: ₱, ñ, accented names) for reportlab, registered once."""
    global _fonts_registered
    if _fonts_registered:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-Bold")
    _fonts_registered = True


def _list_items(paragraph: str) -> list[str]:
    """The items of a paragraph written as a list ("- one\n- two"), or [] for prose."""
    lines = [line.strip() for line in paragraph.strip().splitlines() if line.strip()]
    if lines and all(line.startswith(("- ", "* ", "• ")) for line in lines):
        return [line[2:].strip() for line in lines]
    return []


def _para_text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def render_pdf(data: ExportData) -> bytes:
    """A4 PDF: title page with the version block, contents, sections, then the tables."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        LongTable,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="DejaVuSans", fontSize=9.5)
    cell = ParagraphStyle("Cell", parent=body, fontSize=8, leading=10)
    h1 = ParagraphStyle("H1", parent=base["Heading1"], fontName="DejaVuSans-Bold", fontSize=15)
    h2 = ParagraphStyle("H2", parent=base["Heading2"], fontName="DejaVuSans-Bold", fontSize=12)
    title = ParagraphStyle(
        "Title", parent=h1, fontSize=22, leading=28, alignment=TA_CENTER, spaceAfter=12
    )
    subtitle = ParagraphStyle("Subtitle", parent=body, fontSize=12, alignment=TA_CENTER)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5a0")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3efe8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    # Header words never break inside (no "Likelihoo d"): the column widths fit them.
    head = ParagraphStyle("Head", parent=cell, splitLongWords=0)

    def table(header: list[str], rows: list[list[str]], widths: list[float] | None = None):
        cells = [[Paragraph(f"<b>{escape(h)}</b>", head) for h in header]] + [
            [Paragraph(_para_text(str(v)), cell) for v in row] for row in rows
        ]
        result = LongTable(cells, colWidths=widths, repeatRows=1)
        result.setStyle(grid)
        return result

    story: list[Any] = [
        Spacer(1, 4 * cm),
        Paragraph(escape(data.title), title),
        Paragraph(escape(f"{data.organization} · {data.department}"), subtitle),
        Spacer(1, 0.6 * cm),
        Paragraph(escape(f"Business continuity plan — version {data.version_number}"), subtitle),
        Spacer(1, 1.5 * cm),
        table(["Version and approval", ""], [list(r) for r in _info_rows(data)], [4 * cm, 12 * cm]),
        PageBreak(),
        Paragraph("Contents", h1),
    ]
    story += [Paragraph(escape(line), body) for line in _contents(data)]
    story.append(PageBreak())
    for section in data.sections:
        story.append(Paragraph(escape(f"{section['order']}. {section['title']}"), h1))
        if "matrix" in section:
            story.append(
                table(MATRIX_HEAD, section["matrix"], [2.2 * cm, 7 * cm, 2.8 * cm, 5 * cm])
            )
        else:
            for paragraph in (section["text"] or "—").split("\n\n"):
                items = _list_items(paragraph)
                if items:
                    story.append(
                        ListFlowable(
                            [ListItem(Paragraph(_para_text(i), body)) for i in items],
                            bulletType="bullet",
                            start="•",
                            bulletFontName="DejaVuSans",
                            leftIndent=12,
                        )
                    )
                else:
                    story.append(Paragraph(_para_text(paragraph), body))
        story.append(Spacer(1, 0.4 * cm))
    story.append(PageBreak())
    for heading, header, rows, empty in _appendix(data):
        story.append(Paragraph(escape(heading), h2))
        widths = [w * cm for w in WIDTHS[heading]]
        story.append(table(header, rows, widths) if rows else Paragraph(escape(empty), body))
        story.append(Spacer(1, 0.4 * cm))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("DejaVuSans", 7.5)
        canvas.drawString(
            2 * cm, 1.2 * cm, f"{data.title} · version {data.version_number} · page {doc.page}"
        )
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"{data.title} v{data.version_number}",
        author=data.organization,
        subject="Business continuity plan",
        creator="BMMS portal",
        # Fixed creation date and document id: the same plan gives the same bytes.
        invariant=1,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- DOCX ----------------------------------------------------------------------------------------


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed member timestamps (zip stores the time of writing)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def render_docx(data: ExportData) -> bytes:
    """Word document with the same structure as the PDF."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    document = Document()
    # A4 with the PDF's 2 cm margins (python-docx's default template is US Letter).
    for page in document.sections:
        page.page_width, page.page_height = Mm(210), Mm(297)
        page.left_margin = page.right_margin = Cm(2)
        page.top_margin = page.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    props = document.core_properties
    props.title = f"{data.title} v{data.version_number}"
    props.author = data.organization
    props.last_modified_by = data.organization
    props.subject = "Business continuity plan"
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.revision = 1

    def table(header: list[str], rows: list[list[str]]) -> None:
        grid = document.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for index, text in enumerate(header):
            grid.rows[0].cells[index].text = text
            for run in grid.rows[0].cells[index].paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = grid.add_row().cells
            for index, value in enumerate(row):
                cells[index].text = str(value)

    document.add_heading(data.title, level=0)
    document.add_paragraph(f"{data.organization} · {data.department}")
    document.add_paragraph(f"Business continuity plan — version {data.version_number}")
    document.add_heading("Version and approval", level=2)
    table(["", ""], [list(r) for r in _info_rows(data)])
    document.add_page_break()
    document.add_heading("Contents", level=1)
    # A real table-of-contents field (Word fills it in: References › Update table, or F9),
    # with the contents as its placeholder text until then.
    toc = document.add_paragraph()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    for element in (begin, instruction, separate):
        run = OxmlElement("w:r")
        run.append(element)
        toc._p.append(run)
    for index, line in enumerate(_contents(data)):
        if index:
            toc.add_run().add_break()
        toc.add_run(line)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run = OxmlElement("w:r")
    run.append(end)
    toc._p.append(run)
    document.add_page_break()
    for section in data.sections:
        document.add_heading(f"{section['order']}. {section['title']}", level=1)
        if "matrix" in section:
            table(MATRIX_HEAD, section["matrix"])
        else:
            for paragraph in (section["text"] or "—").split("\n\n"):
                items = _list_items(paragraph)
                for item in items:  # Word's own bulleted list, not "- " text
                    document.add_paragraph(item, style="List Bullet")
                if not items:
                    document.add_paragraph(paragraph)
    document.add_page_break()
    for heading, header, rows, empty in _appendix(data):
        document.add_heading(heading, level=2)
        if rows:
            table(header, rows)
        else:
            document.add_paragraph(empty)
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalize_zip(buffer.getvalue())


#: Bumped whenever the renderers change what a file looks like: older exports are not reused.
RENDERER_REVISION = 2


def source_fingerprint(version: PlanVersion, fmt: str) -> str:
    """SHA-256 of everything an export of the version would show (and of the format and the
    renderer's revision): two requests with the same fingerprint give the same bytes, so the
    second one reuses the first export instead of rendering (and counting) again."""
    data = dataclasses.asdict(collect(version))
    payload = json.dumps(
        {"format": fmt, "renderer": RENDERER_REVISION, "data": data},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def render(version: PlanVersion, fmt: str) -> bytes:
    """The export of a version in the given format ("pdf" or "docx")."""
    data = collect(version)
    return render_pdf(data) if fmt == "pdf" else render_docx(data)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
