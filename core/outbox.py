"""Queueing background work so that a broker outage loses nothing (a transactional outbox).

`enqueue(task, *args)` records the task in the current transaction and publishes it right after
the commit. When Redis is down, publishing fails fast, the row stays pending and the user's
request still succeeds; `relay()` (beat, every minute) publishes pending rows when Redis is back.
Without a broker (laptop demo, tests) tasks simply run in-process after the commit.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organizations.models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Run `task(*args, **kwargs)` in the background once the current transaction commits."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: task.delay(*args, **kwargs))
        return
    message = OutboxMessage.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: publish(message.pk))


def publish(message_id: int) -> bool:
    """Publish one pending message; on a broker error keep it pending and say why."""
    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return True
    try:
        current_app.send_task(
            message.task_name, args=message.args, kwargs=message.kwargs, retry=False
        )
    except Exception as exc:  # noqa: BLE001 - any broker failure keeps the message for the relay
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=str(exc)[:500]
        )
        logger.warning("Queue unavailable, %s kept for later: %s", message.task_name, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())
    return True


def relay(limit: int = 500) -> int:
    """Publish pending messages, oldest first; stop at the first failure. Returns how many."""
    sent = 0
    for message_id in OutboxMessage.objects.filter(sent_at__isnull=True).values_list(
        "pk", flat=True
    )[:limit]:
        if not publish(message_id):
            break
        sent += 1
    return sent


def pending_count() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()
