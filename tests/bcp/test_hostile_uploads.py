"""Hostile uploads: a zip bomb disguised as DOCX, an oversize file, 101 files in one request."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bcp.models import Attachment
from tests.bcp.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def zip_bomb() -> bytes:
    """A valid-looking DOCX whose document part unpacks to 200 MB of zeros (~200 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def upload(client, plan, files):
    return client.post(
        reverse("bcp:attachment-upload", args=[plan.public_id]), {"file": files, "description": "x"}
    )


def test_zip_bomb_disguised_as_docx_is_refused_and_nothing_is_stored(login, plan, carol):
    before = stored_files()
    data = zip_bomb()
    assert len(data) < 1024 * 1024  # small enough to pass the size limit
    response = upload(login(carol), plan, SimpleUploadedFile("minutes.docx", data))
    assert "that is not a normal document, so it was refused" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files() == before


def test_a_zip_that_is_not_a_document_is_refused(login, plan, carol):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("../../evil.sh", "rm -rf /")
    response = upload(login(carol), plan, SimpleUploadedFile("report.docx", buffer.getvalue()))
    assert Attachment.objects.count() == 0
    body = response.content.decode()
    assert (
        "unsafe paths" in body or "not a real Office document" in body or "does not contain" in body
    )


def test_oversize_file_is_refused(login, plan, carol, settings):
    settings.BCP_ATTACHMENT_MAX_BYTES = 1024
    response = upload(login(carol), plan, SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 4096))
    assert "attachments may be at most" in response.content.decode()
    assert not Attachment.objects.exists()


def test_101_files_in_one_request_are_refused_and_nothing_is_stored(login, plan, carol):
    before = stored_files()
    files = [SimpleUploadedFile(f"f{i}.pdf", PDF_BYTES) for i in range(101)]
    response = upload(login(carol), plan, files)
    assert response.status_code == 400
    assert not Attachment.objects.exists() and stored_files() == before
