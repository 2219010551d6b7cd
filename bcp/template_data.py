"""The two templates shipped with the portal, loaded by a data migration and `load_bcp_templates`.

The departmental template follows the eight sections of the departmental BCM plan; the
organization template follows the clauses an ISO 22301 auditor walks through.
"""

from __future__ import annotations

from typing import Any

ESCALATION_LEVELS = ["minor", "moderate", "major", "critical"]

DEFAULT_ESCALATION_MATRIX = {
    "minor": {
        "description": "Disruption of a single system or service with a workaround available.",
        "response_time": "4 hours",
        "escalation_level": "Section manager",
    },
    "moderate": {
        "description": "Disruption of several systems or of one critical service.",
        "response_time": "2 hours",
        "escalation_level": "Department head and BCM coordinator",
    },
    "major": {
        "description": "Disruption of critical services of the department for most users.",
        "response_time": "1 hour",
        "escalation_level": "Executive committee and crisis management team",
    },
    "critical": {
        "description": "Disruption threatening the whole organization or public safety.",
        "response_time": "30 minutes",
        "escalation_level": "Minister, all stakeholders and external support",
    },
}

TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "departmental-bcm",
        "name": "Departmental BCM plan",
        "version": "1.0",
        "is_default": True,
        "description": "Business continuity management plan of one department (8 sections).",
        "sections": [
            (
                "critical_applications_and_data_backup",
                "Critical applications and data backup strategies",
                "text",
                "Which applications and data the department cannot work without, how they are "
                "backed up (e.g. 3-2-1), where copies are kept and how restores are tested.",
            ),
            (
                "response_and_escalation_matrix",
                "Response and escalation matrix",
                "escalation_matrix",
                "For each severity level: what it looks like, how fast the team responds and "
                "who is alerted.",
            ),
            (
                "recovery_objectives_and_prioritized_activities",
                "Recovery objectives and prioritized activities",
                "text",
                "RTO and MTPD of the department's critical activities and the order in which "
                "they are restored. Record each process in the process table as well.",
            ),
            (
                "roles_and_responsibilities",
                "Roles and responsibilities",
                "text",
                "Department head, BCM coordinator, operational team, IT support: who decides, "
                "who acts, who communicates.",
            ),
            (
                "critical_resources_and_assets",
                "Critical resource and asset requirements",
                "text",
                "Key personnel, technology, facilities, vendor support, documentation and "
                "communication systems needed to keep going.",
            ),
            (
                "training_and_awareness",
                "Training and awareness",
                "text",
                "Training sessions, drills, awareness campaigns and onboarding of new staff.",
            ),
            (
                "testing",
                "Testing",
                "text",
                "Backup verification, tabletop, functional and full-scale exercises, and the "
                "review after each test.",
            ),
            (
                "review_and_maintenance",
                "Review and maintenance",
                "text",
                "When and by whom the plan is reviewed: annually, after incidents and after "
                "organizational changes.",
            ),
        ],
    },
    {
        "code": "organization-bc",
        "name": "Organization BC plan (ISO 22301)",
        "version": "1.0",
        "is_default": False,
        "description": "Organization-wide business continuity plan structured after ISO 22301.",
        "sections": [
            (
                "scope",
                "Scope and context",
                "text",
                "Which services, sites and units the plan covers, and the "
                "legal and regulatory requirements.",
            ),
            (
                "business_impact_analysis",
                "Business impact analysis",
                "text",
                "Prioritized activities, impacts over time, RTO, RPO and MTPD.",
            ),
            (
                "risk_assessment",
                "Risk assessment",
                "text",
                "Threats, likelihood, impact, treatment.",
            ),
            (
                "continuity_strategies",
                "Business continuity strategies",
                "text",
                "How each prioritized activity continues or resumes: people, premises, "
                "technology, information, suppliers.",
            ),
            (
                "incident_response",
                "Incident response structure",
                "text",
                "Activation criteria, the response team, command and communication.",
            ),
            ("recovery", "Recovery procedures", "text", "Steps back to normal operations."),
            (
                "communications_and_contacts",
                "Communications and contacts",
                "text",
                "Internal and external communication; the contact list is kept in the "
                "contacts table.",
            ),
            (
                "exercises",
                "Exercising and testing",
                "text",
                "Exercise programme and how lessons learned are fed back.",
            ),
            (
                "maintenance",
                "Maintenance and improvement",
                "text",
                "Review cycle, ownership, management review, corrective actions.",
            ),
        ],
    },
]


def load_templates(template_model, section_model) -> int:
    """Create or update the shipped templates (idempotent). Works with historical models."""
    created = 0
    for spec in TEMPLATES:
        template, was_created = template_model.objects.update_or_create(
            code=spec["code"],
            version=spec["version"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "is_default": spec["is_default"],
            },
        )
        created += int(was_created)
        for order, (key, title, kind, help_text) in enumerate(spec["sections"], start=1):
            default = DEFAULT_ESCALATION_MATRIX if kind == "escalation_matrix" else ""
            section_model.objects.update_or_create(
                template=template,
                key=key,
                defaults={
                    "title": title,
                    "kind": kind,
                    "help_text": help_text,
                    "order": order,
                    "required": True,
                    "default": default,
                },
            )
    return created
