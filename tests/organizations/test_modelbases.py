"""The abstract model bases change no column: Django sees no change to make (no migration), and
the models that take them keep their public id, timestamps and tenancy door."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from budgeting.models import Allotment
from core.tenancy import OrgQuerySet
from organizations.modelbases import PublicIdModel, TenantChildModel, TimestampedModel
from planning.models import StrategicGoal


@pytest.mark.django_db
def test_the_bases_need_no_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration would be made
        pytest.fail(f"the models need a migration ({exc}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


def test_a_tenant_child_keeps_its_fields_and_its_door():
    assert issubclass(StrategicGoal, TenantChildModel)
    assert issubclass(StrategicGoal, PublicIdModel) and issubclass(StrategicGoal, TimestampedModel)
    names = {f.name for f in StrategicGoal._meta.concrete_fields}
    assert {"public_id", "created_at", "updated_at"} <= names
    assert StrategicGoal.TENANT_FIELD == "plan__organization"
    assert isinstance(StrategicGoal.objects.all(), OrgQuerySet)
    # A model with its own queryset keeps it (and still has the tenancy door).
    assert hasattr(Allotment.objects.all(), "live")
    assert isinstance(Allotment.objects.all(), OrgQuerySet)
