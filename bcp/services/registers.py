"""The plan's registers (processes, risks, contacts, vendors, attachments, exercises, linked
changes) and their size limits."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core import contributions, writes
from core.tenancy import require
from organizations.models import Organization

from ..files import check_upload
from ..models import (
    Attachment,
    ChangeLogEntry,
    Contact,
    CriticalProcess,
    Exercise,
    ExerciseResult,
    Plan,
    Risk,
    Vendor,
)
from ._common import CONFLICT, _check_member, _lock_plan, _record, _relock, _save

PROCESS_FIELDS = [
    "name",
    "description",
    "priority",
    "rto_minutes",
    "rpo_minutes",
    "mtpd_minutes",
    "mbco_percent",
    "impact_rating",
    "impact_1h",
    "impact_4h",
    "impact_8h",
    "impact_24h",
    "impact_72h",
]
RISK_FIELDS = ["threat", "likelihood", "impact", "mitigation", "owner_id"]
CONTACT_FIELDS = ["name", "role", "phone", "email", "alternate_id", "notes"]
VENDOR_FIELDS = [
    "name",
    "service",
    "criticality",
    "sla",
    "contract_reference",
    "contract_end",
    "rto_offered_minutes",
    "rpo_offered_minutes",
    "contact_name",
    "contact_phone",
    "contact_email",
]


# --- the plan's registers -------------------------------------------------------------------------


def _editable_plan(actor: Any, plan: Plan) -> None:
    require(actor, plan.organization_id, "change")
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived and can no longer be changed.")


def _contributed(actor: Any, plan: Plan) -> None:
    """The actor changed the plan's registers: a contributor to the next version decided
    (segregation of duties). Called last in each service, so the contribution row is always the
    last lock a transaction takes (recording an exercise that took place does not count)."""
    contributions.record(actor=actor, subject=plan)


# --- size limits: what an export, the plan page and the readiness check handle --------------------
#: Rows of a plan's registers, and vendors of an organization's registry. An export of a plan at
#: these limits renders in about a second, and the plan page and readiness check read them with
#: a fixed number of queries (tests/perf/bench_limits.py).
MAX_PROCESSES_PER_PLAN = 200
MAX_RISKS_PER_PLAN = 200
MAX_CONTACTS_PER_PLAN = 200
MAX_EXERCISES_PER_PLAN = 200
MAX_ATTACHMENTS_PER_PLAN = 100
MAX_CHANGES_PER_PLAN = 500
MAX_VENDORS_PER_ORGANIZATION = 500
#: The registers an export prints.
EXPORTED_REGISTERS = ("critical processes", "risks", "emergency contacts")


#: register → (related name on Plan, name of its limit above; read at call time, so tests and
#: operators patching the module see their value)
REGISTERS = {
    "critical processes": ("critical_processes", "MAX_PROCESSES_PER_PLAN"),
    "risks": ("risks", "MAX_RISKS_PER_PLAN"),
    "emergency contacts": ("contacts", "MAX_CONTACTS_PER_PLAN"),
    "exercises": ("exercises", "MAX_EXERCISES_PER_PLAN"),
    "attachments": ("attachments", "MAX_ATTACHMENTS_PER_PLAN"),
    "linked changes": ("change_log_entries", "MAX_CHANGES_PER_PLAN"),
}


def _register_size(plan: Plan, what: str) -> tuple[int, int]:
    """(rows, limit) of one register of the plan (one COUNT query)."""
    related, limit_name = REGISTERS[what]
    return getattr(plan, related).count(), globals()[limit_name]


def _check_room(plan: Plan, what: str) -> None:
    """Refuse a new row of a register that is full (under the plan's lock, so two concurrent
    additions cannot both take the last place)."""
    plan = _lock_plan(plan)
    rows, limit = _register_size(plan, what)
    if rows >= limit:
        raise ValidationError(
            f"A plan can have at most {limit} {what}, and this one has {rows}. Remove or "
            "merge some before adding another."
        )


def check_export_size(plan: Plan) -> None:
    """Refuse to export a plan whose registers exceed the limits (only possible for data written
    before the limits existed): the file would take unbounded work to render."""
    over = []
    for what in EXPORTED_REGISTERS:
        rows, limit = _register_size(plan, what)
        if rows > limit:
            over.append(f"{rows:,} {what} (at most {limit:,})")
    if over:
        raise ValidationError(
            "This plan is too large to export: it has " + ", ".join(over) + ". Remove or merge "
            "rows first."
        )


def _set_process_links(process: CriticalProcess, depends_on, vendors) -> None:
    if depends_on is not None:
        foreign = [p for p in depends_on if p.plan_id != process.plan_id or p.pk == process.pk]
        if foreign:
            raise ValidationError(
                {"depends_on": "A process can depend only on other processes of the same plan."}
            )
        process.depends_on.set(depends_on)
    if vendors is not None:
        if any(v.organization_id != process.plan.organization_id for v in vendors):
            raise ValidationError({"vendors": "Choose vendors of this organization."})
        process.vendors.set(vendors)


@transaction.atomic
def process_create(
    *, actor: Any, plan: Plan, depends_on=None, vendors=None, **data: Any
) -> CriticalProcess:
    """Add a critical process with its recovery objectives."""
    _editable_plan(actor, plan)
    _check_room(plan, "critical processes")
    process = CriticalProcess(plan=plan, **data)
    writes.create(
        process,
        actor=actor,
        action="bcp.process.created",
        fields=PROCESS_FIELDS,
        conflict_message=CONFLICT,
    )
    _set_process_links(process, depends_on, vendors)
    _contributed(actor, plan)
    return process


@transaction.atomic
def process_update(
    *, actor: Any, process: CriticalProcess, depends_on=None, vendors=None, **data: Any
) -> CriticalProcess:
    """Change a process; returns it (call `dependency_warnings()` to show warnings)."""
    _editable_plan(actor, process.plan)
    process = (
        CriticalProcess.objects.select_for_update(of=("self",))
        .select_related("plan__organization")
        .get(pk=process.pk)
    )
    _update(process, data, actor=actor, action="bcp.process.updated", fields=PROCESS_FIELDS)
    _set_process_links(process, depends_on, vendors)
    _contributed(actor, process.plan)
    return process


def _update(obj, data: dict[str, Any], **recipe: Any) -> None:
    """The write recipe for a register row (already locked): every save is audited."""
    writes.update(obj, data, audit_unchanged=True, conflict_message=CONFLICT, **recipe)


def _delete(actor: Any, obj, action: str, fields: list[str]) -> None:
    _editable_plan(actor, obj.plan)
    writes.delete(obj, actor=actor, action=action, fields=fields)
    _contributed(actor, obj.plan)


@transaction.atomic
def process_delete(*, actor: Any, process: CriticalProcess) -> None:
    """Remove a process (exercise results keep theirs: then deletion is refused)."""
    if ExerciseResult.objects.filter(process=process).exists():
        raise ValidationError(
            "This process has exercise results; it cannot be deleted. Set its RTO to reflect "
            "the current situation instead."
        )
    _delete(actor, process, "bcp.process.deleted", PROCESS_FIELDS)


@transaction.atomic
def risk_create(*, actor: Any, plan: Plan, **data: Any) -> Risk:
    """Add a risk; the database computes its rating (likelihood × impact)."""
    _editable_plan(actor, plan)
    _check_room(plan, "risks")
    _check_member(plan.organization_id, data.get("owner"), "owner")
    risk = Risk(plan=plan, **data)
    writes.create(
        risk, actor=actor, action="bcp.risk.created", fields=RISK_FIELDS, conflict_message=CONFLICT
    )
    _contributed(actor, plan)
    return risk


@transaction.atomic
def risk_update(*, actor: Any, risk: Risk, **data: Any) -> Risk:
    """Change a risk's assessment, mitigation or owner."""
    _editable_plan(actor, risk.plan)
    _check_member(risk.plan.organization_id, data.get("owner"), "owner")
    risk = _relock(risk)
    _update(risk, data, actor=actor, action="bcp.risk.updated", fields=RISK_FIELDS)
    risk.refresh_from_db(fields=["rating"])
    _contributed(actor, risk.plan)
    return risk


@transaction.atomic
def risk_delete(*, actor: Any, risk: Risk) -> None:
    """Remove a risk."""
    _delete(actor, risk, "bcp.risk.deleted", RISK_FIELDS)


def _check_alternate(contact: Contact) -> None:
    alternate = contact.alternate
    if alternate is None:
        return
    if alternate.plan_id != contact.plan_id:
        raise ValidationError({"alternate": "Choose a contact of the same plan."})
    if contact.pk and alternate.pk == contact.pk:
        raise ValidationError({"alternate": "A contact cannot be their own alternate."})


@transaction.atomic
def contact_create(*, actor: Any, plan: Plan, **data: Any) -> Contact:
    """Add an emergency contact."""
    _editable_plan(actor, plan)
    _check_room(plan, "emergency contacts")
    # Saving a contact confirms its details (the readiness check flags stale ones).
    contact = Contact(plan=plan, confirmed_on=timezone.localdate(), **data)
    _check_alternate(contact)
    writes.create(
        contact,
        actor=actor,
        action="bcp.contact.created",
        fields=CONTACT_FIELDS,
        conflict_message=CONFLICT,
    )
    _contributed(actor, plan)
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, **data: Any) -> Contact:
    """Change an emergency contact."""
    _editable_plan(actor, contact.plan)
    contact = _relock(contact)

    def prepare(row: Contact) -> None:
        _check_alternate(row)
        row.confirmed_on = timezone.localdate()  # saving a contact confirms it (readiness)

    _update(
        contact,
        data,
        actor=actor,
        action="bcp.contact.updated",
        fields=CONTACT_FIELDS,
        prepare=prepare,
    )
    _contributed(actor, contact.plan)
    return contact


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact) -> None:
    """Remove a contact (contacts that named them as alternate lose the alternate)."""
    _delete(actor, contact, "bcp.contact.deleted", CONTACT_FIELDS)


@transaction.atomic
def vendor_create(*, actor: Any, organization: Organization, **data: Any) -> Vendor:
    """Add a vendor to the organization's registry."""
    require(actor, organization.pk, "change")
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    count = Vendor.objects.filter(organization=organization).count()
    if count >= MAX_VENDORS_PER_ORGANIZATION:
        raise ValidationError(
            f"The vendor registry can hold at most {MAX_VENDORS_PER_ORGANIZATION} vendors, and "
            f"it has {count}. Remove vendors you no longer use first."
        )
    vendor = Vendor(organization=organization, **data)
    if Vendor.objects.filter(organization=organization, name__iexact=vendor.name).exists():
        raise ValidationError({"name": "The registry already has a vendor by that name."})
    writes.create(
        vendor,
        actor=actor,
        action="bcp.vendor.created",
        fields=VENDOR_FIELDS,
        conflict_message=CONFLICT,
    )
    return vendor


@transaction.atomic
def vendor_update(*, actor: Any, vendor: Vendor, **data: Any) -> Vendor:
    """Change a vendor's details."""
    require(actor, vendor.organization_id, "change")
    vendor = writes.lock(vendor)

    def refuse_a_name_clash(vendor: Vendor) -> None:
        clash = Vendor.objects.filter(
            organization_id=vendor.organization_id, name__iexact=vendor.name
        ).exclude(pk=vendor.pk)
        if clash.exists():
            raise ValidationError({"name": "The registry already has a vendor by that name."})

    _update(
        vendor,
        data,
        actor=actor,
        action="bcp.vendor.updated",
        fields=VENDOR_FIELDS,
        prepare=refuse_a_name_clash,
    )
    return vendor


@transaction.atomic
def vendor_delete(*, actor: Any, vendor: Vendor) -> None:
    """Remove a vendor from the registry (processes lose the link)."""
    require(actor, vendor.organization_id, "change")
    writes.delete(vendor, actor=actor, action="bcp.vendor.deleted", fields=VENDOR_FIELDS)


@transaction.atomic
def attachment_upload(
    *, actor: Any, plan: Plan, name: str, data: bytes, description: str = ""
) -> Attachment:
    """Check an upload completely, then store it under a generated name.

    Nothing is written before every check passed; if the row cannot be saved, the file just
    written is removed again.
    """
    _editable_plan(actor, plan)
    _check_room(plan, "attachments")
    checked = check_upload(name, data)
    storage_name = f"bcp/{plan.organization.code}/{uuid.uuid4().hex}.{checked.extension}"
    stored = default_storage.save(storage_name, ContentFile(checked.data))
    try:
        attachment = Attachment(
            plan=plan,
            original_name=checked.name,
            storage_name=stored,
            content_type=checked.content_type,
            size_bytes=checked.size,
            sha256=checked.sha256,
            description=description,
            uploaded_by=actor,
        )
        _save(attachment)
        _record(
            actor,
            "bcp.attachment.uploaded",
            attachment,
            plan,
            after={"name": checked.name, "size": checked.size, "sha256": checked.sha256},
        )
    except Exception:
        default_storage.delete(stored)
        raise
    _contributed(actor, plan)
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    """Remove an attachment; the file goes once the deletion is committed."""
    _editable_plan(actor, attachment.plan)
    _record(
        actor,
        "bcp.attachment.deleted",
        attachment,
        attachment.plan,
        before={"name": attachment.original_name, "sha256": attachment.sha256},
    )
    storage_name = attachment.storage_name
    attachment.delete()
    _contributed(actor, attachment.plan)
    transaction.on_commit(lambda: default_storage.delete(storage_name))


@transaction.atomic
def exercise_record(
    *, actor: Any, plan: Plan, results: dict[CriticalProcess, int] | None = None, **data: Any
) -> Exercise:
    """Record an exercise and the RTO each tested process achieved (target = its RTO now)."""
    _editable_plan(actor, plan)
    _check_room(plan, "exercises")
    if data.get("held_on") and data["held_on"] > timezone.localdate():
        raise ValidationError({"held_on": "Record exercises once they have taken place."})
    # Recorded after the fact: it took place (planning ahead is bcp.services.cycle).
    exercise = Exercise(
        plan=plan,
        recorded_by=actor,
        status=Exercise.Status.CONDUCTED,
        conducted_at=timezone.now(),
        **data,
    )
    _save(exercise)
    for process, achieved in (results or {}).items():
        if process.plan_id != plan.pk:
            raise ValidationError("Results can only be recorded for this plan's processes.")
        if process.rto_minutes is None:
            raise ValidationError(f"“{process.name}” has no RTO to test against; set it first.")
        ExerciseResult.objects.create(
            exercise=exercise,
            process=process,
            target_rto_minutes=process.rto_minutes,
            achieved_rto_minutes=achieved,
        )
    _record(
        actor,
        "bcp.exercise.recorded",
        exercise,
        plan,
        after={
            "kind": exercise.kind,
            "held_on": exercise.held_on,
            "results": {p.name: a for p, a in (results or {}).items()},
        },
    )
    return exercise


@transaction.atomic
def changelog_link(
    *, actor: Any, plan: Plan, change_guid: uuid.UUID, summary: str = ""
) -> ChangeLogEntry:
    """Link an external change record (GUID) to the plan."""
    _editable_plan(actor, plan)
    _check_room(plan, "linked changes")
    if ChangeLogEntry.objects.filter(plan=plan, change_guid=change_guid).exists():
        raise ValidationError({"change_guid": "This change is already linked to the plan."})
    entry = ChangeLogEntry(plan=plan, change_guid=change_guid, summary=summary, linked_by=actor)
    _save(entry)
    _record(
        actor, "bcp.change.linked", entry, plan, after={"guid": change_guid, "summary": summary}
    )
    _contributed(actor, plan)
    return entry
