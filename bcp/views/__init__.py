"""Views of the bcp app (thin: selectors read, services write).

One module per concern; every view is re-exported here for bcp/urls.py (`views.plan_list`).
"""

from __future__ import annotations

from .exports import export_detail, export_download, export_verify, version_export
from .generation import generation_detail, plan_generate
from .plans import (
    plan_archive,
    plan_create,
    plan_detail,
    plan_edit,
    plan_list,
    plan_readiness,
    version_create,
    version_detail,
    version_diff,
    version_edit,
    version_list,
    version_text,
)
from .registers import (
    attachment_delete,
    attachment_download,
    attachment_upload,
    changelog_create,
    contact_create,
    contact_delete,
    contact_edit,
    exercise_create,
    exercise_detail,
    process_create,
    process_delete,
    process_edit,
    risk_create,
    risk_delete,
    risk_edit,
    vendor_create,
    vendor_delete,
    vendor_edit,
    vendor_list,
)
from .review import review_decide, review_queue, version_acknowledge, version_submit

__all__ = [
    "plan_list",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_archive",
    "plan_readiness",
    "version_list",
    "version_diff",
    "version_text",
    "version_create",
    "version_detail",
    "version_edit",
    "version_submit",
    "version_acknowledge",
    "review_queue",
    "review_decide",
    "process_create",
    "process_edit",
    "process_delete",
    "risk_create",
    "risk_edit",
    "risk_delete",
    "contact_create",
    "contact_edit",
    "contact_delete",
    "exercise_create",
    "exercise_detail",
    "attachment_upload",
    "attachment_download",
    "attachment_delete",
    "changelog_create",
    "vendor_list",
    "vendor_create",
    "vendor_edit",
    "vendor_delete",
    "plan_generate",
    "generation_detail",
    "version_export",
    "export_detail",
    "export_download",
    "export_verify",
]
