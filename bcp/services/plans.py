"""Plans and their versions: create, edit, archive, draft, save a draft."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core import audit, contributions, locking
from core.tenancy import require
from organizations.models import Department, Organization

from .. import content as plan_content
from ..models import Plan, PlanVersion, Template
from ._common import _check_department, _check_member, _lock_plan, _record, _save

PLAN_FIELDS = ["title", "department_id", "owner_id", "next_review_date", "status"]
#: What editing a plan may change (never its review date or interval).
PLAN_EDITABLE = frozenset({"title", "department", "owner"})


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


# --- plans and versions ---------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    organization: Organization,
    template: Template,
    title: str,
    department: Department | None = None,
    owner: Any = None,
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
    """Change a plan's title, department or owner (editors). The next review date is not
    editable: only an approval sets it (bcp.cycle.review_interval_months)."""
    unknown = set(data) - PLAN_EDITABLE
    if unknown:
        raise TypeError(f"plan_update() cannot change {', '.join(sorted(unknown))}")
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
