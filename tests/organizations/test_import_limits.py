"""Issue 16, class 3: a CSV import is bounded in bytes (2 MB) and rows (importing.MAX_ROWS),
each refused with a plain message before any row is checked or written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations import importing
from organizations.forms import ImportUploadForm
from organizations.models import ImportJob, User

pytestmark = pytest.mark.django_db

HEADER = ",".join(importing.COLUMNS)


def _post(client, text: str):
    upload = SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("organizations:user-import"), {"file": upload})


def test_a_file_over_the_byte_limit_is_refused_unread(alice, client):
    client.force_login(alice)
    text = HEADER + "\n" + "x" * ImportUploadForm.MAX_BYTES
    page = _post(client, text).content.decode()
    assert "The file is larger than 2 MB; split it into parts." in page
    assert not ImportJob.objects.exists()


def test_a_file_over_the_row_limit_is_refused_with_a_message(alice, client, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    client.force_login(alice)
    lines = [f"new{i}@moh.gov.ph,A,B,MOH,viewer,,," for i in range(4)]
    page = _post(client, "\n".join([HEADER, *lines]) + "\n").content.decode()
    assert "The file has more than 3 rows; split it." in page
    assert not User.objects.filter(email="new0@moh.gov.ph").exists()
