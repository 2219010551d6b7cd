"""What asking the policy layer costs a page: each permissions object, built from the cached
tenancy profile and objects already loaded (no query), in microseconds per call."""

from __future__ import annotations

import time


def _per_call_us(fn, n: int = 20_000) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def run() -> list[str]:
    from bcp.models import Plan
    from budgeting.models import BudgetProposal, ProgramBudget
    from coordination.models import ParticipantState, Partnership, PartnershipParticipant
    from core import policies
    from core.modules import MODULES
    from core.tenancy import Role, TenancyProfile
    from organizations.models import Membership, User
    from planning.models import StrategicPlan

    user = User(pk=1, email="bench@test.bmms", is_active=True)
    user._tenancy_profile = TenancyProfile(
        memberships=[Membership(organization_id=1, role=Role.EDITOR)],
        modules={1: frozenset(MODULES)},
    )
    plan = StrategicPlan(organization_id=1, status=StrategicPlan.Status.DRAFT)
    proposal = BudgetProposal(organization_id=1, status=BudgetProposal.Status.DRAFT)
    program = ProgramBudget(proposal=proposal)
    bc_plan = Plan(organization_id=1, status=Plan.Status.APPROVED)
    partnership = Partnership(organization_id=1, visible_to_ocm=True)
    participants = [
        PartnershipParticipant(organization_id=n, state=ParticipantState.ACCEPTED)
        for n in range(2, 12)
    ]
    accepted = {p.organization_id for p in participants}
    cases = {
        "plan_permissions": lambda: policies.plan_permissions(user, plan),
        "proposal_permissions": lambda: policies.proposal_permissions(user, proposal),
        "ledger_permissions": lambda: policies.ledger_permissions(user, program),
        "bc_plan_permissions": lambda: policies.bc_plan_permissions(user, bc_plan),
        "partnership_permissions (10 participants)": lambda: policies.partnership_permissions(
            user, partnership, participants, accepted
        ),
    }
    return [f"policy {name}: {_per_call_us(fn):.1f} µs per call" for name, fn in cases.items()]
