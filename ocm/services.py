"""Writes of the OCM app: refreshing the summary tables (the only thing the OCM app writes)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .aggregation import compute_all
from .models import GovernmentSummary, OrganizationSummary

logger = logging.getLogger(__name__)
CACHE_KEY = "ocm:dashboard"
#: Set while a refresh is queued: writes meanwhile are covered by it and queue nothing more.
PENDING_KEY = "ocm:refresh-pending"


@transaction.atomic
def refresh() -> None:
    """Recompute every summary row from the base tables (a few grouped queries, two writes)."""
    per_org, totals = compute_all()
    now = timezone.now()
    OrganizationSummary.objects.bulk_create(
        [
            OrganizationSummary(organization_id=pk, data=data, computed_at=now)
            for pk, data in per_org.items()
        ],
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=["data", "computed_at"],
    )
    OrganizationSummary.objects.exclude(organization_id__in=per_org).delete()
    GovernmentSummary.objects.update_or_create(
        key="government", defaults={"data": totals, "computed_at": now}
    )
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _enqueue_refresh() -> None:
    """Queue one refresh, OCM_REFRESH_DELAY_SECONDS from now, unless one is queued already.

    A burst of writes across many requests (editors saving goals all day) thus costs one
    recomputation per delay, not one per write: the queued refresh reads every write committed
    before it starts, and it clears the pending mark first, so a write after that queues the next.
    The mark expires on its own should a queued refresh ever be lost."""
    from .tasks import refresh_summaries

    delay = settings.OCM_REFRESH_DELAY_SECONDS
    if not cache.add(PENDING_KEY, True, timeout=delay + 300):
        return
    try:
        refresh_summaries.apply_async(countdown=delay)
    except Exception:  # noqa: BLE001 - the user's change is saved; beat refreshes within 10 min
        cache.delete(PENDING_KEY)
        logger.warning(
            "Could not queue the OCM summary refresh; beat will catch up.", exc_info=True
        )


def schedule_refresh() -> None:
    """Ask for a refresh when the current transaction commits (however many rows it wrote);
    nothing when it rolls back."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _enqueue_refresh for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_refresh)
