"""Builds approved plans with processes, contacts (with alternates) and vendors, and incidents,
through the services (so every rule applies)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from bcp import services as bcp_services
from bcp.models import Contact, CriticalProcess, Plan, Vendor
from incidents import services
from incidents.models import Incident
from tests.bcp.factories import approve_plan, make_plan


@dataclass
class PlanSetup:
    plan: Plan
    payroll: CriticalProcess
    vouchers: CriticalProcess
    vendor: Vendor
    lead: Contact
    alternate: Contact
    head: Contact


def approved_plan_with_people(
    organization, editor, reviewers, department=None, title="Finance continuity plan"
) -> PlanSetup:
    """An approved plan: Payroll (RTO 1 h, MTPD 4 h, depends on a vendor), Vouchers (RTO 2 h,
    MTPD 8 h, depends on Payroll); contacts Aisah (lead; her alternate is Omar, and she is his),
    Omar, and Bai (head, e-mail only, no alternate). Call tree: Bai and Aisah are called first,
    Omar stands by for Aisah."""
    plan = make_plan(organization, editor, title=title, department=department)
    vendor = Vendor.objects.filter(organization=organization, name="Mindanao Telecom").first()
    if vendor is None:
        vendor = bcp_services.vendor_create(
            actor=editor,
            organization=organization,
            name="Mindanao Telecom",
            service="Internet",
            rto_offered_minutes=60,
        )
    payroll = bcp_services.process_create(
        actor=editor,
        plan=plan,
        name="Payroll",
        priority=1,
        rto_minutes=60,
        mtpd_minutes=240,
        vendors=[vendor],
    )
    vouchers = bcp_services.process_create(
        actor=editor,
        plan=plan,
        name="Disbursement vouchers",
        priority=2,
        rto_minutes=120,
        mtpd_minutes=480,
        depends_on=[payroll],
    )
    lead = bcp_services.contact_create(
        actor=editor,
        plan=plan,
        name="Aisah Usman",
        role="BCM coordinator",
        phone="+639170000001",
        email="aisah@example.gov.ph",
    )
    alternate = bcp_services.contact_create(
        actor=editor,
        plan=plan,
        name="Omar Sema",
        role="Alternate coordinator",
        phone="+639170000002",
        email="omar@example.gov.ph",
        alternate=lead,
    )
    bcp_services.contact_update(actor=editor, contact=lead, alternate=alternate)
    head = bcp_services.contact_create(
        actor=editor,
        plan=plan,
        name="Bai Guiamel",
        role="Department head",
        email="bai@example.gov.ph",
    )
    plan = approve_plan(plan, editor, reviewers)
    return PlanSetup(plan, payroll, vouchers, vendor, lead, alternate, head)


def declare(
    actor: Any,
    organization,
    *,
    now: datetime.datetime | None = None,
    started_minutes_ago: int = 30,
    severity: str = "major",
    departments=(),
    processes=(),
    is_exercise: bool = False,
    title: str = "Flood at the main office",
) -> Incident:
    now = now or timezone.now()
    return services.incident_declare(
        actor=actor,
        organization=organization,
        title=title,
        kind="natural_hazard",
        severity=severity,
        started_at=now - datetime.timedelta(minutes=started_minutes_ago),
        location="Main office, Cotabato City",
        commander=actor,
        departments=departments,
        processes=processes,
        is_exercise=is_exercise,
        exercise_kind="functional" if is_exercise else "",
        now=now,
    )
