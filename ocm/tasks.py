"""Celery tasks of the OCM app."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def refresh_summaries() -> None:
    """Recompute the dashboard's summary tables (after writes, and periodically by beat)."""
    services.refresh()
