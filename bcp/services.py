"""Writes of the bcp app: `<entity>_<verb>(*, actor, ...)`, atomic, validated, audited.

Issue 5 (AI drafting, exports) builds on `version_create_draft(..., generated_by=...)`.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from organizations import audit, contributions, locking, outbox, policies
from organizations.models import Contribution, Department, Membership, Organization
from organizations.tenancy import ROLE_RANK, require, role_allows, tenancy_of

from . import content as plan_content
from .files import check_upload
from .models import (
    Acknowledgment,
    ApiToken,
    Attachment,
    ChangeLogEntry,
    Contact,
    CriticalProcess,
    Exercise,
    ExerciseResult,
    Export,
    GenerationJob,
    Plan,
    PlanVersion,
    Review,
    Risk,
    Template,
    Vendor,
)

PLAN_FIELDS = ["title", "department_id", "owner_id", "next_review_date", "status"]
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


class EditConflict(Exception):
    """Somebody else saved the draft after the user opened it (optimistic locking)."""

    def __init__(self, version: PlanVersion):
        self.version = version
        when = timezone.localtime(version.updated_at)
        super().__init__(
            f"Someone else saved version {version.version_number} at {when:%H:%M:%S} after you "
            "opened it, so your changes were not saved. Your text is still in the form: compare "
            "it with the latest version (open it in a new tab), then save again."
        )


def _record(actor, action, subject, plan: Plan, before=None, after=None) -> None:
    audit.record(
        actor=actor,
        action=action,
        subject=subject,
        organization=plan.organization,
        before=before,
        after=after,
    )


def _lock_plan(plan: Plan) -> Plan:
    """Re-read the plan under a row lock: workflow steps on one plan run one at a time."""
    return (
        Plan.objects.select_related("organization", "template")
        .select_for_update(of=("self",))
        .get(pk=plan.pk)
    )


def _save(obj) -> None:
    """full_clean then save; a constraint the database still refuses becomes a clear message."""
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(
            "This change conflicts with the plan's rules (it may have been changed by someone "
            "else meanwhile). Reload the page and try again."
        ) from exc


def _relock(obj):
    """A fresh copy of a plan's child under a row lock (the caller's copy may hold form data)."""
    return (
        type(obj)
        .objects.select_for_update(of=("self",))
        .select_related("plan__organization")
        .get(pk=obj.pk)
    )


def _check_department(organization: Organization, department: Department | None) -> None:
    if department is not None and department.organization_id != organization.pk:
        raise ValidationError({"department": "Choose a department of this organization."})


def _check_member(organization_id: int, user, field: str) -> None:
    if (
        user is not None
        and not Membership.objects.filter(organization_id=organization_id, user=user).exists()
    ):
        raise ValidationError({field: f"{user} is not a member of this organization."})


# --- plans and versions --------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    organization: Organization,
    template: Template,
    title: str,
    department: Department | None = None,
    owner: Any = None,
    next_review_date: datetime.date | None = None,
    content: dict | None = None,
    change_note: str = "First draft.",
) -> Plan:
    """Create a plan from a template, with version 1 as a draft (prefilled from the template)."""
    require(actor, organization.pk, "change")
    _check_department(organization, department)
    owner = owner or actor
    _check_member(organization.pk, owner, "owner")
    plan = Plan(
        organization=organization,
        template=template,
        title=title.strip(),
        department=department,
        owner=owner,
        next_review_date=next_review_date,
    )
    if Plan.objects.filter(organization=organization, title__iexact=plan.title).exists():
        raise ValidationError({"title": "This organization already has a plan with that title."})
    _save(plan)
    contributions.record(actor=actor, subject=plan)
    _record(actor, "bcp.plan.created", plan, plan, after=audit.snapshot(plan, PLAN_FIELDS))
    version_create_draft(
        actor=actor,
        plan=plan,
        content=content if content is not None else plan_content.blank_content(template),
        change_note=change_note,
    )
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, **data: Any) -> Plan:
    """Change a plan's title, department, owner or review date (editors)."""
    require(actor, plan.organization_id, "change")
    plan = _lock_plan(plan)
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived and can no longer be changed.")
    before = audit.snapshot(plan, PLAN_FIELDS)
    for name, value in data.items():
        setattr(plan, name, value)
    _check_department(plan.organization, plan.department)
    _check_member(plan.organization_id, plan.owner, "owner")
    _save(plan)
    after = audit.snapshot(plan, PLAN_FIELDS)
    if after != before:
        contributions.record(actor=actor, subject=plan)
        _record(actor, "bcp.plan.updated", plan, plan, before=before, after=after)
    return plan


@transaction.atomic
def plan_archive(*, actor: Any, plan: Plan) -> Plan:
    """Archive a plan (approvers): it leaves the active list; its records stay."""
    require(actor, plan.organization_id, "approve")
    plan = _lock_plan(plan)
    if plan.versions.filter(status=PlanVersion.Status.IN_REVIEW).exists():
        raise ValidationError("A version of this plan is in review; finish the review first.")
    before = audit.snapshot(plan, PLAN_FIELDS)
    plan.status = Plan.Status.ARCHIVED
    plan.save(update_fields=["status", "updated_at"])
    _record(actor, "bcp.plan.archived", plan, plan, before=before, after={"status": plan.status})
    return plan


@transaction.atomic
def version_create_draft(
    *,
    actor: Any,
    plan: Plan,
    content: dict,
    change_note: str,
    generated_by: str | None = None,
) -> PlanVersion:
    """Open a new draft version of a plan (the entry point for editors and generators alike).

    A plan has at most one open (draft or in-review) version at a time, so two people never
    revise the same plan in parallel branches.
    """
    require(actor, plan.organization_id, "change")
    plan = _lock_plan(plan)
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived; no new versions can be drafted.")
    open_version = plan.versions.filter(status__in=PlanVersion.OPEN_STATUSES).first()
    if open_version is not None:
        raise ValidationError(
            f"Version {open_version.version_number} of this plan is still "
            f"{open_version.get_status_display().lower()}: finish it before starting another."
        )
    plan_content.validate_content(plan.template, content)
    number = (plan.versions.aggregate(n=Max("version_number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        version_number=number,
        content=content,
        author=actor,
        change_note=change_note,
        based_on=plan.current_version,
        generated_by=generated_by or "",
    )
    _save(version)
    contributions.record(actor=actor, subject=version)
    _record(
        actor,
        "bcp.version.drafted",
        version,
        plan,
        after={"version_number": number, "change_note": change_note, "generated_by": generated_by},
    )
    return version


@transaction.atomic
def version_update_draft(
    *,
    actor: Any,
    version: PlanVersion,
    content: dict,
    change_note: str,
    expected_revision: int | None,
) -> PlanVersion:
    """Save a draft's content. Refused when someone saved it since `expected_revision`, or when
    no revision is given (nothing is saved either way)."""
    require(actor, version.plan.organization_id, "change")
    version = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__template", "plan__organization")
        .get(pk=version.pk)
    )
    if version.status != PlanVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.version_number} is {version.get_status_display().lower()} and "
            "can no longer be edited."
        )
    if expected_revision is None:
        raise locking.MissingRevision()
    if version.revision != expected_revision:
        raise EditConflict(version)
    plan_content.validate_content(version.plan.template, content)
    before = {"content": version.content, "change_note": version.change_note}
    version.content = content
    version.change_note = change_note
    version.revision += 1
    version.save(update_fields=["content", "change_note", "revision", "updated_at"])
    contributions.record(actor=actor, subject=version)
    _record(
        actor,
        "bcp.version.edited",
        version,
        version.plan,
        before=before,
        after={"content": content, "change_note": change_note, "revision": version.revision},
    )
    return version


@transaction.atomic
def version_submit_for_review(
    *, actor: Any, version: PlanVersion, reviewers: list[Any], note: str = ""
) -> list[Review]:
    """Send a complete draft to review: one pending review per reviewer, in a new round."""
    require(actor, version.plan.organization_id, "change")
    plan = _lock_plan(version.plan)
    version = PlanVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    version.plan = plan
    if version.status != PlanVersion.Status.DRAFT:
        raise ValidationError("Only a draft can be sent to review.")
    if not reviewers:
        raise ValidationError({"reviewers": "Choose at least one reviewer."})
    # Sending it makes the actor a contributor: they cannot be among its reviewers.
    contributions.record(actor=actor, subject=version, kind=Contribution.Kind.SUBMITTED)
    problems = policies.check_reviewers(version, reviewers, actor=actor)
    if problems:
        raise ValidationError({"reviewers": problems})
    missing = plan_content.missing_sections(plan.template, version.content)
    if missing:
        raise ValidationError(
            "These sections are still empty: " + "; ".join(missing) + ". Fill them in first."
        )
    version.review_round += 1
    version.status = PlanVersion.Status.IN_REVIEW
    version.submitted_at = timezone.now()
    version.save(update_fields=["review_round", "status", "submitted_at", "updated_at"])
    reviews = [
        Review.objects.create(
            version=version,
            round=version.review_round,
            reviewer=reviewer,
            requested_by=actor,
            notes="",
        )
        for reviewer in reviewers
    ]
    plan.status = Plan.Status.IN_REVIEW
    plan.save(update_fields=["status", "updated_at"])
    _record(
        actor,
        "bcp.version.submitted",
        version,
        plan,
        after={
            "round": version.review_round,
            "reviewers": [r.email for r in reviewers],
            "note": note,
        },
    )
    return reviews


@transaction.atomic
def review_decide(*, actor: Any, review: Review, decision: str, notes: str = "") -> Review:
    """Record a reviewer's decision. The version is approved when every reviewer approved it;
    one request for changes sends it back to draft (and closes the round).

    Rows are locked in the one order every bcp workflow uses (plan, then version, then reviews),
    so two reviewers deciding at the same moment queue on the plan instead of deadlocking; the
    second sees the first one's outcome and is told plainly when the review has closed."""
    review = Review.objects.select_related("version__plan").get(pk=review.pk)
    require(actor, review.version.plan.organization_id, "approve")
    if review.reviewer_id != actor.pk:
        raise PermissionDenied(f"This review is assigned to {review.reviewer}.")
    if decision not in (Review.Status.APPROVED, Review.Status.CHANGES_REQUESTED):
        raise ValidationError({"decision": "Choose approve or request changes."})
    if decision == Review.Status.CHANGES_REQUESTED and not notes.strip():
        raise ValidationError({"notes": "Say what needs to change."})
    plan = _lock_plan(review.version.plan)
    version = PlanVersion.objects.select_for_update(of=("self",)).get(pk=review.version_id)
    version.plan = plan
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    review.version = version
    if review.status != Review.Status.PENDING or version.status != PlanVersion.Status.IN_REVIEW:
        raise ValidationError(
            "This review is already closed (another reviewer's decision may have closed it "
            "meanwhile): nothing was recorded. Reload the page to see where the version stands."
        )
    policies.check_segregation(actor, version)
    review.status = decision
    review.notes = notes.strip()
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "notes", "decided_at"])
    _record(
        actor,
        f"bcp.review.{decision}",
        review,
        plan,
        after={"version": version.version_number, "notes": review.notes},
    )
    round_reviews = Review.objects.filter(version=version, round=version.review_round)
    if decision == Review.Status.CHANGES_REQUESTED:
        round_reviews.filter(status=Review.Status.PENDING).update(status=Review.Status.WITHDRAWN)
        version.status = PlanVersion.Status.DRAFT
        version.save(update_fields=["status", "updated_at"])
        # An approved plan stays approved (its active version still applies) while revised.
        plan.status = Plan.Status.APPROVED if plan.current_version_id else Plan.Status.DRAFT
        plan.save(update_fields=["status", "updated_at"])
    elif not round_reviews.exclude(status=Review.Status.APPROVED).exists():
        _approve(actor=actor, plan=plan, version=version)
    return review


def _approve(*, actor: Any, plan: Plan, version: PlanVersion) -> None:
    """Make the version active, supersede the previous one, schedule the next review."""
    now = timezone.now()
    previous = plan.versions.filter(status=PlanVersion.Status.ACTIVE).first()
    if previous is not None:
        previous.status = PlanVersion.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    version.status = PlanVersion.Status.ACTIVE
    version.approved_at = now
    version.save(update_fields=["status", "approved_at", "updated_at"])
    before = audit.snapshot(plan, PLAN_FIELDS)
    plan.current_version = version
    plan.status = Plan.Status.APPROVED
    plan.approved_at = now
    today = timezone.localdate()
    months = plan.review_interval_months
    year, month = divmod(today.month - 1 + months, 12)
    plan.next_review_date = today.replace(year=today.year + year, month=month + 1, day=1)
    plan.save(
        update_fields=["current_version", "status", "approved_at", "next_review_date", "updated_at"]
    )
    _record(
        actor,
        "bcp.version.approved",
        version,
        plan,
        before=before,
        after={
            "version": version.version_number,
            "superseded": previous.version_number if previous else None,
            "next_review_date": plan.next_review_date,
        },
    )


@transaction.atomic
def acknowledgment_record(*, actor: Any, version: PlanVersion) -> Acknowledgment:
    """A member confirms they read the active version (once per version)."""
    require(actor, version.plan.organization_id, "view")
    if tenancy_of(actor).roles.get(version.plan.organization_id) is None:
        raise PermissionDenied("Only members of the organization acknowledge its plans.")
    if version.status != PlanVersion.Status.ACTIVE:
        raise ValidationError("Only the active (approved) version of a plan can be acknowledged.")
    existing = Acknowledgment.objects.filter(version=version, user=actor).first()
    if existing is not None:
        raise ValidationError(
            f"You already acknowledged version {version.version_number} on "
            f"{timezone.localtime(existing.acknowledged_at):%Y-%m-%d}."
        )
    try:
        with transaction.atomic():
            ack = Acknowledgment.objects.create(version=version, user=actor)
    except IntegrityError as exc:  # a double click racing the check above
        raise ValidationError(
            f"You already acknowledged version {version.version_number}."
        ) from exc
    _record(actor, "bcp.version.acknowledged", version, version.plan, after={"user": actor.email})
    return ack


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


# --- size limits (issue 16): what an export, the plan page and the readiness check handle ------
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
    "critical processes": ("criticalprocesss", "MAX_PROCESSES_PER_PLAN"),
    "risks": ("risks", "MAX_RISKS_PER_PLAN"),
    "emergency contacts": ("contacts", "MAX_CONTACTS_PER_PLAN"),
    "exercises": ("exercises", "MAX_EXERCISES_PER_PLAN"),
    "attachments": ("attachments", "MAX_ATTACHMENTS_PER_PLAN"),
    "linked changes": ("changelogentrys", "MAX_CHANGES_PER_PLAN"),
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
    _save(process)
    _set_process_links(process, depends_on, vendors)
    _record(
        actor, "bcp.process.created", process, plan, after=audit.snapshot(process, PROCESS_FIELDS)
    )
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
    before = audit.snapshot(process, PROCESS_FIELDS)
    for name, value in data.items():
        setattr(process, name, value)
    _save(process)
    _set_process_links(process, depends_on, vendors)
    _record(
        actor,
        "bcp.process.updated",
        process,
        process.plan,
        before=before,
        after=audit.snapshot(process, PROCESS_FIELDS),
    )
    _contributed(actor, process.plan)
    return process


def _delete(actor: Any, obj, action: str, fields: list[str]) -> None:
    _editable_plan(actor, obj.plan)
    _record(actor, action, obj, obj.plan, before=audit.snapshot(obj, fields))
    obj.delete()
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
    _save(risk)
    _record(actor, "bcp.risk.created", risk, plan, after=audit.snapshot(risk, RISK_FIELDS))
    _contributed(actor, plan)
    return risk


@transaction.atomic
def risk_update(*, actor: Any, risk: Risk, **data: Any) -> Risk:
    """Change a risk's assessment, mitigation or owner."""
    _editable_plan(actor, risk.plan)
    _check_member(risk.plan.organization_id, data.get("owner"), "owner")
    risk = _relock(risk)
    before = audit.snapshot(risk, RISK_FIELDS)
    for name, value in data.items():
        setattr(risk, name, value)
    _save(risk)
    risk.refresh_from_db(fields=["rating"])
    _record(
        actor,
        "bcp.risk.updated",
        risk,
        risk.plan,
        before=before,
        after=audit.snapshot(risk, RISK_FIELDS),
    )
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
    contact = Contact(plan=plan, **data)
    _check_alternate(contact)
    _save(contact)
    _record(
        actor, "bcp.contact.created", contact, plan, after=audit.snapshot(contact, CONTACT_FIELDS)
    )
    _contributed(actor, plan)
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, **data: Any) -> Contact:
    """Change an emergency contact."""
    _editable_plan(actor, contact.plan)
    contact = _relock(contact)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for name, value in data.items():
        setattr(contact, name, value)
    _check_alternate(contact)
    _save(contact)
    _record(
        actor,
        "bcp.contact.updated",
        contact,
        contact.plan,
        before=before,
        after=audit.snapshot(contact, CONTACT_FIELDS),
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
    _save(vendor)
    audit.record(
        actor=actor,
        action="bcp.vendor.created",
        subject=vendor,
        after=audit.snapshot(vendor, VENDOR_FIELDS),
    )
    return vendor


@transaction.atomic
def vendor_update(*, actor: Any, vendor: Vendor, **data: Any) -> Vendor:
    """Change a vendor's details."""
    require(actor, vendor.organization_id, "change")
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    before = audit.snapshot(vendor, VENDOR_FIELDS)
    for name, value in data.items():
        setattr(vendor, name, value)
    clash = Vendor.objects.filter(
        organization_id=vendor.organization_id, name__iexact=vendor.name
    ).exclude(pk=vendor.pk)
    if clash.exists():
        raise ValidationError({"name": "The registry already has a vendor by that name."})
    _save(vendor)
    audit.record(
        actor=actor,
        action="bcp.vendor.updated",
        subject=vendor,
        before=before,
        after=audit.snapshot(vendor, VENDOR_FIELDS),
    )
    return vendor


@transaction.atomic
def vendor_delete(*, actor: Any, vendor: Vendor) -> None:
    """Remove a vendor from the registry (processes lose the link)."""
    require(actor, vendor.organization_id, "change")
    audit.record(
        actor=actor,
        action="bcp.vendor.deleted",
        subject=vendor,
        before=audit.snapshot(vendor, VENDOR_FIELDS),
    )
    vendor.delete()


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
    exercise = Exercise(plan=plan, recorded_by=actor, **data)
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


# --- AI drafting (issue 5) -----------------------------------------------------------------------


class RateLimited(ValidationError):
    """A user, the readers of an organization or the organization asked for too many generated
    drafts or exports in the past hour."""


def _next_allowed(recent) -> datetime.datetime:
    oldest = recent.order_by("created_at").first()
    return timezone.localtime(oldest.created_at + datetime.timedelta(hours=1))


def _check_quotas(
    requests,
    *,
    actor: Any,
    organization: Organization,
    what: str,
    organization_limit: int,
    user_limit: int,
    reader_limit: int | None = None,
) -> None:
    """Refuse a request beyond the hourly quotas, in this order:

    1. the user's own limit (`requested_by` = the actor);
    2. the organization's limit;
    3. for a reader (someone who may not change the organization's data: a viewer, an OCM user),
       the readers' share of the organization's limit, counted over the requests of everyone who
       is not an editor, approver or admin there: readers cannot use up what editors and
       approvers need.

    `requests` is a queryset of the organization's requests with `created_at` and
    `requested_by`. Callers hold the organization row's lock, so concurrent requests are counted
    one after another and cannot overshoot a limit together."""
    recent = requests.filter(created_at__gte=timezone.now() - datetime.timedelta(hours=1))
    mine = recent.filter(requested_by=actor)
    if mine.count() >= user_limit:
        raise RateLimited(
            f"You have reached your limit of {what} ({user_limit} an hour). You can ask again "
            f"at {_next_allowed(mine):%H:%M}."
        )
    name = organization.acronym or organization.name
    if recent.count() >= organization_limit:
        raise RateLimited(
            f"{name} has reached its limit of {what} ({organization_limit} an hour). You can "
            f"ask again at {_next_allowed(recent):%H:%M}."
        )
    if reader_limit is not None and not tenancy_of(actor).can(organization.pk, "change"):
        staff = Membership.objects.filter(
            user=OuterRef("requested_by"),
            organization=organization,
            role__in=[r for r in ROLE_RANK if role_allows(r, "change")],
        )
        readers = recent.exclude(Exists(staff)).exclude(requested_by__is_superuser=True)
        if readers.count() >= reader_limit:
            raise RateLimited(
                f"Viewers of {name} have used their share of the {what} ({reader_limit} of "
                f"{organization_limit} an hour); the rest is kept for editors and approvers. "
                f"You can ask again at {_next_allowed(readers):%H:%M}."
            )


def _check_can_draft(plan: Plan) -> None:
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived; no new versions can be drafted.")
    in_review = plan.versions.filter(status=PlanVersion.Status.IN_REVIEW).first()
    if in_review is not None:
        raise ValidationError(
            f"Version {in_review.version_number} is in review: finish the review before "
            "generating a new draft."
        )


@transaction.atomic
def generation_request(
    *, actor: Any, plan: Plan, batch: uuid.UUID | None = None, enqueue: bool = True
) -> GenerationJob:
    """Ask for a generated draft of the plan (editors). Returns the job the page will poll.

    A plan already being generated returns its running job instead of a second one; requests
    from the portal and the API count against the organization's hourly limit.
    """
    require(actor, plan.organization_id, "change")
    # The organization row serializes requests, so concurrent ones cannot overshoot the limit.
    organization = Organization.objects.select_for_update().get(pk=plan.organization_id)
    plan = _lock_plan(plan)
    _check_can_draft(plan)
    pending = plan.generation_jobs.exclude(status__in=GenerationJob.FINISHED).first()
    if pending is not None:
        return pending
    if batch is None:
        _check_quotas(
            GenerationJob.objects.filter(organization=organization, batch__isnull=True),
            actor=actor,
            organization=organization,
            what="generated drafts",
            organization_limit=settings.BCP_GENERATIONS_PER_HOUR,
            user_limit=settings.BCP_GENERATIONS_PER_USER_PER_HOUR,
        )
    job = GenerationJob(organization=organization, plan=plan, requested_by=actor, batch=batch)
    job.stage = "Waiting for a generation worker."
    _save(job)
    _record(actor, "bcp.generation.requested", job, plan, after={"job": str(job.public_id)})
    if enqueue:
        from .tasks import generate_plan_draft

        outbox.enqueue(generate_plan_draft, job.pk)
    return job


def _job_progress(job_id: int, progress: int, stage: str) -> None:
    GenerationJob.objects.filter(pk=job_id).update(progress=progress, stage=stage)


def generation_run(job_id: int, generate=None) -> GenerationJob:
    """Run one generation job (the Celery task's body). Idempotent: a job that is finished, or
    that another delivery finished while this one was generating, never yields a second draft.

    The slow part (the AI call) runs outside any transaction; the job row is locked at the start
    (to claim it) and at the end (to write the draft only if the job is still unfinished).
    """
    from . import generation

    generate = generate or generation.generate
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if job.is_finished:
            return job
        job.status = GenerationJob.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.progress, job.stage = 10, "Reading the plan's processes, vendors and risks."
        job.save(update_fields=["status", "attempts", "started_at", "progress", "stage"])
    plan = Plan.objects.select_related("organization", "department", "template").get(pk=job.plan_id)
    ai = f"Asking {settings.LLM_MODEL}." if settings.LLM_BASE_URL else "Writing the plan."
    _job_progress(job.pk, 30, ai)
    try:
        result = generate(plan)
    except Exception as exc:  # noqa: BLE001 - any crash must end the job with a message
        return _job_fail(job.pk, f"The generator failed unexpectedly: {exc}")
    _job_progress(job.pk, 80, "Saving the new draft version.")
    try:
        with transaction.atomic():
            job = GenerationJob.objects.select_for_update(of=("self",)).get(pk=job_id)
            if job.is_finished:
                return job
            version = version_create_generated(
                actor=job.requested_by, plan=plan, result=result, job=job
            )
            job.status = GenerationJob.Status.DONE
            job.version = version
            job.progress = 100
            job.stage = f"Draft version {version.version_number} is ready for review." + (
                " The built-in generator wrote it: " + " ".join(result.notes)
                if result.fallback and result.notes
                else ""
            )
            job.finished_at = timezone.now()
            job.save()
            return job
    except (ValidationError, PermissionDenied) as exc:
        messages_ = getattr(exc, "messages", None) or [str(exc)]
        return _job_fail(job_id, " ".join(messages_))


def _job_fail(job_id: int, error: str) -> GenerationJob:
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if not job.is_finished:
            job.status = GenerationJob.Status.FAILED
            job.error = error[:2000]
            job.stage = "No draft was created."
            job.progress = 100
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "stage", "progress", "finished_at"])
    return job


@transaction.atomic
def version_create_generated(
    *, actor: Any, plan: Plan, result: Any, job: GenerationJob | None = None
) -> PlanVersion:
    """Record a generated plan as a NEW draft version (never over an approved one).

    An open draft is set aside (kept, with its text, in the version history) so the generated
    draft can become the plan's one open version; a version in review blocks generation.
    """
    require(actor, plan.organization_id, "change")
    plan = _lock_plan(plan)
    _check_can_draft(plan)
    for draft in plan.versions.select_for_update(of=("self",)).filter(
        status=PlanVersion.Status.DRAFT
    ):
        draft.status = PlanVersion.Status.SET_ASIDE
        draft.save(update_fields=["status", "updated_at"])
        _record(
            actor,
            "bcp.version.set_aside",
            draft,
            plan,
            before={"status": PlanVersion.Status.DRAFT},
            after={"status": draft.status, "reason": "replaced by a generated draft"},
        )
    version = version_create_draft(
        actor=actor,
        plan=plan,
        content=result.content,
        change_note=result.change_note,
        generated_by=result.generated_by,
    )
    version.generation_fallback = result.fallback
    version.prompt_sha256 = result.prompt_sha256
    version.prompt_tokens = result.prompt_tokens
    version.completion_tokens = result.completion_tokens
    version.generation_ms = result.duration_ms
    version.save(
        update_fields=[
            "generation_fallback",
            "prompt_sha256",
            "prompt_tokens",
            "completion_tokens",
            "generation_ms",
        ]
    )
    _record(
        actor,
        "bcp.version.generated",
        version,
        plan,
        after={
            "job": str(job.public_id) if job else None,
            "generated_by": result.generated_by,
            "fallback": result.fallback,
            "prompt_sha256": result.prompt_sha256,
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "duration_ms": result.duration_ms,
        },
    )
    return version


# --- exports (issue 5) ---------------------------------------------------------------------------


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
    from .exports import source_fingerprint

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
    from .tasks import export_version

    outbox.enqueue(export_version, export.pk)
    export.reused = False
    return export


def export_run(export_id: int) -> Export:
    """Render an export (the Celery task's body); idempotent for a finished export."""
    from . import exports

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
    return export


# --- API tokens (issue 5, JSON API) --------------------------------------------------------------

API_TOKEN_PREFIX = "bmms_"


def api_token_hash(token: str) -> str:
    """The stored form of a token (SHA-256 hex): tokens are random, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token for `user` (themselves, or a superuser for anyone).

    Returns the row and the token in clear text, which is never stored and cannot be shown again.
    """
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied("Only a superuser can issue an API token for someone else.")
    if not user.is_active:
        raise ValidationError("This account is deactivated; it cannot have an API token.")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        user=user,
        name=name.strip(),
        token_sha256=api_token_hash(token),
        prefix=token[: len(API_TOKEN_PREFIX) + 4],
    )
    _save(api_token)
    audit.record(
        actor=actor,
        action="bcp.api_token.created",
        subject=api_token,
        after={"user": user.email, "name": api_token.name, "prefix": api_token.prefix},
    )
    return api_token, token


@transaction.atomic
def api_token_revoke(*, actor: Any, api_token: ApiToken) -> ApiToken:
    """Revoke a token (its owner or a superuser); it stops working at the next request."""
    if actor.pk != api_token.user_id and not actor.is_superuser:
        raise PermissionDenied("Only the token's owner or a superuser can revoke it.")
    api_token = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if not api_token.revoked:
        api_token.revoked = True
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked", "revoked_at"])
        audit.record(
            actor=actor,
            action="bcp.api_token.revoked",
            subject=api_token,
            after={"user": api_token.user.email, "prefix": api_token.prefix},
        )
    return api_token
