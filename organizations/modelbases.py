"""Abstract model bases for the fields nearly every model repeats.

They add no table and change no column: a model that takes them keeps the columns it had
(`makemigrations` sees nothing). Models whose field differs (an index on `created_at`, a default
of `timezone.now`) keep their own field.

* `PublicIdModel`: `public_id`, the unguessable UUID public URLs use instead of the id;
* `CreatedModel`: `created_at`; `TimestampedModel`: also `updated_at`;
* `TenantChildModel`: a model that reaches its organization through a parent: its
  `TENANT_FIELD` (e.g. `"plan__organization"`) and the `OrgQuerySet` manager (`for_user`).
  `OrgOwnedModel` (core/tenancy.py) is the base of the models that hold the
  organization themselves.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models

from core.tenancy import OrgQuerySet


class PublicIdModel(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class CreatedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TimestampedModel(CreatedModel):
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantChildModel(models.Model):
    """Set `TENANT_FIELD` to the path from the model to its organization."""

    TENANT_FIELD: ClassVar[str]

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True
