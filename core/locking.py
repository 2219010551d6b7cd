"""Optimistic locking that cannot be skipped: the `revision` a form or API client read.

A record with a `revision` counter (strategic plans, budget proposals, partnerships, BC plan
drafts) is saved only when the writer says which revision they read and it is still the current
one. Leaving the revision out is refused as firmly as sending a stale one: otherwise a request
without it would silently overwrite someone else's save. Forms use `RevisionField` (through
`RevisionFormMixin`), services call `check_revision()`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

MISSING_REVISION = (
    "Your changes were not saved: the form arrived without the revision it was opened at, so "
    "the portal cannot tell whether someone else saved in between. Reload the page and make "
    "your changes again."
)


class StaleEdit(ValidationError):
    """Someone else saved the record since the form was opened; nothing was saved."""


class MissingRevision(ValidationError):
    """The writer did not say which revision they read; nothing was saved."""

    def __init__(self, message: str = MISSING_REVISION):
        super().__init__(message, code="missing_revision")


def check_revision(sent: int | None, current: int, stale_message: str) -> None:
    """Refuse a write that names no revision (MissingRevision) or a stale one (StaleEdit)."""
    if sent is None:
        raise MissingRevision()
    if sent != current:
        raise StaleEdit(stale_message, code="stale")


class RevisionField(forms.IntegerField):
    """The hidden revision a form was opened at (required whenever a record is edited)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "error_messages",
            {
                "required": MISSING_REVISION,
                "invalid": MISSING_REVISION,
                "min_value": MISSING_REVISION,
            },
        )
        super().__init__(**kwargs)


class RevisionFormMixin:
    """For forms with a `revision` field: required when an existing record is edited (a model
    form with an instance, or a form that always edits), and its error shown at the top of the
    form (a hidden field has no place to show one)."""

    revision_always_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        field = self.fields["revision"]
        field.required = self.revision_always_required or bool(instance and instance.pk)
        if instance is not None and instance.pk:
            field.initial = instance.revision

    def full_clean(self):
        super().full_clean()
        errors = getattr(self, "_errors", None)
        if errors and "revision" in errors:
            messages = errors.pop("revision")
            if hasattr(self, "cleaned_data"):
                self.cleaned_data.pop("revision", None)
            for message in messages:
                self.add_error(None, message)
