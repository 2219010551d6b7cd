"""One shape for corrective actions (ISO 22301 clause 10.1), whatever raised them.

An incident's after-action review (incidents.CorrectiveAction) and a BC exercise
(bcp.CorrectiveAction) both raise actions that someone owns, by a due date, tracked to closure.
The fields, the "overdue" rule and the status vocabulary are defined once here; each concrete
model adds what links it to its source (and its own tenancy path).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class CorrectiveActionBase(models.Model):
    """An action with an owner and a due date, open until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


def overdue_q(prefix: str = "") -> models.Q:
    """Open actions past their due date, as a filter (prefix: a relation path ending in "__")."""
    return ~models.Q(**{f"{prefix}status": CorrectiveActionBase.Status.DONE}) & models.Q(
        **{f"{prefix}due_date__lt": timezone.localdate()}
    )
