"""Celery tasks of the notification service: thin, idempotent, each calling a service."""

from __future__ import annotations

import logging

from celery import shared_task

from . import reminders, service

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def fan_out_task(payload: dict) -> int:
    """One event → its notifications (and the e-mails of those who want them at once)."""
    return service.fan_out(payload)


@shared_task(acks_late=True)
def send_emails_task(notification_ids: list[int]) -> int:
    return service.send_emails(notification_ids)


@shared_task(acks_late=True)
def retry_emails() -> int:
    """Beat: e-mails a mail server refused are tried again."""
    return service.retry_emails()


@shared_task(acks_late=True)
def send_digests() -> int:
    """Beat (daily): the daily digest e-mails."""
    return service.send_digests()


@shared_task(acks_late=True)
def send_reminders() -> dict[str, int]:
    """Beat (daily): reminders and escalation (notifications/reminders.py); idempotent."""
    counts = reminders.run_all()
    logger.info("notifications: reminders %s", counts)
    return counts
