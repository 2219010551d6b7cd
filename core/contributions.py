"""Recording who contributed to content that is later decided on (segregation of duties).

Services call `record()` on every save of content or structure, inside their transaction, so
a failed save records nothing. The rule that reads these rows lives in `core.policies`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from organizations.models import Contribution


def subject_key(subject: models.Model) -> tuple[str, int]:
    return subject._meta.label_lower, subject.pk


def record(*, actor: Any, subject: models.Model, kind: str = Contribution.Kind.CONTENT) -> None:
    """Note that `actor` saved content of `subject` (or submitted it). One query: an upsert that
    keeps the first time and moves the last."""
    if actor is None or not getattr(actor, "pk", None):
        return
    subject_type, subject_id = subject_key(subject)
    now = timezone.now()
    Contribution.objects.bulk_create(
        [
            Contribution(
                subject_type=subject_type,
                subject_id=subject_id,
                user_id=actor.pk,
                kind=kind,
                first_at=now,
                last_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["subject_type", "subject_id", "user", "kind"],
        update_fields=["last_at"],
    )


def contributor_ids(subject: models.Model, *, since=None) -> set[int]:
    """Everyone who contributed to or submitted `subject` (since a moment, when given)."""
    subject_type, subject_id = subject_key(subject)
    rows = Contribution.objects.filter(subject_type=subject_type, subject_id=subject_id)
    if since is not None:
        rows = rows.filter(last_at__gt=since)
    return set(rows.values_list("user_id", flat=True))
