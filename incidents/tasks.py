"""Celery tasks of the incidents app: thin, load by id or take `now`, call a service.

All idempotent: delivery locks the notification row and skips a sent one; escalation and breach
alerts change the row's state (or set an alerted-at time) under a lock, so a second run, a
re-delivered message or two beat processes never send anything twice.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="incidents.tasks.deliver_notification", acks_late=True)
def deliver_notification(notification_id: int) -> str:
    """Send one e-mail or SMS (queued through the outbox when the incident changes)."""
    return services.notification_deliver(notification_id)


@shared_task(name="incidents.tasks.escalate_unacknowledged", acks_late=True)
def escalate_unacknowledged() -> int:
    """Beat, every minute: contacts past the response time → their alternates."""
    return services.escalate_due()


@shared_task(name="incidents.tasks.check_recovery_breaches", acks_late=True)
def check_recovery_breaches() -> int:
    """Beat, every minute: processes past RTO or MTPD → the organization's admins."""
    return services.breaches_check()


@shared_task(name="incidents.tasks.retry_notifications", acks_late=True)
def retry_notifications() -> int:
    """Beat, every minute: e-mails and SMS that failed are tried again."""
    return services.notifications_retry()
