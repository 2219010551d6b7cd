"""The administration overview's figures (superusers): read-only, computed in a few grouped
queries and cached for a minute under the "tenancy" version token, so a module switch or an
organization's change shows at once and the outbox and lockout figures are at most a minute old."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from core import versioned_cache
from core.modules import module_switches

from .models import OCMAccess, Organization, OutboxMessage, User

#: An e-mail or outbox message still unsent after this long is late.
LATE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Overview:
    computed_at: datetime
    organizations: int
    by_status: list[tuple[str, int]]
    waves: list[dict]
    modules: list[dict]
    users: int
    superusers: int
    ocm_users: int
    locked_out: int
    failed_sign_ins: int
    outbox_pending: int
    outbox_late: int
    outbox_failing: int
    outbox_oldest: datetime | None
    emails_late: int
    emails_failing: int


def _compute() -> Overview:
    from notifications.models import Delivery, Notification
    from rollout.models import Wave

    now = timezone.now()
    organizations = list(
        Organization.objects.filter(is_active=True).only("pk", "rollout_wave", "onboarding_status")
    )
    labels = dict(Organization.OnboardingStatus.choices)
    status_counts: dict[str, int] = {}
    wave_counts: dict[int | None, int] = {}
    for org in organizations:
        status_counts[org.onboarding_status] = status_counts.get(org.onboarding_status, 0) + 1
        wave_counts[org.rollout_wave] = wave_counts.get(org.rollout_wave, 0) + 1
    switches = module_switches()
    modules = [
        {
            "label": s.label,
            "on": sum(1 for o in organizations if s.on_for(o)),
            "waves": sorted(s.waves),
        }
        for s in switches
    ]
    waves = [
        {"number": w.number, "name": w.name, "organizations": wave_counts.get(w.number, 0)}
        for w in Wave.objects.order_by("number")
    ]
    if wave_counts.get(None):
        waves.append({"number": None, "name": "No wave yet", "organizations": wave_counts[None]})
    users = User.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        superusers=Count("pk", filter=Q(is_active=True, is_superuser=True)),
    )
    ocm = OCMAccess.objects.filter(is_active=True).count()
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    sign_ins = attempts.aggregate(
        locked=Count("pk", filter=Q(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)),
        failed=Count("pk"),
    )
    outbox = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(
        pending=Count("pk"),
        late=Count("pk", filter=Q(created_at__lt=now - LATE_AFTER)),
        failing=Count("pk", filter=Q(attempts__gt=0)),
        oldest=Min("created_at"),
    )
    mail = Notification.objects.filter(
        emailed_at__isnull=True, delivery=Delivery.IMMEDIATE
    ).aggregate(
        late=Count("pk", filter=Q(created_at__lt=now - LATE_AFTER)),
        failing=Count("pk", filter=Q(email_attempts__gt=0)),
    )
    return Overview(
        computed_at=now,
        organizations=len(organizations),
        by_status=[(label, status_counts.get(value, 0)) for value, label in labels.items()],
        waves=waves,
        modules=modules,
        users=users["active"],
        superusers=users["superusers"],
        ocm_users=ocm,
        locked_out=sign_ins["locked"],
        failed_sign_ins=sign_ins["failed"],
        outbox_pending=outbox["pending"],
        outbox_late=outbox["late"],
        outbox_failing=outbox["failing"],
        outbox_oldest=outbox["oldest"],
        emails_late=mail["late"],
        emails_failing=mail["failing"],
    )


def overview() -> Overview:
    return versioned_cache.cached("tenancy", ["system-overview"], _compute, timeout=60)
