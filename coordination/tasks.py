"""Celery tasks of the coordination app: thin, idempotent, each calling a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import services
from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def flag_overdue_milestones() -> int:
    """Daily (beat): notify the people responsible for milestones that just became overdue."""
    flagged = services.milestones_flag_overdue()
    logger.info("coordination: %s milestone(s) newly overdue", flagged)
    return flagged


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail notifications not yet e-mailed (Django's configured backend; console by default).

    Idempotent: `emailed_at` is set per notification, so a retried task never sends twice.
    A failing mail server is logged and leaves `emailed_at` empty; the in-app notice stays.
    """
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            continue
        link = (
            f"\n\nOpen it in the BMMS portal: {base}{notification.url}" if notification.url else ""
        )
        try:
            send_mail(
                subject=f"[BMMS] {notification.get_verb_display()}",
                message=f"{notification.text}{link}\n",
                from_email=None,
                recipient_list=[recipient.email],
            )
        except OSError:  # smtplib errors are OSErrors
            logger.exception("could not e-mail notification %s", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
