"""Exports of plan versions (PDF, DOCX) within the hourly quotas."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

import notifications
from core import audit, outbox
from core.tenancy import require
from organizations.models import Organization

from ..models import Export, PlanVersion
from ._common import _save
from .quotas import _check_quotas
from .registers import check_export_size

# --- exports --------------------------------------------------------------------------------------


def reader_share(organization_limit: int) -> int:
    """The part of an organization's hourly exports its readers may use (at least one, unless
    the share is 0)."""
    percent = settings.BCP_EXPORTS_READER_SHARE_PERCENT
    return max(1, organization_limit * percent // 100) if percent > 0 else 0


def reusable_export(version: PlanVersion, fmt: str, fingerprint: str) -> Export | None:
    """The newest export of the version in the format that shows exactly what a new one would
    (same fingerprint), unless it failed: asking again returns it instead of a new export."""
    return (
        Export.objects.filter(version=version, format=fmt, source_sha256=fingerprint)
        .exclude(status=Export.Status.FAILED)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def export_request(*, actor: Any, version: PlanVersion, fmt: str) -> Export:
    """Ask for a PDF or DOCX of a version (anyone who may read the plan).

    When nothing the file shows changed since an earlier export of the version in that format,
    that export is returned (`reused` is True) and nothing counts against any quota. Otherwise
    a new export is queued within the hourly quotas (`_check_quotas`)."""
    from ..exports import source_fingerprint

    require(actor, version.plan.organization_id, "view")
    if fmt not in Export.Format.values:
        raise ValidationError({"format": "Choose PDF or DOCX."})
    version = PlanVersion.objects.select_related(
        "plan__organization", "plan__department", "plan__template", "author"
    ).get(pk=version.pk)
    check_export_size(version.plan)
    # Read what the file would show before taking the organization's lock (it is the slow part).
    fingerprint = source_fingerprint(version, fmt)
    # The organization row serializes new exports: quotas are counted one request at a time,
    # and two identical requests at once make one export (the second finds the first).
    organization = Organization.objects.select_for_update().get(pk=version.plan.organization_id)
    existing = reusable_export(version, fmt, fingerprint)
    if existing is not None:
        existing.reused = True
        return existing
    _check_quotas(
        Export.objects.filter(version__plan__organization=organization),
        actor=actor,
        organization=organization,
        what="exports",
        organization_limit=settings.BCP_EXPORTS_PER_HOUR,
        user_limit=settings.BCP_EXPORTS_PER_USER_PER_HOUR,
        reader_limit=reader_share(settings.BCP_EXPORTS_PER_HOUR),
    )
    export = Export(version=version, format=fmt, requested_by=actor, source_sha256=fingerprint)
    _save(export)
    from ..tasks import export_version

    outbox.enqueue(export_version, export.pk)
    export.reused = False
    return export


def export_run(export_id: int) -> Export:
    """Render an export (the Celery task's body); idempotent for a finished export."""
    from .. import exports

    with transaction.atomic():
        export = Export.objects.select_for_update(of=("self",)).get(pk=export_id)
        if export.status in (Export.Status.DONE, Export.Status.FAILED):
            return export
        export.status = Export.Status.RUNNING
        export.save(update_fields=["status"])
    version = PlanVersion.objects.select_related(
        "plan__organization", "plan__department", "plan__template", "author"
    ).get(pk=export.version_id)
    try:
        data = exports.render(version, export.format)
    except Exception as exc:  # noqa: BLE001 - a failed render must end with a message
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error=f"The file could not be rendered: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return Export.objects.get(pk=export_id)
    digest = hashlib.sha256(data).hexdigest()
    # Stored under its hash: an unchanged version exported again is the very same file.
    name = f"bcp/exports/{digest}.{export.format}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE,
        sha256=digest,
        storage_name=name,
        size_bytes=len(data),
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    audit.record(
        actor=export.requested_by,
        action="bcp.version.exported",
        subject=version,
        organization=version.plan.organization,
        after={"format": export.format, "sha256": digest, "size": len(data)},
    )
    notifications.emit("bcp.export_ready", export, key=f"export:{export.pk}")
    return export
