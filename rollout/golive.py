"""The go-live scheduler: on its date an organization's wave modules switch on and its status
becomes live, all in one transaction, unless its checklist has blocking items; then nothing
switches and the rollout team is told once.

Idempotent: one `GoLiveAttempt` per organization and date records what happened; a second run
on the same day finds it and does nothing more."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from waffle.models import Flag

import notifications
from core import audit
from core.modules import flag_name
from organizations.models import ModuleFlagScope, Organization

from .models import GoLiveAttempt
from .readiness import checklist

logger = logging.getLogger(__name__)
LIVE = Organization.OnboardingStatus.LIVE


def due_organization_ids(today: datetime.date) -> list[int]:
    return list(
        Organization.objects.filter(is_active=True, go_live_date__lte=today)
        .exclude(onboarding_status=LIVE)
        .order_by("code")
        .values_list("pk", flat=True)
    )


def switch_modules_on(organization: Organization, modules: list[str]) -> None:
    for module in modules:
        flag = Flag.objects.get(name=flag_name(module))
        scope, _ = ModuleFlagScope.objects.get_or_create(flag=flag)
        scope.excluded_organizations.remove(organization)
        scope.organizations.add(organization)


@transaction.atomic
def go_live(organization_id: int, actor=None) -> GoLiveAttempt | None:
    """Take one organization live if it is due and ready. Returns the attempt (None: not due
    or already live)."""
    organization = Organization.objects.select_for_update().get(pk=organization_id)
    if organization.onboarding_status == LIVE or organization.go_live_date is None:
        return None
    attempt = GoLiveAttempt.objects.filter(
        organization=organization, go_live_date=organization.go_live_date
    ).first()
    result = checklist(organization)
    if not result.ready:
        if attempt is None:
            attempt = GoLiveAttempt.objects.create(
                organization=organization,
                go_live_date=organization.go_live_date,
                outcome=GoLiveAttempt.Outcome.BLOCKED,
                blocking_items=[f"{i.label}: {i.detail}" for i in result.blocking],
                modules=result.modules,
            )
            audit.record(
                actor=actor,
                action="rollout.go_live_blocked",
                subject=organization,
                organization=organization,
                after={"blocking": attempt.blocking_items},
            )
            # The rollout team is told once (the attempt is made once per date).
            notifications.emit(
                "rollout.go_live_blocked", attempt, key=f"rollout.go_live_blocked:{attempt.pk}"
            )
            attempt.notified_at = timezone.now()
            attempt.save(update_fields=["notified_at"])
        return attempt
    switch_modules_on(organization, result.modules)
    before = organization.onboarding_status
    organization.onboarding_status = LIVE
    organization.save(update_fields=["onboarding_status", "updated_at"])
    if attempt is None:
        attempt = GoLiveAttempt(organization=organization, go_live_date=organization.go_live_date)
    attempt.outcome = GoLiveAttempt.Outcome.LIVE
    attempt.blocking_items = []
    attempt.modules = result.modules
    attempt.save()
    audit.record(
        actor=actor,
        action="rollout.went_live",
        subject=organization,
        organization=organization,
        before={"onboarding_status": before},
        after={"onboarding_status": LIVE, "modules": result.modules},
    )
    return attempt


def run_due(today: datetime.date | None = None) -> dict[str, int]:
    """Every organization whose date has come: each in its own transaction."""
    today = today or timezone.localdate()
    counts = {"live": 0, "blocked": 0}
    for organization_id in due_organization_ids(today):
        attempt = go_live(organization_id)
        if attempt is not None:
            counts[attempt.outcome] += 1
    return counts
