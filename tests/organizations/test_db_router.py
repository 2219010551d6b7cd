"""The standby router (config/db_router.py) outside the cluster: opt-in, and on the right pages.
Routing to a real standby and its lag guard are checked by `make test-cluster`."""

from __future__ import annotations

import pytest

from budgeting import views as budgeting_views
from config.db_router import ReplicaRouter, replica_reads
from ocm import views as ocm_views
from ocm.models import GovernmentSummary


def test_without_a_replica_reads_stay_on_the_primary(settings):
    assert "replica" not in settings.DATABASES
    assert "config.db_router.ReplicaRouter" not in getattr(settings, "DATABASE_ROUTERS", [])
    with replica_reads():
        assert ReplicaRouter().db_for_read(GovernmentSummary) is None
    assert ReplicaRouter().allow_migrate("replica", "ocm") is False
    assert ReplicaRouter().allow_migrate("default", "ocm") is True


def test_a_page_with_writes_nearby_reads_the_primary():
    assert getattr(budgeting_views.program_ledger, "reads_from_replica", False) is False


@pytest.mark.parametrize(
    "view",
    [
        ocm_views.dashboard,
        ocm_views.organization_detail,
        ocm_views.export_csv,
        ocm_views.briefing_pdf,
        budgeting_views.ledger_export,
    ],
)
def test_heavy_read_only_pages_may_read_the_standby(view):
    assert getattr(view, "reads_from_replica", False) is True
