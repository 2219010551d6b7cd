"""Recovery strategies (ISO 22301 8.3): writes of `RecoveryStrategy`,
atomic, validated and audited like every bcp service. The register of critical processes and
the dependency map are reads: bcp/dependency_map.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import audit, contributions
from core.tenancy import require

from ..models import CriticalProcess, Plan, RecoveryStrategy

STRATEGY_FIELDS = [
    "kind",
    "title",
    "description",
    "vendor_id",
    "activation_minutes",
    "people",
    "ict",
    "vital_records",
    "facilities",
]
#: A process has at most this many strategies (the plan page and exports read them all).
MAX_STRATEGIES_PER_PROCESS = 20


def _editable(actor: Any, plan: Plan) -> None:
    require(actor, plan.organization_id, "change")
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived and can no longer be changed.")


def _check_vendor(strategy: RecoveryStrategy, plan: Plan) -> None:
    if strategy.vendor_id is not None and strategy.vendor.organization_id != plan.organization_id:
        raise ValidationError({"vendor": "Choose a vendor of this organization's registry."})


def _save(strategy: RecoveryStrategy) -> None:
    strategy.full_clean()
    try:
        with transaction.atomic():
            strategy.save()
    except IntegrityError as exc:
        raise ValidationError(
            "This change conflicts with the plan's rules (it may have been changed by someone "
            "else meanwhile). Reload the page and try again."
        ) from exc


def _record(actor: Any, action: str, strategy: RecoveryStrategy, plan: Plan, **changes) -> None:
    audit.record(
        actor=actor, action=action, subject=strategy, organization=plan.organization, **changes
    )
    # Changing the plan's registers makes the actor a contributor to the next version decided
    # (segregation of duties), as every register service does; recorded last (lock order).
    contributions.record(actor=actor, subject=plan)


@transaction.atomic
def strategy_create(*, actor: Any, process: CriticalProcess, **data: Any) -> RecoveryStrategy:
    """Add a recovery strategy to a critical process."""
    plan = process.plan
    _editable(actor, plan)
    Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)  # one addition at a time
    if process.recovery_strategies.count() >= MAX_STRATEGIES_PER_PROCESS:
        raise ValidationError(
            f"A process can have at most {MAX_STRATEGIES_PER_PROCESS} recovery strategies."
        )
    strategy = RecoveryStrategy(process=process, **data)
    _check_vendor(strategy, plan)
    _save(strategy)
    _record(
        actor,
        "bcp.strategy.created",
        strategy,
        plan,
        after=audit.snapshot(strategy, STRATEGY_FIELDS),
    )
    return strategy


@transaction.atomic
def strategy_update(*, actor: Any, strategy: RecoveryStrategy, **data: Any) -> RecoveryStrategy:
    plan = strategy.process.plan
    _editable(actor, plan)
    strategy = (
        RecoveryStrategy.objects.select_for_update(of=("self",))
        .select_related("process__plan__organization")
        .get(pk=strategy.pk)
    )
    before = audit.snapshot(strategy, STRATEGY_FIELDS)
    for name, value in data.items():
        setattr(strategy, name, value)
    _check_vendor(strategy, plan)
    _save(strategy)
    _record(
        actor,
        "bcp.strategy.updated",
        strategy,
        plan,
        before=before,
        after=audit.snapshot(strategy, STRATEGY_FIELDS),
    )
    return strategy


@transaction.atomic
def strategy_delete(*, actor: Any, strategy: RecoveryStrategy) -> None:
    plan = strategy.process.plan
    _editable(actor, plan)
    _record(
        actor,
        "bcp.strategy.deleted",
        strategy,
        plan,
        before=audit.snapshot(strategy, STRATEGY_FIELDS),
    )
    strategy.delete()
