"""Reads of the incidents app, scoped to a user, with constant query counts.

The live board is read through a version token per incident (core/versioned_cache.py):
every write to the incident or its rows replaces the token (`bump_board`, connected in apps.py),
and the polled board answers 304 while the token, the minute and the user's buttons are the
same; otherwise the rendered fragment is shared by everyone with the same buttons.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q

from core import versioned_cache

from .models import (
    SEVERITY_RANK,
    CallTreeEntry,
    Incident,
    LogEntry,
    RecoveryItem,
    VendorStatus,
)

#: Namespace of every incident list (per organization and the OCM board).
LIST_NAMESPACE = "incidents"
META_SECONDS = 24 * 60 * 60
BOARD_SECONDS = 120
LOG_ON_BOARD = 200


def board_namespace(public_id) -> str:
    """The version-token namespace of one incident's board, by its public id (what the polled
    URL carries), so a poll reads the token and the incident's organization in one round trip."""
    return f"incident:{public_id}"


def _incident_public_id(instance: Any):
    if isinstance(instance, Incident):
        return instance.public_id
    if hasattr(instance, "incident_id"):
        return instance.incident.public_id  # cached on rows the services create
    if hasattr(instance, "review_id"):
        return instance.review.incident.public_id
    return None


def bump_board(sender: Any = None, instance: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance is None:
        return
    action = kwargs.get("action")
    if action is not None and action.startswith("pre_"):
        return
    public_id = _incident_public_id(instance)
    if public_id is None:
        return
    versioned_cache.bump(board_namespace(public_id))
    versioned_cache.bump(LIST_NAMESPACE)


# --- lists ---------------------------------------------------------------------------------------


def incidents_for(user: Any, organization: Any):
    """The organization's incidents the user may see, open first, newest first."""
    return (
        Incident.objects.for_user(user, "view")
        .filter(organization=organization)
        .annotate(
            disrupted=Count(
                "recovery_items",
                filter=~Q(recovery_items__status=RecoveryItem.Status.RECOVERED),
                distinct=True,
            ),
        )
        .order_by("status", "-started_at", "-id")
    )


def incident_for(user: Any, public_id) -> Incident:
    """One incident the user may see (404 otherwise), with what its pages print."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Incident.objects.for_user(user, "view").select_related(
            "organization", "commander", "declared_by", "closed_by"
        ),
        public_id=public_id,
    )


# --- the board -----------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: RecoveryItem
    elapsed: int
    breach: str
    waiting_for: list[str]


@dataclass
class Board:
    incident: Incident
    now: datetime.datetime
    items: list[ItemRow]
    calls: list[CallTreeEntry]
    vendors: list[VendorStatus]
    log: list[LogEntry]
    log_total: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def board(incident: Incident, now: datetime.datetime) -> Board:
    """Everything the recovery board shows, computed against the server's `now` (6 queries
    whatever the number of rows)."""
    items = list(
        RecoveryItem.objects.filter(incident=incident)
        .select_related("process")
        .prefetch_related(
            Prefetch("process__depends_on", to_attr="deps"),
            Prefetch("process__vendors", to_attr="vendor_list"),
        )
    )
    vendors = list(VendorStatus.objects.filter(incident=incident))
    calls = list(CallTreeEntry.objects.filter(incident=incident).select_related("alternate_for"))
    log = list(
        LogEntry.objects.filter(incident=incident).order_by("-created_at", "-id")[:LOG_ON_BOARD]
    )
    down_by_process = {i.process_id: i for i in items if not i.is_recovered}
    down_vendors = {v.vendor_id: v.name for v in vendors if v.is_down}
    rows = []
    for item in items:
        waiting = [
            f"{dep.name} (process, {dep.get_status_display().lower()})"
            for dep in (down_by_process.get(d.pk) for d in item.process.deps)
            if dep is not None
        ]
        waiting += [
            f"{down_vendors[v.pk]} (vendor, down)"
            for v in item.process.vendor_list
            if v.pk in down_vendors
        ]
        rows.append(
            ItemRow(
                item=item,
                elapsed=item.elapsed_minutes(now),
                breach="" if item.is_recovered else item.breach(now),
                waiting_for=[] if item.is_recovered else waiting,
            )
        )
    primaries = [c for c in calls if not c.is_standby]
    counts = {
        "processes": len(items),
        "recovered": sum(1 for i in items if i.is_recovered),
        "past_rto": sum(1 for r in rows if r.breach == "rto"),
        "past_mtpd": sum(1 for r in rows if r.breach == "mtpd"),
        "calls": len(primaries),
        "acknowledged": sum(1 for c in calls if c.status == CallTreeEntry.Status.ACKNOWLEDGED),
        "failed": sum(1 for c in calls if c.delivery_failed),
    }
    return Board(
        incident=incident,
        now=now,
        items=rows,
        calls=calls,
        vendors=vendors,
        log=log,
        log_total=len(log),
        counts=counts,
    )


def _meta_key(public_id) -> str:
    return f"incidents:meta:{public_id}"


def board_state(public_id) -> tuple[int | None, str | None]:
    """(organization id, board token) of an incident from one cache round trip; the organization
    never changes, so it is read from the database only the first time (None: no such
    incident). The token is None without a cache (then every poll is rendered)."""
    namespace = board_namespace(public_id)
    found = cache.get_many([_meta_key(public_id), versioned_cache.version_key(namespace)])
    organization_id = found.get(_meta_key(public_id))
    if organization_id is None:
        organization_id = (
            Incident.objects.filter(public_id=public_id)
            .values_list("organization_id", flat=True)
            .first()
        )
        if organization_id is None:
            return None, None
        cache.set(_meta_key(public_id), organization_id, META_SECONDS)
    return organization_id, versioned_cache.current_version(namespace, found)


def board_etag(token: str | None, minute: int, permissions_key: str) -> str | None:
    """Weak validator of the board a user sees: the incident's token, the minute (the clocks
    move) and the buttons offered."""
    if token is None:
        return None
    digest = hashlib.sha256(f"{token}|{minute}|{permissions_key}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def cached_fragment(etag: str) -> str | None:
    return cache.get(f"incidents:board:{etag}")


def store_fragment(etag: str, html: str) -> None:
    cache.set(f"incidents:board:{etag}", html, BOARD_SECONDS)


# --- OCM -----------------------------------------------------------------------------------------


@dataclass
class OcmRow:
    incident: Incident
    past_rto: list[str]
    past_mtpd: list[str]
    calls: int
    acknowledged: int

    @property
    def coverage(self) -> int | None:
        return round(100 * self.acknowledged / self.calls) if self.calls else None


def ocm_board(now: datetime.datetime) -> dict[str, Any]:
    """Open incidents of every organization, worst first: real ones, then exercises apart
    (three queries whatever the number of incidents)."""
    incidents = list(
        Incident.objects.filter(status=Incident.Status.OPEN)
        .select_related("organization")
        .annotate(
            calls=Count(
                "call_tree_entries",
                filter=Q(call_tree_entries__alternate_for__isnull=True),
                distinct=True,
            ),
            acknowledged=Count(
                "call_tree_entries",
                filter=Q(call_tree_entries__status=CallTreeEntry.Status.ACKNOWLEDGED),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "recovery_items",
                queryset=RecoveryItem.objects.exclude(status=RecoveryItem.Status.RECOVERED),
                to_attr="down",
            )
        )
    )
    rows = []
    for incident in incidents:
        rows.append(
            OcmRow(
                incident=incident,
                past_rto=[i.name for i in incident.down if i.breach(now) == "rto"],
                past_mtpd=[i.name for i in incident.down if i.breach(now) == "mtpd"],
                calls=incident.calls,
                acknowledged=incident.acknowledged,
            )
        )
    rows.sort(
        key=lambda r: (-SEVERITY_RANK[r.incident.severity], r.incident.started_at, r.incident.pk)
    )
    real = [r for r in rows if not r.incident.is_exercise]
    by_severity = {
        level: sum(1 for r in real if r.incident.severity == level)
        for level in reversed(list(SEVERITY_RANK))
    }
    return {
        "real": real,
        "exercises": [r for r in rows if r.incident.is_exercise],
        "by_severity": by_severity,
        "past_rto": sum(len(r.past_rto) for r in real),
        "past_mtpd": sum(len(r.past_mtpd) for r in real),
    }


def ocm_summary(now: datetime.datetime) -> dict[str, int]:
    """The OCM dashboard's incident tile (real incidents only), cached per minute under the
    lists' token."""
    minute = int(now.timestamp() // 60)

    def compute() -> dict[str, int]:
        data = ocm_board(now)
        return {
            "open": len(data["real"]),
            "critical": data["by_severity"]["critical"],
            "past_rto": data["past_rto"],
            "past_mtpd": data["past_mtpd"],
            "exercises": len(data["exercises"]),
        }

    return versioned_cache.cached(LIST_NAMESPACE, ["ocm-summary", minute], compute, 120)
