"""Optimistic locking cannot be skipped (issue 16, class 8): every edit form and API update that
carries a `revision` refuses a request without it, with a clear message, and saves nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bcp import services as bcp
from bcp.models import PlanVersion
from budgeting import services as budgeting
from budgeting.models import BudgetProposal
from coordination import services as coordination
from coordination.models import Partnership
from core.locking import MISSING_REVISION, MissingRevision
from organizations.models import AuditLog
from planning import services as planning
from planning.models import StrategicPlan
from tests.bcp.factories import full_content, make_plan
from tests.coordination.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategic_plan(org_a, carol):
    return planning.plan_create(
        actor=carol, organization=org_a, title="Health", start_year=2025, end_year=2028
    )


@pytest.fixture
def proposal(org_a, carol):
    return budgeting.proposal_create(
        actor=carol, organization=org_a, fiscal_year=2027, title="FY 2027"
    )


@pytest.fixture
def partnership(org_a, carol):
    return PartnershipFactory(organization=org_a, title="Screening", focal_person=carol)


@pytest.fixture
def draft(org_a, carol, dept_a):
    return make_plan(org_a, carol, department=dept_a).versions.get()


def _forms(strategic_plan, proposal, partnership, draft):
    """(url, POST without revision, the record, how to read what was saved, its value before)"""
    content = {s: "Mine" for s in full_content(draft.plan.template) if s != "escalation_matrix"}
    return [
        (
            reverse("planning:plan-edit", args=[strategic_plan.public_id]),
            {"title": "Health", "start_year": 2025, "end_year": 2028, "vision": "Mine"},
            strategic_plan,
            lambda: StrategicPlan.objects.get(pk=strategic_plan.pk).vision,
        ),
        (
            reverse("budgeting:proposal-edit", args=[proposal.public_id]),
            {"fiscal_year": 2027, "title": "FY 2027", "notes": "Mine"},
            proposal,
            lambda: BudgetProposal.objects.get(pk=proposal.pk).notes,
        ),
        (
            reverse("coordination:partnership-edit", args=[partnership.public_id]),
            {
                "title": "Screening",
                "partnership_type": "bilateral",
                "status": "active",
                "priority": "medium",
                "objectives": "Mine",
                "start_date": "2026-01-01",
            },
            partnership,
            lambda: Partnership.objects.get(pk=partnership.pk).objectives,
        ),
        (
            reverse("bcp:version-edit", args=[draft.public_id]),
            {**content, "change_note": "Mine"},
            draft,
            lambda: PlanVersion.objects.get(pk=draft.pk).change_note,
        ),
    ]


@pytest.mark.parametrize("kind", ["strategic plan", "proposal", "partnership", "bc draft"])
@pytest.mark.parametrize("revision", [None, "", "abc", "0"])
def test_an_edit_form_without_a_valid_revision_saves_nothing_and_says_why(
    strategic_plan, proposal, partnership, draft, carol, client, kind, revision
):
    index = ["strategic plan", "proposal", "partnership", "bc draft"].index(kind)
    url, data, record, saved = _forms(strategic_plan, proposal, partnership, draft)[index]
    if revision is not None:
        data = {**data, "revision": revision}
    before_value, before_revision = saved(), type(record).objects.get(pk=record.pk).revision
    audit_entries = AuditLog.objects.count()
    client.force_login(carol)
    response = client.post(url, data)
    assert response.status_code == 200
    assert MISSING_REVISION in response.content.decode()
    assert saved() == before_value != "Mine"
    assert type(record).objects.get(pk=record.pk).revision == before_revision
    assert AuditLog.objects.count() == audit_entries


def test_the_forms_still_save_with_the_revision_they_were_opened_at(
    strategic_plan, proposal, partnership, draft, carol, client
):
    client.force_login(carol)
    for url, data, record, saved in _forms(strategic_plan, proposal, partnership, draft):
        record.refresh_from_db()
        response = client.post(url, {**data, "revision": record.revision})
        assert response.status_code in (302, 204), url
        assert saved() == "Mine"


def test_the_services_refuse_a_missing_revision(
    strategic_plan, proposal, partnership, draft, carol
):
    calls = [
        lambda: planning.plan_update(
            actor=carol, plan=strategic_plan, revision=None, vision="Mine"
        ),
        lambda: budgeting.proposal_update(
            actor=carol, proposal=proposal, revision=None, notes="Mine"
        ),
        lambda: coordination.partnership_update(
            actor=carol, partnership=partnership, revision=None, objectives="Mine"
        ),
        lambda: bcp.version_update_draft(
            actor=carol,
            version=draft,
            content=full_content(draft.plan.template, " Mine"),
            change_note="Mine",
            expected_revision=None,
        ),
    ]
    for call in calls:
        with pytest.raises(MissingRevision, match="Your changes were not saved"):
            call()
    for model, pk in (
        (StrategicPlan, strategic_plan.pk),
        (BudgetProposal, proposal.pk),
        (Partnership, partnership.pk),
        (PlanVersion, draft.pk),
    ):
        assert model.objects.get(pk=pk).revision == 1
    # And leaving the argument out altogether is a programming error, not a silent overwrite.
    with pytest.raises(TypeError):
        planning.plan_update(actor=carol, plan=strategic_plan, vision="Mine")
    with pytest.raises(TypeError):
        budgeting.proposal_update(actor=carol, proposal=proposal, notes=Decimal("1"))


@pytest.mark.parametrize("revision", ["missing", None, "", 0])
def test_the_api_update_refuses_a_missing_revision(draft, carol, revision):
    token = bcp.api_token_create(actor=carol, user=carol, name="sync")[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    payload = {"content": full_content(draft.plan.template, " Mine"), "change_note": "Mine"}
    if revision != "missing":
        payload["revision"] = revision
    response = client.post(
        reverse("api:department-plan-update", args=[draft.plan.public_id]),
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "revision" in json.dumps(response.json()["detail"])
    draft.refresh_from_db()
    assert draft.revision == 1 and draft.change_note != "Mine"
