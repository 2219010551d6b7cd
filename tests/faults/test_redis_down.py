"""Redis down: users still sign in, read and save; queued work is kept and runs when it's back."""

from __future__ import annotations

import pytest
import redis
from celery import current_app
from django.urls import reverse

from core import outbox
from organizations import importing
from organizations.models import Department, Membership, OutboxMessage

from .conftest import free_port, private_redis, use_broker

pytestmark = pytest.mark.django_db
HEADER = "email,first_name,last_name,organization,role,department,position,phone\n"


@pytest.fixture
def broker_on_closed_port(settings):
    port = free_port()
    previous = current_app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    use_broker(settings.CELERY_BROKER_URL)
    yield port
    use_broker(previous)


def test_a_save_with_the_broker_down_keeps_the_work_then_publishes_it(
    client, alice, broker_on_closed_port, django_capture_on_commit_callbacks
):
    importing.commit(HEADER + "new.nurse@moh.gov.ph,Ana,Cruz,MOH,viewer,,,\n", alice)
    OutboxMessage.objects.all().delete()  # the import's own invitation message; start clean
    membership = Membership.objects.get(user__email="new.nurse@moh.gov.ph")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:member-invite", args=[membership.public_id]), follow=True
        )
    assert response.status_code == 200
    assert "A new invitation link was sent" in response.content.decode()
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1
    assert "Connection refused" in message.last_error or "connecting" in message.last_error
    assert outbox.relay() == 0  # still down: kept

    with private_redis(broker_on_closed_port):
        assert outbox.relay() == 1
        message.refresh_from_db()
        assert message.sent_at is not None
        queued = redis.Redis(port=broker_on_closed_port).llen("default")
        assert queued == 1  # the task waits in the queue for a worker


def test_with_redis_cache_down_users_sign_in_read_and_save(client, alice, olga, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    response = client.post(reverse("login"), {"username": alice.email, "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.get(reverse("organizations:member-list")).status_code == 200
    response = client.post(reverse("organizations:department-create"), {"name": "Records"})
    assert response.status_code == 302 and Department.objects.filter(name="Records").exists()
    client.force_login(olga)
    assert client.get(reverse("ocm:dashboard")).status_code == 200


def test_import_page_explains_a_delayed_job(
    client, alice, broker_on_closed_port, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organizations.models import ImportJob

    client.force_login(alice)
    client.post(
        reverse("organizations:user-import"),
        {
            "file": SimpleUploadedFile(
                "s.csv", (HEADER + "a.b@moh.gov.ph,A,B,MOH,viewer,,,\n").encode(), "text/csv"
            )
        },
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:user-import-commit", args=[job.public_id]))
    page = client.get(reverse("organizations:user-import-job", args=[job.public_id]))
    assert "queue is unavailable right now" in page.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED  # kept, not lost, not failed
