"""Writing the audit log. Services call `record()` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from organizations.models import AuditLog

from .logcontext import current_ip, current_request_id


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of a model instance, ready for the audit log's before/after columns."""
    names = fields or [
        f.attname
        for f in obj._meta.concrete_fields
        if f.name not in ("created_at", "updated_at") and not f.generated  # search documents
    ]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def record(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    organization: Any = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    """Append one entry. `organization` defaults to the subject's own organization."""
    if organization is None:
        organization_id = getattr(subject, "organization_id", None)
    else:
        organization_id = organization.pk
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor_id=actor.pk if is_user else None,
        actor_email=actor.email if is_user else "",
        organization_id=organization_id,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(getattr(subject, "public_id", None) or subject.pk),
        subject_repr=str(subject)[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=current_request_id.get(),
        ip_address=current_ip.get(),
    )


def record_if_changed(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    fields: list[str],
    before: dict,
    organization: Any = None,
) -> AuditLog | None:
    """Record an update only when the listed fields differ from `before` (a `snapshot`)."""
    after = snapshot(subject, fields)
    if after == before:
        return None
    return record(
        actor=actor,
        action=action,
        subject=subject,
        organization=organization,
        before=before,
        after=after,
    )
