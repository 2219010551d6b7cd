"""Demo business continuity plans for the pilot MOAs' departments (idempotent).

Each pilot gets plans for its Finance, IT and Operations departments, built through the services
(so the audit log tells the story): processes, risks, contacts, vendors, an approved version
acknowledged by some members, and a recent tabletop exercise.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from organizations.models import Department, Organization, User

from . import services
from .content import blank_content
from .models import Plan, Review, SectionDefinition, Template, Vendor
from .template_data import load_templates

PILOTS = ["MOH", "MOLE", "MAFAR"]
DEPARTMENTS = {
    "Finance": {
        "processes": [
            ("Payroll release", 1440, 240, 4320, 80, [1, 2, 3, 4, 5]),
            ("Disbursement vouchers", 2880, 480, 7200, 60, [0, 1, 2, 3, 4]),
        ],
        "text": "Daily backups of the accounting system (eNGAS) with a weekly off-site copy.",
    },
    "Information Technology": {
        "processes": [
            ("E-mail and messaging", 240, 60, 1440, 90, [1, 2, 3, 4, 5]),
            ("Network and internet access", 120, 0, 720, 100, [2, 3, 4, 5, 5]),
        ],
        "text": "3-2-1 backups of file servers and databases; restores tested quarterly.",
    },
    "Operations": {
        "processes": [
            ("Frontline service delivery", 480, 240, 2880, 70, [1, 2, 3, 4, 5]),
            ("Field reporting", 1440, 1440, 4320, 50, [0, 1, 1, 2, 3]),
        ],
        "text": "Field reports are synchronised nightly; paper forms are kept as a fallback.",
    },
}
RISKS = [
    ("Flooding of the ground floor records room", 3, 4, "Raise shelving; scan records."),
    ("Prolonged power outage", 4, 3, "Generator with 72 h of fuel; UPS on servers."),
    ("Ransomware on shared drives", 2, 5, "Offline backups; endpoint protection; drills."),
    ("Armed conflict blocking road access", 2, 4, "Alternate site in Cotabato City."),
]
VENDORS = [
    ("Mindanao Telecom Services", "Internet and leased lines", "critical", 240),
    ("Cotabato Power Cooperative", "Electricity", "high", 480),
    ("Bangsamoro Cloud Hosting", "Off-site backup storage", "high", 120),
]


def _content(template: Template, department: str, text: str) -> dict:
    content = blank_content(template)
    for section in template.sections.all():
        if section.kind == SectionDefinition.Kind.TEXT:
            content[section.key] = f"{section.title} of the {department} department. " + (
                text if section.order == 1 else section.help_text
            )
    return content


def _vendors(organization: Organization, actor: User) -> list[Vendor]:
    vendors = []
    for name, service, criticality, rto in VENDORS:
        vendor = Vendor.objects.filter(organization=organization, name=name).first()
        if vendor is None:
            vendor = services.vendor_create(
                actor=actor,
                organization=organization,
                name=name,
                service=service,
                criticality=criticality,
                rto_offered_minutes=rto,
                contract_reference=f"{organization.code}-{name[:4].upper()}-2025",
            )
        vendors.append(vendor)
    return vendors


def _seed_plan(organization, department, template, editor, approver, admin, vendors, spec):
    title = f"{department.name} continuity plan"
    plan = services.plan_create(
        actor=editor,
        organization=organization,
        template=template,
        title=title,
        department=department,
        content=_content(template, department.name, spec["text"]),
    )
    for priority, (name, rto, rpo, mtpd, mbco, impacts) in enumerate(spec["processes"], 1):
        services.process_create(
            actor=editor,
            plan=plan,
            name=name,
            priority=priority,
            rto_minutes=rto,
            rpo_minutes=rpo,
            mtpd_minutes=mtpd,
            mbco_percent=mbco,
            impact_rating="high" if priority == 1 else "medium",
            **{
                f"impact_{h}": v
                for h, v in zip(["1h", "4h", "8h", "24h", "72h"], impacts, strict=True)
            },
            vendors=vendors[:2] if priority == 1 else [],
        )
    for threat, likelihood, impact, mitigation in RISKS:
        services.risk_create(
            actor=editor,
            plan=plan,
            threat=threat,
            likelihood=likelihood,
            impact=impact,
            mitigation=mitigation,
            owner=editor,
        )
    alternate = services.contact_create(
        actor=editor,
        plan=plan,
        name="Datu Omar Sema",
        role="BCM coordinator (alternate)",
        phone="+63 917 555 0101",
        email="",
    )
    head = services.contact_create(
        actor=editor,
        plan=plan,
        name=department.head or "Department head",
        role="Department head",
        phone="+63 917 555 0100",
        email="",
        alternate=alternate,
    )
    services.contact_update(actor=editor, contact=alternate, alternate=head)
    version = plan.versions.get()
    reviews = services.version_submit_for_review(
        actor=editor, version=version, reviewers=[approver, admin]
    )
    for review in reviews:
        services.review_decide(
            actor=review.reviewer, review=review, decision=Review.Status.APPROVED, notes="Fine."
        )
    version.refresh_from_db()
    for user in (editor, approver):
        services.acknowledgment_record(actor=user, version=version)
    services.exercise_record(
        actor=editor,
        plan=plan,
        kind="tabletop",
        held_on=timezone.localdate() - datetime.timedelta(days=45),
        scenario="Typhoon floods the regional office for three days.",
        participants="Department staff, BCM coordinator, IT support",
        findings="Call tree out of date; generator fuel contract expired.",
        actions="Update the call tree monthly.\nRenew the fuel contract.",
        results={p: p.rto_minutes + 30 for p in plan.critical_processes.all()[:1]},
    )
    return plan


@transaction.atomic
def seed(scale: int = 0) -> list[str]:
    """Plans for the pilots' departments; returns lines for seed_demo to print."""
    load_templates(Template, SectionDefinition)
    template = Template.objects.get(code="departmental-bcm")
    created = 0
    for code in PILOTS:
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            continue
        prefix = code.lower()
        try:
            editor = User.objects.get(email=f"{prefix}.editor@bmms.demo")
            approver = User.objects.get(email=f"{prefix}.approver@bmms.demo")
            admin = User.objects.get(email=f"{prefix}.admin@bmms.demo")
        except User.DoesNotExist:
            continue
        vendors = _vendors(organization, editor)
        for name, spec in DEPARTMENTS.items():
            department = Department.objects.filter(organization=organization, name=name).first()
            if department is None:
                continue
            if Plan.objects.filter(organization=organization, department=department).exists():
                continue
            _seed_plan(organization, department, template, editor, approver, admin, vendors, spec)
            created += 1
    return [f"Business continuity: {created} new plan(s) for {', '.join(PILOTS)}."]
