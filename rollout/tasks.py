"""Celery tasks of the rollout app. Every one is idempotent: a second run does nothing more."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone

from .policy import ROLLOUT_TEAM_GROUP


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=10)
def send_feedback_notification(notification_id: int) -> bool:
    """E-mail the reporter about a change to their report, once (the row is locked and marked).
    A mail server that is down raises: the task is retried later and nothing is lost."""
    from .models import FeedbackNotification

    with transaction.atomic():
        notification = (
            FeedbackNotification.objects.select_for_update()
            .select_related("feedback__reporter")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        feedback = notification.feedback
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "rollout:feedback-detail", kwargs={"public_id": feedback.public_id}
        )
        send_mail(
            subject=f"Your BMMS report: {feedback.get_status_display()}",
            message=f"{notification.message}\n\nSee it here: {link}\n",
            from_email=None,
            recipient_list=[feedback.reporter.email],
        )
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    return True


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=10)
def notify_go_live_blocked(attempt_id: int) -> bool:
    """Tell the rollout team (once) what blocks an organization's go-live."""
    from .models import GoLiveAttempt

    with transaction.atomic():
        attempt = (
            GoLiveAttempt.objects.select_for_update()
            .select_related("organization")
            .filter(pk=attempt_id, notified_at__isnull=True)
            .first()
        )
        if attempt is None:
            return False
        team = list(
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=ROLLOUT_TEAM_GROUP))
            .values_list("email", flat=True)
            .distinct()
        )
        if team:
            items = "\n".join(f"- {item}" for item in attempt.blocking_items)
            send_mail(
                subject=f"Go-live of {attempt.organization.code} blocked",
                message=(
                    f"{attempt.organization.name} was due to go live on "
                    f"{formats.date_format(attempt.go_live_date, 'j M Y')}. "
                    "Nothing was switched on, because:\n\n"
                    f"{items}\n\nThe scheduler tries again every hour once these are fixed."
                ),
                from_email=None,
                recipient_list=sorted(team),
            )
        attempt.notified_at = timezone.now()
        attempt.save(update_fields=["notified_at"])
    return True


@shared_task
def run_go_live() -> dict[str, int]:
    """Beat: take every organization whose go-live date has come live (or report why not)."""
    from .golive import run_due

    return run_due()


@shared_task
def aggregate_adoption(day: str | None = None) -> int:
    """Beat: fold yesterday's (or `day`'s) Redis counters into AdoptionDaily rows (upsert)."""
    from .adoption import aggregate

    target = (
        datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(1)
    )
    return aggregate(target)
