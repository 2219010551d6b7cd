"""Checking uploaded attachments: name, size and type taken from the bytes (magic numbers)."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

#: Extension → the type its bytes must have. Text files have no magic number: they must be
#: UTF-8 without NUL bytes instead.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
    "csv": "text/csv",
}
TEXT_TYPES = {"text/plain", "text/csv"}
#: Office files are ZIP containers: what they unpack to is checked before anything is kept.
OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
_SAFE_NAME = re.compile(r"^[\w\-. ()]+$")


def max_attachment_bytes() -> int:
    return getattr(settings, "BCP_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to store."""

    name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check_name(name: str) -> tuple[str, str]:
    """A safe display name and its extension, or ValidationError. Names are never paths."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise ValidationError("The file has no name.")
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise ValidationError(
            f"“{name}” is not an acceptable file name: names may not contain folders, “..” "
            "or start with a dot. Rename the file and upload it again."
        )
    if len(name) > 200 or not _SAFE_NAME.match(name):
        raise ValidationError(
            "File names may use letters, digits, spaces, dots, dashes, underscores and "
            "parentheses, up to 200 characters."
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        allowed = ", ".join(sorted({e.upper() for e in ALLOWED_TYPES} - {"JPEG"}))
        raise ValidationError(f"“{name}”: only these file types are accepted: {allowed}.")
    return name, extension


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes really have (None when unknown)."""
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def check_upload(name: str, data: bytes) -> CheckedFile:
    """Validate an upload completely before anything is written anywhere."""
    name, extension = check_name(name)
    limit = max_attachment_bytes()
    if len(data) > limit:
        raise ValidationError(
            f"“{name}” is {filesizeformat(len(data))}; attachments may be at most "
            f"{filesizeformat(limit)}."
        )
    if not data:
        raise ValidationError(f"“{name}” is empty.")
    expected = ALLOWED_TYPES[extension]
    actual = sniff(data)
    matches = actual == expected or (expected in TEXT_TYPES and actual == "text/plain")
    if not matches:
        raise ValidationError(
            f"“{name}” does not contain what its name says: a .{extension} file was expected, "
            f"but the content is {actual or 'of an unknown type'}."
        )
    if extension in OFFICE_PARTS:
        check_office_container(name, data, OFFICE_PARTS[extension])
    return CheckedFile(
        name=name,
        extension=extension,
        content_type=expected,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def check_office_container(name: str, data: bytes, main_part: str) -> None:
    """Refuse a DOCX/XLSX that is not a sound Office package: a zip bomb (huge or extreme
    compression ratio, too many members), unsafe member paths, or no main document part."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(
            f"“{name}” is damaged: it cannot be opened as an Office file."
        ) from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise ValidationError(
            f"“{name}” unpacks to {filesizeformat(unpacked)} in {len(members)} parts: that is not "
            "a normal document, so it was refused."
        )
    if any(m.filename.startswith(("/", "\\")) or ".." in m.filename.split("/") for m in members):
        raise ValidationError(f"“{name}” contains unsafe paths and was refused.")
    if main_part not in {m.filename for m in members}:
        raise ValidationError(f"“{name}” is not a real Office document (no {main_part}).")
