"""Helpers every bcp service shares: audit record, plan lock, validated save."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import audit
from organizations.models import Department, Membership, Organization

from ..models import Plan


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


#: A row the database still refuses after validation (a concurrent change broke a constraint).
CONFLICT = (
    "This change conflicts with the plan's rules (it may have been changed by someone else "
    "meanwhile). Reload the page and try again."
)


def _save(obj) -> None:
    """full_clean then save; a constraint the database still refuses becomes a clear message."""
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(CONFLICT) from exc


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
