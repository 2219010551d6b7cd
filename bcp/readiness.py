"""A plan's readiness check: what an ISO 22301 auditor would flag, each finding with
its clause and a link to where it is fixed.

Findings are produced by a list of small checks (`CHECKS`): to add one (e.g. structured recovery
strategies), write a function `(context) -> list[Finding]` and append it. Findings whose code is
in `CRITICAL` are the *critical items*: the OCM dashboard counts a plan as ready only when none
of them is present, and computes them for every plan at once with `attach_critical` (same
rules in a few GROUP BY queries; tests pin the two together).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from core import formats
from incidents.formatting import duration
from organizations.corrective import overdue_q

from . import cycle
from .models import (
    Contact,
    ContinuityPolicy,
    CorrectiveAction,
    CriticalProcess,
    Exercise,
    ExerciseResult,
    Plan,
)

#: ISO 22301:2019 clauses the findings name.
CLAUSES = {
    "7.3": "Awareness",
    "8.2.2": "Business impact analysis",
    "8.2.3": "Risk assessment",
    "8.3": "Business continuity strategies and solutions",
    "8.4": "Business continuity plans and procedures",
    "8.4.3": "Warning and communication",
    "8.5": "Exercise programme",
    "8.6": "Evaluation of business continuity documentation and capabilities",
    "10.1": "Nonconformity and corrective action",
}

#: The critical items: a plan with any of these is not ready on the OCM dashboard.
CRITICAL = frozenset(
    {
        "no_approved_version",
        "review_missing",
        "review_overdue",
        "no_processes",
        "process_objectives",
        "no_contacts",
        "no_exercise",
        "missed_rto",
        "action_overdue",
    }
)

#: The plan's section where recovery strategies are written (departmental and ISO templates).
STRATEGY_SECTION_KEYS = (
    "continuity_strategies",  # organization BC plan (ISO 22301)
    "recovery_objectives_and_prioritized_activities",  # departmental BCM plan
    "critical_applications_and_data_backup",
)


@dataclass
class Finding:
    """One thing an auditor would flag: a nonconformity ("error") or an observation."""

    code: str
    severity: str  # "error" or "warning"
    clause: str
    message: str
    link: str = ""

    @property
    def critical(self) -> bool:
        return self.code in CRITICAL

    @property
    def clause_title(self) -> str:
        return CLAUSES.get(self.clause, "")


@dataclass
class Context:
    """What the checks read about one plan (loaded once)."""

    plan: Plan
    policy: ContinuityPolicy
    today: datetime.date
    processes: list[CriticalProcess]
    contacts: list[Contact]
    exercises: list[Exercise]  # conducted, newest first
    overdue_actions: list[CorrectiveAction]
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def last_exercise(self) -> Exercise | None:
        return self.exercises[0] if self.exercises else None


def _url(name: str, obj: Any) -> str:
    return reverse(name, args=[obj.public_id])


def check_version(ctx: Context) -> list[Finding]:
    if ctx.plan.current_version_id is None:
        return [
            Finding(
                "no_approved_version",
                "error",
                "8.4",
                "No approved version: the plan is not in force yet.",
                ctx.detail + "#draft",
            )
        ]
    return []


def check_review_date(ctx: Context) -> list[Finding]:
    plan = ctx.plan
    if plan.current_version_id is None:
        return []  # nothing approved yet: the finding above says so
    link = reverse("bcp:version-list", args=[plan.public_id])
    if plan.next_review_date is None:
        return [Finding("review_missing", "error", "8.6", "No review date is set.", link)]
    if plan.next_review_date < ctx.today:
        return [
            Finding(
                "review_overdue",
                "error",
                "8.6",
                f"Review overdue since {formats.date(plan.next_review_date)}: revise the plan and "
                "have it approved again (the approval sets the next review date).",
                link,
            )
        ]
    return []


def check_processes(ctx: Context) -> list[Finding]:
    if not ctx.processes:
        return [
            Finding(
                "no_processes",
                "error",
                "8.2.2",
                "No critical processes recorded (business impact analysis).",
                ctx.detail + "#processes",
            )
        ]
    findings = []
    for process in ctx.processes:
        edit = _url("bcp:process-edit", process)
        if process.rto_minutes is None or process.mtpd_minutes is None:
            findings.append(
                Finding(
                    "process_objectives",
                    "error",
                    "8.2.2",
                    f"Process “{process.name}” has no RTO or no MTPD.",
                    edit,
                )
            )
        elif process.rto_minutes > process.mtpd_minutes:
            findings.append(
                Finding(
                    "process_objectives",
                    "error",
                    "8.2.2",
                    f"Process “{process.name}”: RTO is longer than MTPD.",
                    edit,
                )
            )
        if not process.has_recovery_strategy:
            findings.append(
                Finding(
                    "no_strategy",
                    "error",
                    "8.3",
                    f"Process “{process.name}” has no recovery strategy (a workaround, alternate "
                    "site, manual procedure or vendor arrangement).",
                    _strategy_link(ctx, process),
                )
            )
        if not process.has_dependencies:
            findings.append(
                Finding(
                    "no_dependencies",
                    "warning",
                    "8.2.2",
                    f"Process “{process.name}” has no dependencies mapped (other processes or "
                    "vendors it needs).",
                    edit,
                )
            )
        for warning in process.dependency_warnings():
            findings.append(Finding("dependency_rto", "warning", "8.2.2", warning, edit))
    return findings


def _strategy_link(ctx: Context, process: CriticalProcess) -> str:
    return reverse("bcp:process-detail", args=[process.public_id])


def check_contacts(ctx: Context) -> list[Finding]:
    if not ctx.contacts:
        return [
            Finding(
                "no_contacts", "error", "8.4.3", "No emergency contacts.", ctx.detail + "#contacts"
            )
        ]
    findings = []
    months = ctx.policy.contact_confirmation_months
    stale_before = cycle.add_months(ctx.today, -months)
    for contact in ctx.contacts:
        edit = _url("bcp:contact-edit", contact)
        if contact.alternate_id is None:
            findings.append(
                Finding(
                    "contact_alternate",
                    "error",
                    "8.4.3",
                    f"Contact {contact.name} has no alternate.",
                    edit,
                )
            )
        confirmed = contact.confirmed_on
        if confirmed is None or confirmed < stale_before:
            when = f"since {formats.date(confirmed)}" if confirmed else "ever"
            findings.append(
                Finding(
                    "contact_stale",
                    "error",
                    "8.6",
                    f"Contact {contact.name} not confirmed {when} (more than {months} months): "
                    "check the details and save them.",
                    edit,
                )
            )
    return findings


def check_exercises(ctx: Context) -> list[Finding]:
    findings = []
    year_ago = ctx.today - datetime.timedelta(days=365)
    recent = [e for e in ctx.exercises if e.held_on >= year_ago]
    schedule = reverse("bcp:exercise-schedule", args=[ctx.plan.public_id])
    if not recent:
        findings.append(
            Finding("no_exercise", "error", "8.5", "No exercise in the last 12 months.", schedule)
        )
    elif len(recent) < ctx.policy.exercises_per_year:
        findings.append(
            Finding(
                "exercise_frequency",
                "warning",
                "8.5",
                f"{len(recent)} exercise(s) in the last 12 months; the organization's programme "
                f"asks for {ctx.policy.exercises_per_year}.",
                schedule,
            )
        )
    last = ctx.last_exercise
    if last is not None:
        for result in last.results.all():
            if not result.met:
                findings.append(
                    Finding(
                        "missed_rto",
                        "error",
                        "8.5",
                        f"“{result.process.name}” missed its recovery time in the last exercise "
                        f"({formats.date(last.held_on)}) by {duration(result.gap_minutes)}.",
                        _url("bcp:exercise-detail", last),
                    )
                )
    return findings


def check_actions(ctx: Context) -> list[Finding]:
    return [
        Finding(
            "action_overdue",
            "error",
            "10.1",
            f"Corrective action “{action.description[:80]}” ({action.owner}) overdue since "
            f"{formats.date(action.due_date)}.",
            _url("bcp:action-edit", action),
        )
        for action in ctx.overdue_actions
    ]


def check_risks(ctx: Context) -> list[Finding]:
    return [
        Finding(
            "risk_unmitigated",
            "warning",
            "8.2.3",
            f"High risk “{risk.threat}” has no mitigation.",
            _url("bcp:risk-edit", risk),
        )
        for risk in ctx.plan.risks.all()
        if risk.likelihood * risk.impact >= 15 and not risk.mitigation.strip()
    ]


def check_acknowledgments(ctx: Context) -> list[Finding]:
    plan = ctx.plan
    if plan.current_version_id is None:
        return []
    missing = cycle.unacknowledged(plan).count()
    if not missing:
        return []
    return [
        Finding(
            "unacknowledged",
            "error",
            "7.3",
            f"{missing} member(s) have not acknowledged the active version "
            f"{plan.current_version.version_number}.",
            ctx.detail + "#acknowledgments",
        )
    ]


CHECKS: list[Callable[[Context], list[Finding]]] = [
    check_version,
    check_review_date,
    check_processes,
    check_contacts,
    check_exercises,
    check_actions,
    check_risks,
    check_acknowledgments,
]


def context_for(plan: Plan) -> Context:
    """Load what the checks read (the plan as `selectors.plan_detail` prefetched it)."""
    exercises = sorted(
        (e for e in plan.exercises.all() if e.status == Exercise.Status.CONDUCTED),
        key=lambda e: (e.held_on, e.pk),
        reverse=True,
    )
    overdue = list(
        CorrectiveAction.objects.filter(exercise__plan=plan)
        .filter(overdue_q())
        .select_related("owner")
        .order_by("due_date", "id")
    )
    return Context(
        plan=plan,
        policy=cycle.policy_for(plan.organization_id),
        today=timezone.localdate(),
        processes=list(plan.critical_processes.with_coverage()),
        contacts=list(plan.contacts.all()),
        exercises=exercises,
        overdue_actions=overdue,
        detail=reverse("bcp:plan-detail", args=[plan.public_id]),
    )


def readiness(plan: Plan) -> list[Finding]:
    """Everything an auditor would flag about this plan; no error means ready."""
    ctx = context_for(plan)
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(ctx))
    return findings


# --- the critical items for many plans at once (OCM, coverage board) ------------------------------


def attach_critical(plans: list[Plan]) -> list[Plan]:
    """Set on each plan what `critical_codes` needs (`c_*` attributes). Five plain GROUP BY
    queries whatever the number of plans: cheap to plan and run, so the OCM aggregation can ask
    for every organization's plans at once."""
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    ids = [p.pk for p in plans]
    processes = {
        row["plan_id"]: row
        for row in CriticalProcess.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id")
        .annotate(
            n=Count("pk"),
            bad=Count(
                "pk",
                filter=Q(rto_minutes__isnull=True)
                | Q(mtpd_minutes__isnull=True)
                | Q(rto_minutes__gt=F("mtpd_minutes")),
            ),
        )
    }
    contacts = dict(
        Contact.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    # The last exercise held of each plan (newest date, then newest row).
    last = {
        row["plan_id"]: row
        for row in Exercise.objects.filter(plan_id__in=ids, status=Exercise.Status.CONDUCTED)
        .order_by("plan_id", "-held_on", "-pk")
        .distinct("plan_id")
        .values("pk", "plan_id", "held_on")
    }
    missed = set(
        ExerciseResult.objects.filter(
            exercise_id__in=[row["pk"] for row in last.values()],
            achieved_rto_minutes__gt=F("target_rto_minutes"),
        )
        .order_by()
        .values_list("exercise__plan_id", flat=True)
        .distinct()
    )
    overdue = set(
        CorrectiveAction.objects.filter(exercise__plan_id__in=ids)
        .filter(overdue_q())
        .order_by()
        .values_list("exercise__plan_id", flat=True)
        .distinct()
    )
    for plan in plans:
        row = processes.get(plan.pk, {})
        plan.c_processes = row.get("n", 0)
        plan.c_bad_objectives = row.get("bad", 0)
        plan.c_contacts = contacts.get(plan.pk, 0)
        held = last.get(plan.pk)
        plan.c_last_exercise_on = held["held_on"] if held else None
        plan.c_recent_exercise = bool(held) and held["held_on"] >= year_ago
        plan.c_missed = plan.pk in missed
        plan.c_overdue_actions = plan.pk in overdue
    return plans


def critical_codes(plan: Plan) -> set[str]:
    """The critical items a plan prepared by `attach_critical` fails."""
    today = timezone.localdate()
    codes: set[str] = set()
    if plan.current_version_id is None:
        codes.add("no_approved_version")
    elif plan.next_review_date is None:
        codes.add("review_missing")
    elif plan.next_review_date < today:
        codes.add("review_overdue")
    if not plan.c_processes:
        codes.add("no_processes")
    if plan.c_bad_objectives:
        codes.add("process_objectives")
    if not plan.c_contacts:
        codes.add("no_contacts")
    if not plan.c_recent_exercise:
        codes.add("no_exercise")
    if plan.c_missed:
        codes.add("missed_rto")
    if plan.c_overdue_actions:
        codes.add("action_overdue")
    return codes


def passes_critical(plan: Plan) -> bool:
    """In force (approved, review in date) and no critical item failed (`attach_critical`)."""
    return plan.status == Plan.Status.APPROVED and not critical_codes(plan)
