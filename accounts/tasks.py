"""Celery tasks of self-service accounts: thin wrappers (the address travels, nothing else)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_password_reset(email: str) -> int:
    return services.send_reset(email)
