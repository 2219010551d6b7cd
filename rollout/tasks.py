"""Celery tasks of the rollout app. Every one is idempotent: a second run does nothing more."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone


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
