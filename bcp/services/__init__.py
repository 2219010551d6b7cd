"""Writes of the bcp app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited.

AI drafting and exports build on `version_create_draft(..., generated_by=...)`.

One module per concern; each imports only the ones before it (_common → plans → registers →
review → quotas → generation → exports → tokens). Every public name is re-exported here, so
`from bcp import services; services.plan_create(...)` keeps working. Patch a module's own
globals (e.g. `services.registers.MAX_RISKS_PER_PLAN`), not these re-exports.
"""

from __future__ import annotations

from .cycle import (
    MAX_ACTIONS_PER_EXERCISE,
    action_create,
    action_progress,
    campaign_create,
    exercise_cancel,
    exercise_conduct,
    exercise_schedule,
    exercise_update,
)
from .exports import export_request, export_run, reader_share, reusable_export
from .generation import generation_request, generation_run, version_create_generated
from .plans import (
    PLAN_FIELDS,
    EditConflict,
    plan_archive,
    plan_create,
    plan_update,
    version_create_draft,
    version_update_draft,
)
from .quotas import RateLimited
from .registers import (
    CONTACT_FIELDS,
    EXPORTED_REGISTERS,
    MAX_ATTACHMENTS_PER_PLAN,
    MAX_CHANGES_PER_PLAN,
    MAX_CONTACTS_PER_PLAN,
    MAX_EXERCISES_PER_PLAN,
    MAX_PROCESSES_PER_PLAN,
    MAX_RISKS_PER_PLAN,
    MAX_VENDORS_PER_ORGANIZATION,
    PROCESS_FIELDS,
    REGISTERS,
    RISK_FIELDS,
    VENDOR_FIELDS,
    attachment_delete,
    attachment_upload,
    changelog_link,
    check_export_size,
    contact_create,
    contact_delete,
    contact_update,
    exercise_record,
    process_create,
    process_delete,
    process_update,
    risk_create,
    risk_delete,
    risk_update,
    vendor_create,
    vendor_delete,
    vendor_update,
)
from .review import acknowledgment_record, review_decide, version_submit_for_review
from .tokens import API_TOKEN_PREFIX, api_token_create, api_token_hash, api_token_revoke

__all__ = [
    "MAX_ACTIONS_PER_EXERCISE",
    "action_create",
    "action_progress",
    "campaign_create",
    "exercise_cancel",
    "exercise_conduct",
    "exercise_schedule",
    "exercise_update",
    "PLAN_FIELDS",
    "EditConflict",
    "plan_create",
    "plan_update",
    "plan_archive",
    "version_create_draft",
    "version_update_draft",
    "PROCESS_FIELDS",
    "RISK_FIELDS",
    "CONTACT_FIELDS",
    "VENDOR_FIELDS",
    "MAX_PROCESSES_PER_PLAN",
    "MAX_RISKS_PER_PLAN",
    "MAX_CONTACTS_PER_PLAN",
    "MAX_EXERCISES_PER_PLAN",
    "MAX_ATTACHMENTS_PER_PLAN",
    "MAX_CHANGES_PER_PLAN",
    "MAX_VENDORS_PER_ORGANIZATION",
    "EXPORTED_REGISTERS",
    "REGISTERS",
    "check_export_size",
    "process_create",
    "process_update",
    "process_delete",
    "risk_create",
    "risk_update",
    "risk_delete",
    "contact_create",
    "contact_update",
    "contact_delete",
    "vendor_create",
    "vendor_update",
    "vendor_delete",
    "attachment_upload",
    "attachment_delete",
    "exercise_record",
    "changelog_link",
    "version_submit_for_review",
    "review_decide",
    "acknowledgment_record",
    "RateLimited",
    "generation_request",
    "generation_run",
    "version_create_generated",
    "reader_share",
    "reusable_export",
    "export_request",
    "export_run",
    "API_TOKEN_PREFIX",
    "api_token_hash",
    "api_token_create",
    "api_token_revoke",
]
