"""The public status page: from the health checks, nothing internal, maintenance ahead."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable

from organizations.models import OutboxMessage
from rollout import services, status

pytestmark = pytest.mark.django_db


def test_everything_operational_for_anonymous_visitors(client):
    response = client.get(reverse("status"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "All services are working." in page
    assert page.count("Operational") == 3 and "Disrupted" not in page
    assert "Sign out" not in page


def test_a_failing_check_says_disrupted_and_nothing_more(client, monkeypatch):
    def broken(self):
        raise ServiceUnavailable("db-primary-7.internal refused the connection")

    monkeypatch.setattr(Database, "run", broken)
    page = client.get(reverse("status")).content.decode()
    assert "Some services are disrupted." in page and "Disrupted" in page
    assert "db-primary-7" not in page and "refused" not in page


def test_background_work_stuck_in_the_outbox_is_disrupted(db):
    message = OutboxMessage.objects.create(task_name="x.y")
    assert status.compute()["background"] is True
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert status.compute()["background"] is False


def test_mail_that_cannot_connect_is_disrupted(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens
    assert status.compute()["email"] is False


def test_result_is_cached_so_the_page_cannot_load_the_servers(client, monkeypatch):
    client.get(reverse("status"))
    calls = []
    monkeypatch.setattr(status, "compute", lambda: calls.append(1) or {})  # would break the page
    client.get(reverse("status"))
    assert calls == []


def test_public_maintenance_only(client, root, org_a):
    now = timezone.now()
    common = {
        "body": "",
        "severity": "maintenance",
        "wave": None,
        "starts_at": now + datetime.timedelta(days=1),
        "ends_at": now + datetime.timedelta(days=1, hours=2),
    }
    services.announcement_create(
        actor=root, title="Database upgrade", audience="everyone", organization=None, **common
    )
    services.announcement_create(
        actor=root, title="MOH records move", audience="organization", organization=org_a, **common
    )
    services.announcement_create(
        actor=root,
        title="New look",
        audience="everyone",
        organization=None,
        **{**common, "severity": "info"},
    )
    page = client.get(reverse("status")).content.decode()
    assert "Database upgrade" in page
    assert "MOH records move" not in page and "New look" not in page
