"""One write recipe for the services: lock, check the revision, snapshot, apply, validate, save,
audit (docs/architecture.md, "The write recipe").

A service keeps what is its own (who may do it, the state checks of its workflow, ceilings) and
hands the repeated steps to these helpers:

    plan = writes.lock(plan, revision=revision, stale_message=...)   # select_for_update + StaleEdit
    _require_draft(plan)                                              # the service's own rule
    writes.update(plan, data, actor=actor, action="strategic_plan.updated", fields=PLAN_FIELDS)

`create`, `update` and `delete` write one audit entry each, with the organization found from the
object (its `TENANT_FIELD` path) unless the service names it. A stale or missing revision raises
`StaleEdit` or `MissingRevision` (core/locking.py), both `ValidationError`s: the one
exception type services and views catch for optimistic locking is `locking.StaleEdit` (a missing
revision is its sibling, shown the same way). Call them inside the service's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from . import audit, locking
from .tenancy import tenant_organization_id

M = TypeVar("M", bound=models.Model)

#: Someone else saved the record since the form was opened; nothing was saved.
StaleEdit = locking.StaleEdit

STALE_MESSAGE = (
    "Someone else saved this record while you were editing it. Your changes were not saved: "
    "they are still in the form below; reload the page to see theirs, then edit again."
)

_UNCHECKED: Any = object()


def organization_of(obj: models.Model) -> Any:
    """The organization an object belongs to, for its audit entry: an unsaved `Organization`
    carrying only the id (audit.record needs nothing more), found along the model's
    `TENANT_FIELD` path (a child reaches it through its parent, already loaded by the service);
    None for objects outside every organization."""
    from organizations.models import Organization

    if isinstance(obj, Organization):
        return obj
    if getattr(obj, "TENANT_FIELD", None) is None:
        organization_id = getattr(obj, "organization_id", None)
    else:
        organization_id = tenant_organization_id(obj)
    return None if organization_id is None else Organization(pk=organization_id)


def apply(obj: models.Model, data: dict[str, Any]) -> None:
    """Set the given fields on the object (names are the service's: the form's cleaned data)."""
    for name, value in data.items():
        setattr(obj, name, value)


def lock(obj: M, *, revision: int | None = _UNCHECKED, stale_message: str = STALE_MESSAGE) -> M:
    """The object again, locked (`SELECT … FOR UPDATE`) until the transaction ends. Given a
    `revision` (what the writer read; None when the form sent none), refuse a missing one
    (`MissingRevision`) or a stale one (`StaleEdit`, with `stale_message`)."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if revision is not _UNCHECKED:
        locking.check_revision(revision, locked.revision, stale_message)
    return locked


def _save(obj: models.Model, update_fields: list[str] | None, conflict_message: str) -> None:
    """Save; with a `conflict_message`, a row the database still refuses (a constraint that a
    concurrent write broke after validation) becomes that ValidationError, and the savepoint
    keeps the service's transaction usable."""
    if not conflict_message:
        obj.save(update_fields=update_fields)
        return
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(conflict_message) from exc


def create(
    obj: M,
    *,
    actor: Any,
    action: str,
    fields: Iterable[str],
    organization: Any = None,
    after: dict | None = None,
    conflict_message: str = "",
) -> M:
    """Validate and save a new object, and audit it (`after`: its snapshot of `fields`, plus
    whatever the service adds). `conflict_message`: see `_save`."""
    obj.full_clean()
    _save(obj, None, conflict_message)
    audit.record(
        actor=actor,
        action=action,
        subject=obj,
        organization=organization or organization_of(obj),
        after={**audit.snapshot(obj, list(fields)), **(after or {})},
    )
    return obj


def update(
    obj: models.Model,
    data: dict[str, Any],
    *,
    actor: Any,
    action: str,
    fields: Iterable[str],
    organization: Any = None,
    prepare: Callable[[Any], None] | None = None,
    check: Callable[[Any], None] | None = None,
    save_unchanged: bool = True,
    bump_revision: bool = False,
    validate: bool = True,
    save_fields: Iterable[str] | None = None,
    audit_unchanged: bool = False,
    conflict_message: str = "",
) -> bool:
    """Apply `data` to a (locked) object, validate it, save it, and audit the change of
    `fields` when there is one. Returns whether any of `fields` changed.

    `prepare` runs after the fields are set and before validation (a rule that speaks first);
    `check` runs after validation and before saving (a rule across rows); `save_unchanged=False`
    skips the save when nothing changed; `bump_revision` adds one to the object's `revision`
    when something changed (optimistic locking). A workflow step that only moves a state
    (`validate=False`, `save_fields=["status"]`) saves just those columns, unvalidated: the
    service has checked the move. `audit_unchanged` audits a save that changed none of `fields`
    too (the BC registers log every save); `conflict_message`: see `_save`."""
    fields = list(fields)
    before = audit.snapshot(obj, fields)
    apply(obj, data)
    if prepare is not None:
        prepare(obj)
    if validate:
        obj.full_clean()
    if check is not None:
        check(obj)
    after = audit.snapshot(obj, fields)
    changed = after != before
    if changed and bump_revision:
        obj.revision += 1
    if changed or save_unchanged:
        _save(obj, None if save_fields is None else list(save_fields), conflict_message)
    if changed or audit_unchanged:
        audit.record(
            actor=actor,
            action=action,
            subject=obj,
            organization=organization or organization_of(obj),
            before=before,
            after=after,
        )
    return changed


def delete(
    obj: models.Model,
    *,
    actor: Any,
    action: str,
    fields: Iterable[str],
    organization: Any = None,
) -> None:
    """Audit the object's last state (`fields`), then delete it."""
    audit.record(
        actor=actor,
        action=action,
        subject=obj,
        organization=organization or organization_of(obj),
        before=audit.snapshot(obj, list(fields)),
    )
    obj.delete()
