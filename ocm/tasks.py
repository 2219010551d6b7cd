"""Celery tasks of the OCM app."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from . import services


@shared_task(acks_late=True)
def refresh_summaries() -> None:
    """Recompute the dashboard's summary tables (after writes, and periodically by beat).

    The pending mark goes first: a write committed from here on queues the next refresh, one
    committed before is read by this one."""
    cache.delete(services.PENDING_KEY)
    services.refresh()
