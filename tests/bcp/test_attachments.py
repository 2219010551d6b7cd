"""Attachments: size limit, type from the bytes, no paths in names, nothing stored on refusal."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bcp import services
from bcp.models import Attachment
from tests.bcp.factories import PDF_BYTES, PNG_BYTES, docx_bytes

pytestmark = pytest.mark.django_db


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def small_limit(settings):
    settings.BCP_ATTACHMENT_MAX_BYTES = 1024


def _upload(client, plan, name, data):
    return client.post(
        reverse("bcp:attachment-upload", args=[plan.public_id]),
        {"file": SimpleUploadedFile(name, data), "description": "x"},
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.pdf", PDF_BYTES + b"0" * 2000, "attachments may be at most 1.0\xa0KB"),
        ("report.pdf", PNG_BYTES, "does not contain what its name says"),
        ("notes.txt", PDF_BYTES[:8] + b"\x00\x01\xff\xfe", "does not contain what its name says"),
        ("photo.png", docx_bytes(), "does not contain what its name says"),
        # Django's upload parser already cuts the folders off ("x"); what is left is refused.
        ("../../x", PDF_BYTES, "only these file types are accepted"),
        ("payload.exe", b"MZ\x90\x00", "only these file types are accepted"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    small_limit, login, plan, carol, name, data, message
):
    before = _stored_files()
    response = _upload(login(carol), plan, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files() == before


@pytest.mark.parametrize("name", ["../../x", "..\\..\\x.pdf", "../x.pdf", ".htaccess"])
def test_path_names_are_refused_by_the_service_and_nothing_is_stored(plan, carol, name):
    from django.core.exceptions import ValidationError

    before = _stored_files()
    with pytest.raises(ValidationError) as exc:
        services.attachment_upload(actor=carol, plan=plan, name=name, data=PDF_BYTES)
    assert "names may not contain folders" in " ".join(exc.value.messages)
    assert not Attachment.objects.exists()
    assert _stored_files() == before


def test_a_good_upload_is_stored_under_a_generated_name_with_its_hash(login, plan, carol, bob):
    data = docx_bytes()
    response = _upload(login(carol), plan, "Call tree.docx", data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.size_bytes == len(data)
    assert "Call tree" not in attachment.storage_name
    assert attachment.storage_name.startswith(f"bcp/{plan.organization.code}/")
    assert (Path(settings.MEDIA_ROOT) / attachment.storage_name).read_bytes() == data

    # Any member may download it, as a download.
    download = login(bob).get(reverse("bcp:attachment-download", args=[attachment.public_id]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        "Call%20tree.docx" in download["Content-Disposition"]
        or "Call tree.docx" in download["Content-Disposition"]
    )
    assert b"".join(download.streaming_content) == data


def test_another_organization_gets_404_for_the_download(login, plan, carol, charlie):
    attachment = services.attachment_upload(actor=carol, plan=plan, name="a.pdf", data=PDF_BYTES)
    response = login(charlie).get(reverse("bcp:attachment-download", args=[attachment.public_id]))
    assert response.status_code == 404


def test_deleting_an_attachment_removes_the_file(
    login, plan, carol, django_capture_on_commit_callbacks
):
    attachment = services.attachment_upload(actor=carol, plan=plan, name="a.pdf", data=PDF_BYTES)
    path = Path(settings.MEDIA_ROOT) / attachment.storage_name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        login(carol).post(reverse("bcp:attachment-delete", args=[attachment.public_id]))
    assert not Attachment.objects.exists()
    assert not path.exists()
