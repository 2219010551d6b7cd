"""Reads of the rollout app, scoped to the user (core.tenancy and rollout.policy)."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format

from core.tenancy import tenancy_of
from organizations.models import Organization

from . import policy
from .models import AdoptionDaily, Announcement, Enrolment, Feedback

INACTIVE_DAYS = 14


def announcements_visible_to(user: Any):
    """Announcements that reach the user (a foreign organization's are a 404)."""
    profile = tenancy_of(user)
    if profile.sees_everything("view"):
        return Announcement.objects.all()
    org_ids = [m.organization_id for m in profile.memberships]
    waves = [
        m.organization.rollout_wave for m in profile.memberships if m.organization.rollout_wave
    ]
    return Announcement.objects.filter(
        Q(audience=Announcement.Audience.EVERYONE)
        | Q(audience=Announcement.Audience.WAVE, wave__in=waves)
        | Q(audience=Announcement.Audience.ORGANIZATION, organization__in=org_ids)
    )


def announcements_managed_by(user: Any):
    allowed = policy.announcement_organizations(user)
    rows = Announcement.objects.select_related("organization").order_by("-starts_at", "-pk")
    if allowed is None:
        return rows
    return rows.filter(audience=Announcement.Audience.ORGANIZATION, organization__in=allowed)


def feedback_for(user: Any, status: str = ""):
    """The triage board: everything for the rollout team, the organization's reports for its
    admins, one's own reports for everyone else."""
    rows = Feedback.objects.select_related("organization", "reporter", "owner")
    if not policy.is_rollout_team(user):
        admin_of = tenancy_of(user).organization_ids("admin")
        rows = rows.filter(Q(organization__in=admin_of) | Q(reporter=user))
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def enrolments_visible(user: Any, session: Any):
    """Who is on a session's list, as far as the user may know."""
    rows = session.enrolments.select_related("user", "organization").order_by("created_at", "pk")
    if policy.can_take_attendance(user, session):
        return rows
    admin_of = tenancy_of(user).organization_ids("admin")
    return rows.filter(Q(organization__in=admin_of) | Q(user=user))


def training_completion(organization_ids: list[int]) -> dict[int, dict[str, int]]:
    """organization → role → people who attended at least one session."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Enrolment.objects.filter(organization__in=organization_ids, attended=True)
        .values_list("organization", "role", "user")
        .distinct()
    )
    for org_id, role, _user in rows:
        result[org_id][role] = result[org_id].get(role, 0) + 1
    return result


def adoption_by_wave(days: int = 14) -> dict[str, Any]:
    """Chart data: active users a day per wave (sum over organizations), the last `days`
    complete days (today is aggregated tomorrow)."""
    since = timezone.localdate() - datetime.timedelta(days=days + 1)
    rows = (
        AdoptionDaily.objects.filter(day__gt=since, module="all")
        .values("day", "organization__rollout_wave")
        .annotate(users=Sum("active_users"), writes=Sum("writes"))
        .order_by("day")
    )
    labels = [since + datetime.timedelta(days=i) for i in range(1, days + 1)]  # to yesterday
    series: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for row in rows:
        wave = row["organization__rollout_wave"]
        series[f"Wave {wave}" if wave else "No wave"][row["day"]] = row["users"]
    return {
        "labels": [date_format(d, "j M") for d in labels],
        "datasets": [
            {"label": name, "values": [values.get(d, 0) for d in labels]}
            for name, values in sorted(series.items())
        ],
    }


def adoption_table(days: int = 14) -> list[dict[str, Any]]:
    """Per module over the last `days` days: requests, writes, and the median of the daily
    median page times (the rows are small: days × organizations × roles)."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    rows = (
        AdoptionDaily.objects.filter(day__gt=since)
        .exclude(module="all")
        .values_list("module", "requests", "writes", "median_ms")
    )
    table: dict[str, dict[str, Any]] = {}
    for module, requests, writes, median_ms in rows:
        entry = table.setdefault(module, {"module": module, "requests": 0, "writes": 0, "ms": []})
        entry["requests"] += requests
        entry["writes"] += writes
        if median_ms is not None:
            entry["ms"].append(median_ms)
    for entry in table.values():
        entry["median_ms"] = statistics.median(entry.pop("ms")) if entry["ms"] else None
    return [table[m] for m in sorted(table)]


def inactive_live_organizations(days: int = INACTIVE_DAYS) -> list[Organization]:
    """Live organizations with no active user in the last `days` days (from the aggregates)."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    active = AdoptionDaily.objects.filter(day__gt=since, active_users__gt=0).values("organization")
    return list(
        Organization.objects.filter(
            is_active=True, onboarding_status=Organization.OnboardingStatus.LIVE
        )
        .exclude(pk__in=active)
        .order_by("code")
    )
