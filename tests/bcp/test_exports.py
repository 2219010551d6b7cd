"""PDF and DOCX exports: read back, deterministic bytes, stored hash, download and verify."""

from __future__ import annotations

import datetime
import hashlib
import io
import time

import docx
import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bcp import exports, services
from bcp.content import sections_of
from bcp.models import Export
from tests.bcp.factories import approve_plan


@pytest.fixture
def exported_plan(plan, carol, dave, alice, org_a):
    vendor = services.vendor_create(
        actor=carol,
        organization=org_a,
        name="Cotabato Power Coöp",
        service="Electricity",
        rto_offered_minutes=120,
    )
    services.process_create(
        actor=carol,
        plan=plan,
        name="Disbursement of ₱ allowances",
        priority=1,
        rto_minutes=240,
        rpo_minutes=60,
        mtpd_minutes=1440,
        vendors=[vendor],
    )
    services.risk_create(
        actor=carol,
        plan=plan,
        threat="Flooding in Dinaig",
        likelihood=4,
        impact=5,
        mitigation="Move servers upstairs",
    )
    services.contact_create(
        actor=carol, plan=plan, name="Bai Fátima Piñol", role="BCM coordinator", phone="0917 1"
    )
    approve_plan(plan, carol, [dave, alice])
    plan.refresh_from_db()
    return plan


def request_export(user, version, fmt, capture) -> Export:
    with capture(execute=True):
        export = services.export_request(actor=user, version=version, fmt=fmt)
    export.refresh_from_db()
    return export


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def docx_text(data: bytes) -> tuple[list[str], list[str]]:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return paragraphs, cells


def test_the_pdf_holds_every_section_the_process_table_and_accented_names(
    exported_plan, dave, alice
):
    version = exported_plan.current_version
    text = pdf_text(exports.render(version, "pdf"))
    for section in sections_of(exported_plan.template):
        assert f"{section.order}. {section.title}" in text
    assert "Contents" in text and "Version and approval" in text
    assert "# Process RTO RPO MTPD Impact" in text
    assert "Disbursement of ₱ allowances 4 h 1 h 1 d" in text  # durations as people say them
    assert "Threat Likelihood Impact Rating Mitigation" in text  # no header broken in a word
    assert "Bai Fátima Piñol" in text and "Cotabato Power Coöp" in text
    assert "Level Description Response time Escalate to" in text
    assert "30 minutes" in text and "4 hours" in text
    assert "Flooding in Dinaig" in text
    assert "Approved by" in text and f"{dave} (" in text and f"{alice} (" in text


def test_the_docx_reopens_with_the_same_content(exported_plan):
    version = exported_plan.current_version
    paragraphs, cells = docx_text(exports.render(version, "docx"))
    for section in sections_of(exported_plan.template):
        assert f"{section.order}. {section.title}" in paragraphs
    assert cells[cells.index("#") : cells.index("#") + 6] == [
        "#",
        "Process",
        "RTO",
        "RPO",
        "MTPD",
        "Impact",
    ]
    assert "Disbursement of ₱ allowances" in cells
    assert "Bai Fátima Piñol" in cells
    assert "Escalate to" in cells and "30 minutes" in cells
    assert "Flooding in Dinaig" in cells


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_same_version_exported_twice_has_the_same_sha256(
    exported_plan, alice, bob, fmt, django_capture_on_commit_callbacks
):
    version = exported_plan.current_version
    first = request_export(alice, version, fmt, django_capture_on_commit_callbacks)
    time.sleep(2.1)  # zip and PDF dates have 1–2 s resolution: a clock leak would show
    second = request_export(bob, version, fmt, django_capture_on_commit_callbacks)
    assert first.status == second.status == "done"
    assert first.sha256 == second.sha256
    assert first.storage_name == second.storage_name
    with open(exports_path(first), "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == first.sha256


def exports_path(export: Export) -> str:
    from django.core.files.storage import default_storage

    return default_storage.path(export.storage_name)


def test_a_changed_plan_gives_a_different_file(
    exported_plan, carol, alice, django_capture_on_commit_callbacks
):
    version = exported_plan.current_version
    first = request_export(alice, version, "pdf", django_capture_on_commit_callbacks)
    services.risk_create(actor=carol, plan=exported_plan, threat="Fire", likelihood=1, impact=2)
    second = request_export(alice, version, "pdf", django_capture_on_commit_callbacks)
    assert first.sha256 != second.sha256


def test_export_pages_download_and_verify(
    login, exported_plan, bob, charlie, django_capture_on_commit_callbacks
):
    version = exported_plan.current_version
    client = login(bob)  # a viewer may read the plan, so may export it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bcp:version-export", args=[version.public_id]), {"format": "docx"}
        )
    export = Export.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Download" in page.content.decode() and export.sha256 in page.content.decode()
    download = client.get(reverse("bcp:export-download", args=[export.public_id]))
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert download["Content-Disposition"].startswith('attachment; filename="finance-continuity')

    verify = reverse("bcp:export-verify")
    good = client.post(verify, {"file": SimpleUploadedFile("plan.docx", data)})
    assert "matches" in good.content.decode() and f"version {version.version_number}" in (
        good.content.decode()
    )
    bad = client.post(verify, {"file": SimpleUploadedFile("plan.docx", data + b"x")})
    assert "does not match any export" in bad.content.decode()

    # Another organization's user neither downloads it nor learns that it exists.
    other = login(charlie)
    assert other.get(reverse("bcp:export-download", args=[export.public_id])).status_code == 404
    assert other.get(reverse("bcp:export-detail", args=[export.public_id])).status_code == 404
    assert (
        "does not match any export"
        in other.post(verify, {"file": SimpleUploadedFile("plan.docx", data)}).content.decode()
    )


def test_exports_are_rate_limited_per_organization(
    settings, login, exported_plan, alice, bob, org_a, django_capture_on_commit_callbacks
):
    settings.BCP_EXPORTS_PER_HOUR = 2
    version = exported_plan.current_version
    request_export(alice, version, "pdf", django_capture_on_commit_callbacks)
    request_export(bob, version, "docx", django_capture_on_commit_callbacks)
    # Something the files show changes: asking again needs new exports (no reuse).
    services.risk_create(actor=alice, plan=exported_plan, threat="Fire", likelihood=1, impact=1)
    # The limit is the organization's, whoever asks and in whichever format.
    with pytest.raises(services.RateLimited, match=r"reached its limit of exports \(2 an hour\)"):
        services.export_request(actor=alice, version=version, fmt="docx")
    response = login(bob).post(
        reverse("bcp:version-export", args=[version.public_id]), {"format": "pdf"}, follow=True
    )
    page = response.content.decode()
    assert "has reached its limit of exports (2 an hour)" in page and "You can ask again at" in page
    assert Export.objects.count() == 2
    # An hour later the organization may export again.
    Export.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert request_export(alice, version, "pdf", django_capture_on_commit_callbacks).pk
    assert Export.objects.count() == 3


def test_exports_read_as_finished_documents(exported_plan):
    """Issue 21: A4 Word file with real lists and a contents field; no "AI unavailable" on the
    cover of an approved plan; the PDF's list paragraphs are bullets, not "- " text."""
    version = exported_plan.current_version
    text_key = next(
        s.key for s in sections_of(exported_plan.template) if s.kind != "escalation_matrix"
    )
    version.content = {**version.content, text_key: "- First\n- Second"}
    version.generated_by, version.generation_fallback = "built-in", True
    data = exports.collect(version)
    pdf = pdf_text(exports.render_pdf(data))
    assert "AI unavailable" not in pdf
    assert "First draft the portal's built-in plan template" in pdf
    assert "• First" in pdf and "- First" not in pdf
    document = docx.Document(io.BytesIO(exports.render_docx(data)))
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets[:2] == ["First", "Second"]
    assert not any(p.text.startswith("- ") for p in document.paragraphs)
    xml = document.element.xml
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml and 'w:fldCharType="begin"' in xml
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "AI unavailable" not in " ".join(cells)
