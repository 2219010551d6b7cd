"""Fixtures of the notification tests: run what a request leaves for after its commit (the
fan-out task and the e-mails, in-process without a broker) and read who was told."""

from __future__ import annotations

import pytest

from notifications.models import Notification


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    """`with events(): ...` runs the work queued on commit (fan-out, e-mails) at the end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def told(verb: str) -> list[str]:
    """E-mail addresses of everyone notified of an event, sorted."""
    return sorted(Notification.objects.filter(verb=verb).values_list("recipient__email", flat=True))
