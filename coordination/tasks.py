"""Celery tasks of the coordination app: thin, idempotent, each calling a service."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def flag_overdue_milestones() -> int:
    """Notify the people responsible for milestones that just became overdue. Beat runs it as
    part of notifications.tasks.send_reminders (kept for messages already queued)."""
    flagged = services.milestones_flag_overdue()
    logger.info("coordination: %s milestone(s) newly overdue", flagged)
    return flagged
