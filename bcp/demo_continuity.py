"""Demo recovery strategies, dependencies and one shared plan (idempotent).

Runs after `bcp.demo` (its pilot plans): every process but one per plan gets a recovery
strategy with its resources, processes depend on each other and on vendors (the IT plans'
e-mail depends on the power cooperative, whose committed RTO is longer: the maps show that RTO
conflict), and MOH's Finance plan is shared with MOLE's approver for review, as a BCM focal
person of another MOA reviewing a peer's plan.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from organizations.models import User

from . import services
from .models import CriticalProcess, Plan, PlanShare
from .services import sharing, strategies

#: process name → (kind, title, activation minutes, people, ICT, vital records, facilities)
STRATEGIES = {
    "Payroll release": (
        "manual_procedure",
        "Manual payroll from the last approved register",
        480,
        "2 payroll clerks and the chief accountant",
        "Offline spreadsheet template on the encrypted backup laptop",
        "Last approved payroll register (printed monthly, kept in the vault)",
        "Cashier's office or the alternate site in Cotabato City",
    ),
    "Disbursement vouchers": (
        "workaround",
        "Pre-numbered paper vouchers",
        240,
        "1 accountant, 1 approving officer",
        "",
        "Blank pre-numbered voucher booklets; signatory specimen cards",
        "Any office with a safe",
    ),
    "E-mail and messaging": (
        "vendor",
        "Hosted mail failover",
        60,
        "IT duty officer",
        "Secondary MX at the hosting provider; staff phones with the mail app",
        "Staff directory export (weekly)",
        "",
    ),
    "Network and internet access": (
        "alternate_site",
        "LTE routers at the alternate site",
        90,
        "2 IT technicians",
        "4 LTE routers with prepaid data; spare switch",
        "Network diagrams and passwords (sealed envelope)",
        "Alternate site in Cotabato City",
    ),
    "Frontline service delivery": (
        "alternate_site",
        "Serve clients from the provincial office",
        240,
        "Frontline staff in two shifts",
        "Laptops with the offline client register",
        "Client register export (daily)",
        "Provincial office service counters",
    ),
}
#: dependent process → the processes of the same plan it needs
DEPENDENCIES = {
    "Disbursement vouchers": ["Payroll release"],
    "E-mail and messaging": ["Network and internet access"],
    "Field reporting": ["Frontline service delivery"],
}
SHARED_PLAN = ("MOH", "Finance continuity plan")
OUTSIDE_REVIEWER = "mole.approver@bmms.demo"


@transaction.atomic
def seed(scale: int = 0) -> list[str]:
    added = 0
    processes = CriticalProcess.objects.select_related("plan__organization").filter(
        plan__title__endswith="continuity plan",
        plan__organization__code__in=["MOH", "MOLE", "MAFAR"],
    )
    for process in processes:
        editor = User.objects.filter(
            email=f"{process.plan.organization.code.lower()}.editor@bmms.demo"
        ).first()
        if editor is None or process.plan.status == Plan.Status.ARCHIVED:
            continue
        spec = STRATEGIES.get(process.name)
        if spec and not process.recovery_strategies.exists():
            kind, title, activation, people, ict, records, facilities = spec
            vendor = None
            if kind == "vendor":
                vendor = process.vendors.order_by("name").first()
                if vendor is None:
                    continue
            strategies.strategy_create(
                actor=editor,
                process=process,
                kind=kind,
                title=title,
                activation_minutes=activation,
                vendor=vendor,
                people=people,
                ict=ict,
                vital_records=records,
                facilities=facilities,
            )
            added += 1
        needs = DEPENDENCIES.get(process.name)
        if needs and not process.depends_on.exists():
            services.process_update(
                actor=editor,
                process=process,
                depends_on=list(CriticalProcess.objects.filter(plan=process.plan, name__in=needs)),
            )
    lines = [f"Business continuity: {added} recovery strategies, dependencies mapped."]
    lines += _share()
    return lines


def _share() -> list[str]:
    code, title = SHARED_PLAN
    plan = Plan.objects.filter(organization__code=code, title=title).first()
    reviewer = User.objects.filter(email=OUTSIDE_REVIEWER, is_active=True).first()
    admin = User.objects.filter(email=f"{code.lower()}.admin@bmms.demo").first()
    if plan is None or reviewer is None or admin is None:
        return []
    if not PlanShare.objects.filter(plan=plan, grantee=reviewer, revoked_at__isnull=True).exists():
        sharing.share_grant(
            actor=admin,
            plan=plan,
            grantee=reviewer,
            right=PlanShare.Right.REVIEW,
            last_day=timezone.localdate() + datetime.timedelta(days=sharing.DEFAULT_DAYS),
            reason="Peer review of the Finance plan by MOLE's BCM focal person",
        )
    return [f"Business continuity: “{title}” of {code} is shared with {reviewer.email} (review)."]
