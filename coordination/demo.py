"""Demo data of the coordination app: partnerships among the pilot MOAs (MOH, MOLE, MAFAR) and
others, covering every partnership status and every invitation state.

Rows are written directly (not through the services) so seeding sends no e-mail; the demo
personas of organizations/demo.py are the inviters and authors. Idempotent: a partnership is
recognized by its lead and title, and nothing is created twice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from organizations.models import Organization, User

from .models import Milestone, ParticipantState, Partnership, PartnershipComment
from .models import PartnershipParticipant as Participant

S = Partnership.Status
T = Partnership.Type
M = Milestone.Status
P = ParticipantState

#: (lead, title, type, status, priority, start offset days, length days, budget, visible to OCM,
#:  participants [(code, state)], milestones [(title, due offset, responsible, status, progress)],
#:  objectives)
PARTNERSHIPS = [
    (
        "MOH",
        "Occupational health screening for informal workers",
        T.JOINT_PROGRAM,
        S.ACTIVE,
        Partnership.Priority.HIGH,
        -120,
        365,
        Decimal("12500000.00"),
        True,
        [("MOLE", P.ACCEPTED), ("MAFAR", P.ACCEPTED), ("MSSD", P.INVITED)],
        [
            ("Screening protocol agreed", -90, "MOH", M.COMPLETED, 100),
            ("Worker registry shared", -20, "MOLE", M.IN_PROGRESS, 60),
            ("Farmer cooperatives enrolled", 30, "MAFAR", M.IN_PROGRESS, 25),
            ("First 5,000 screenings", 120, "MOH", M.NOT_STARTED, 0),
        ],
        "Screen informal-sector and farm workers for occupational illness in the five "
        "provinces, using MOLE's worker registry and MAFAR's cooperative network.",
    ),
    (
        "MOLE",
        "Agri-enterprise skills training for out-of-school youth",
        T.CAPACITY_BUILDING,
        S.PENDING_APPROVAL,
        Partnership.Priority.MEDIUM,
        15,
        240,
        Decimal("4800000.00"),
        False,
        [("MAFAR", P.ACCEPTED), ("MBHTE", P.INVITED), ("MOH", P.DECLINED)],
        [("Training modules drafted", 45, "MOLE", M.NOT_STARTED, 0)],
        "Train 1,200 out-of-school youth in agri-enterprise skills with MAFAR's demonstration "
        "farms and MBHTE's technical-vocational centers.",
    ),
    (
        "MAFAR",
        "Nutrition-sensitive agriculture in first-1000-days communities",
        T.SERVICE_DELIVERY,
        S.ON_HOLD,
        Partnership.Priority.MEDIUM,
        -200,
        540,
        Decimal("7250000.00"),
        True,
        [("MOH", P.ACCEPTED), ("MSSD", P.WITHDRAWN)],
        [
            ("Barangay selection", -150, "MAFAR", M.COMPLETED, 100),
            ("Household gardens started", -40, "MAFAR", M.BLOCKED, 35),
            ("Growth monitoring linked", 60, "MOH", M.NOT_STARTED, 0),
        ],
        "Pair backyard vegetable gardens with MOH's growth monitoring for mothers and "
        "children in their first 1000 days.",
    ),
    (
        "MOH",
        "Shared cold-chain storage for vaccines and fish landing sites",
        T.RESOURCE_SHARING,
        S.DRAFT,
        Partnership.Priority.LOW,
        60,
        365,
        None,
        False,
        [("MAFAR", P.INVITED)],
        [],
        "Share solar cold rooms between rural health units and MAFAR's fish landing sites.",
    ),
    (
        "MOLE",
        "Labor market information exchange",
        T.POLICY_COORDINATION,
        S.COMPLETED,
        Partnership.Priority.MEDIUM,
        -500,
        365,
        Decimal("950000.00"),
        True,
        [("MOH", P.ACCEPTED), ("BPDA", P.ACCEPTED)],
        [
            ("Data sharing agreement signed", -450, "MOLE", M.COMPLETED, 100),
            ("Quarterly dashboard published", -160, "BPDA", M.COMPLETED, 100),
        ],
        "Exchange labor-market and health-workforce data every quarter for planning.",
    ),
    (
        "MAFAR",
        "Seaweed farmers' livelihood insurance pilot",
        T.BILATERAL,
        S.TERMINATED,
        Partnership.Priority.LOW,
        -300,
        180,
        Decimal("1500000.00"),
        False,
        [("MOLE", P.DECLINED)],
        [],
        "Pilot a livelihood-insurance scheme for seaweed farmers; ended when the insurer withdrew.",
    ),
]

COMMENTS = {
    "Occupational health screening for informal workers": [
        ("moh.editor@bmms.demo", "MOH", "Protocol attached to the MOA; please review section 3."),
        ("mole.editor@bmms.demo", "MOLE", "Registry extract for Maguindanao is ready."),
        ("mafar.editor@bmms.demo", "MAFAR", "Cooperative leaders briefed in Cotabato City."),
    ],
}


@transaction.atomic
def seed(scale: int = 0) -> list[str]:
    """Create the demo partnerships (idempotent); returns lines to print."""
    orgs = {o.code: o for o in Organization.objects.all()}
    users = {u.email: u for u in User.objects.filter(email__endswith="@bmms.demo")}
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    for (
        lead,
        title,
        kind,
        status,
        priority,
        start,
        length,
        budget,
        to_ocm,
        participants,
        milestones,
        objectives,
    ) in PARTNERSHIPS:
        if lead not in orgs or Partnership.objects.filter(organization=orgs[lead], title=title):
            continue
        editor = users.get(f"{lead.lower()}.editor@bmms.demo")
        start_date = today + datetime.timedelta(days=start)
        partnership = Partnership.objects.create(
            organization=orgs[lead],
            title=title,
            partnership_type=kind,
            status=status,
            priority=priority,
            objectives=objectives,
            expected_outcomes="Measurable results reported quarterly to the lead ministry.",
            deliverables="Signed MOA; joint work plan; quarterly progress reports.",
            start_date=start_date,
            end_date=start_date + datetime.timedelta(days=length),
            total_budget=budget,
            focal_person=editor,
            visible_to_ocm=to_ocm,
            created_by=editor,
        )
        for code, state in participants:
            if code not in orgs:
                continue
            answered = state != P.INVITED
            Participant.objects.create(
                partnership=partnership,
                organization=orgs[code],
                state=state,
                invited_by=editor,
                invited_at=now - datetime.timedelta(days=30),
                responded_by=users.get(f"{code.lower()}.admin@bmms.demo") if answered else None,
                responded_at=now - datetime.timedelta(days=25) if answered else None,
            )
        for m_title, due, responsible, m_status, progress in milestones:
            Milestone.objects.create(
                partnership=partnership,
                title=m_title,
                due_date=today + datetime.timedelta(days=due),
                responsible_organization=orgs[responsible],
                status=m_status,
                progress=progress,
                updated_by=editor,
            )
        for email, code, body in COMMENTS.get(title, []):
            PartnershipComment.objects.create(
                partnership=partnership, author=users.get(email), organization=orgs[code], body=body
            )
        created += 1
    total = Partnership.objects.count()
    return [f"coordination: {created} partnership(s) created, {total} in all"]
