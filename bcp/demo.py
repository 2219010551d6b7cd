"""Demo business continuity plans for the pilot MOAs' departments (idempotent).

Each pilot gets plans for its Finance, IT and Operations departments, built through the services
(so the audit log tells the story): processes, risks, contacts, vendors, an approved version
acknowledged by some members, and the programme cycle: plans of different ages (MOH's
IT plan is past its review date), exercises held with a missed recovery time, corrective actions
open, overdue and closed with evidence, exercises planned ahead, and a review campaign.
"""

from __future__ import annotations

import datetime

import pgtrigger
from django.db import transaction
from django.utils import timezone

from organizations.models import Department, Organization, User

from . import readiness, services
from .content import blank_content
from .models import Exercise, Plan, PlanVersion, Review, SectionDefinition, Template, Vendor
from .template_data import load_templates

PILOTS = ["MOH", "MOLE", "MAFAR"]
DEPARTMENTS = {
    "Finance": {
        "processes": [
            ("Payroll release", 1440, 240, 4320, 80, [1, 2, 3, 4, 5]),
            ("Disbursement vouchers", 2880, 480, 7200, 60, [0, 1, 2, 3, 4]),
        ],
        "text": "Daily backups of the accounting system (eNGAS) with a weekly off-site copy.",
        "approved_days_ago": 60,
    },
    "Information Technology": {
        "processes": [
            ("E-mail and messaging", 240, 60, 1440, 90, [1, 2, 3, 4, 5]),
            ("Network and internet access", 120, 0, 720, 100, [2, 3, 4, 5, 5]),
        ],
        "text": "3-2-1 backups of file servers and databases; restores tested quarterly.",
        # MOH's IT plan is past its review date (approved 13 months ago): one overdue review.
        "approved_days_ago": 240,
    },
    "Operations": {
        "processes": [
            ("Frontline service delivery", 480, 240, 2880, 70, [1, 2, 3, 4, 5]),
            ("Field reporting", 1440, 1440, 4320, 50, [0, 1, 1, 2, 3]),
        ],
        "text": "Field reports are synchronised nightly; paper forms are kept as a fallback.",
        "approved_days_ago": 150,
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
    # Recovery strategies name each process (what the readiness check looks for).
    key = next((k for k in readiness.STRATEGY_SECTION_KEYS if k in content), None)
    if key is not None:
        spec = DEPARTMENTS.get(department, {"processes": []})
        content[key] += "\n" + "\n".join(
            f"{name}: {STRATEGIES[n % len(STRATEGIES)]}"
            for n, (name, *_rest) in enumerate(spec["processes"])
        )
    return content


STRATEGIES = [
    "manual procedure with pre-printed forms, then data entry once systems are back.",
    "alternate site at the regional office in Cotabato City, staff on rotation.",
]


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
    _backdate(
        plan, spec["approved_days_ago"] + (365 if _overdue_demo(organization, department) else 0)
    )
    _seed_exercises(plan, editor, approver)
    return plan


def _overdue_demo(organization: Organization, department: Department) -> bool:
    return organization.code == "MOH" and department.name == "Information Technology"


def _backdate(plan: Plan, days: int) -> None:
    """Give the demo plans different ages: move the approval `days` back, and the next review
    date with it. Approved versions are immutable (a database trigger); the demo alone sets the
    trigger aside for this one update, so the portal never can."""
    plan.refresh_from_db()
    approved_at = timezone.now() - datetime.timedelta(days=days)
    next_review = plan.next_review_date - datetime.timedelta(days=days)
    with pgtrigger.ignore("bcp.PlanVersion:bcp_approved_version_immutable"):
        PlanVersion.objects.filter(pk=plan.current_version_id).update(approved_at=approved_at)
    Plan.objects.filter(pk=plan.pk).update(approved_at=approved_at, next_review_date=next_review)
    plan.refresh_from_db()


def _seed_exercises(plan: Plan, editor: User, approver: User) -> None:
    """A tabletop held 45 days ago where the first process missed its RTO by 30 min, with a
    closed, an open and an overdue corrective action; a functional exercise planned ahead."""
    today = timezone.localdate()
    processes = list(plan.critical_processes.all())
    first = processes[0]
    held = services.exercise_schedule(
        actor=editor,
        plan=plan,
        kind="tabletop",
        held_on=today,
        scenario="Typhoon floods the regional office for three days.",
        facilitator=approver,
        processes=processes,
        participants="Department staff, BCM coordinator, IT support",
    )
    services.exercise_conduct(
        actor=editor,
        exercise=held,
        results={first: first.rto_minutes + 30, **{p: p.rto_minutes for p in processes[1:]}},
        findings="Call tree out of date; generator fuel contract expired.",
    )
    Exercise.objects.filter(pk=held.pk).update(held_on=today - datetime.timedelta(days=45))
    closed = services.action_create(
        actor=editor,
        exercise=held,
        description="Update the call tree and test it monthly.",
        owner=editor,
        due_date=today - datetime.timedelta(days=20),
    )
    services.action_progress(
        actor=editor, action=closed, status="done", evidence="Call tree v7 tested on the 1st."
    )
    services.action_create(
        actor=editor,
        exercise=held,
        description=f"Second operator trained for “{first.name}” to meet its RTO.",
        owner=approver,
        due_date=today + datetime.timedelta(days=30),
        process=first,
    )
    if plan.department and plan.department.name == "Operations":
        services.action_create(
            actor=editor,
            exercise=held,
            description="Renew the generator fuel contract.",
            owner=editor,
            due_date=today - datetime.timedelta(days=5),
        )
    services.exercise_schedule(
        actor=editor,
        plan=plan,
        kind="functional",
        held_on=today + datetime.timedelta(days=21),
        scenario="Ransomware encrypts the shared drives: restore from the off-site copy.",
        facilitator=approver,
        processes=processes[:1],
        participants="IT support, department focal persons",
    )


def _seed_campaign(organization: Organization, admin: User) -> None:
    """A review campaign: every departmental plan reviewed by the next 31 March."""
    from .models import ReviewCampaign

    today = timezone.localdate()
    due = datetime.date(today.year if today.month <= 3 else today.year + 1, 3, 31)
    if not ReviewCampaign.objects.filter(organization=organization).exists():
        services.campaign_create(
            actor=admin,
            organization=organization,
            title=f"All departmental plans reviewed by {due:%-d %B %Y}",
            starts_on=today - datetime.timedelta(days=90),  # Finance (approved 60 days ago) counts
            due_date=due,
        )


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
        _seed_campaign(organization, admin)
    return [f"Business continuity: {created} new plan(s) for {', '.join(PILOTS)}."]
