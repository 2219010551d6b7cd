"""Helpers that build business continuity plans through the services (so rules apply)."""

from __future__ import annotations

import datetime
import io
import zipfile

from django.utils import timezone

from bcp import services
from bcp.content import blank_content
from bcp.models import Plan, Review, SectionDefinition, Template
from bcp.template_data import load_templates

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def departmental_template() -> Template:
    """The shipped template. The data migration loads it, but a transactional test that ran
    before on this worker may have flushed the tables; loading is idempotent."""
    if not Template.objects.filter(code="departmental-bcm").exists():
        load_templates(Template, SectionDefinition)
    return Template.objects.get(code="departmental-bcm")


def full_content(template: Template, marker: str = "") -> dict:
    """Content with every section written (ready for review)."""
    content = blank_content(template)
    for section in template.sections.all():
        if section.kind == SectionDefinition.Kind.TEXT:
            content[section.key] = f"{section.title}: what we do.{marker}"
    # The recovery strategy of make_ready's process is named (readiness, ISO 22301 8.3).
    key = "recovery_objectives_and_prioritized_activities"
    if isinstance(content.get(key), str):
        content[key] += " Payroll: manual payroll from the alternate site."
    return content


def make_plan(organization, editor, title="Finance continuity plan", department=None) -> Plan:
    template = departmental_template()
    return services.plan_create(
        actor=editor,
        organization=organization,
        template=template,
        title=title,
        department=department,
        content=full_content(template),
    )


def approve_plan(plan: Plan, editor, reviewers) -> Plan:
    """Send the open draft to the reviewers and have every one of them approve it."""
    version = plan.versions.get(status="draft")
    for review in services.version_submit_for_review(
        actor=editor, version=version, reviewers=reviewers
    ):
        services.review_decide(
            actor=review.reviewer, review=review, decision=Review.Status.APPROVED, notes="ok"
        )
    plan.refresh_from_db()
    return plan


def make_ready(plan: Plan, editor) -> None:
    """Everything the readiness check asks for except approval and acknowledgments."""
    process = services.process_create(
        actor=editor, plan=plan, name="Payroll", rto_minutes=60, rpo_minutes=30, mtpd_minutes=240
    )
    from bcp.services.strategies import strategy_create

    strategy_create(actor=editor, process=process, kind="manual_procedure", title="Paper payroll")
    alternate = services.contact_create(
        actor=editor, plan=plan, name="Omar Sema", role="Alternate", phone="+63 1"
    )
    lead = services.contact_create(
        actor=editor,
        plan=plan,
        name="Aisah Usman",
        role="Coordinator",
        phone="+63 2",
        alternate=alternate,
    )
    services.contact_update(actor=editor, contact=alternate, alternate=lead)
    services.exercise_record(
        actor=editor,
        plan=plan,
        kind="tabletop",
        held_on=timezone.localdate() - datetime.timedelta(days=10),
        scenario="Flood",
        results={process: 50},
    )
