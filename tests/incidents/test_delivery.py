"""Delivery through real parts: a mail server that is down (a closed local port), and the HTTP
SMS gateway adapter against a real local HTTP server. Nothing is lost; the row shows
"failed, retrying"; the retry task sends it once the server is back, and only once."""

from __future__ import annotations

import datetime
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from incidents import services
from incidents.models import CallTreeEntry, Notification
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


class Gateway:
    """A local SMS gateway: records what it receives, answers `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers["Content-Length"])
                gateway.received.append(
                    {
                        "body": json.loads(self.rfile.read(length)),
                        "auth": self.headers.get("Authorization"),
                        "type": self.headers.get("Content-Type"),
                    }
                )
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def now():
    """Deliveries queued by the services run as tasks on the server clock (no `now`), so these
    tests keep their clock next to it."""
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.INCIDENTS_SMS_SENDER = "incidents.sms.HttpGatewaySender"
    settings.INCIDENTS_SMS_GATEWAY_URL = server.url
    settings.INCIDENTS_SMS_GATEWAY_TOKEN = "gateway-secret"
    settings.INCIDENTS_SMS_GATEWAY_TIMEOUT_SECONDS = 2
    yield server
    server.close()


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 1


def test_sms_goes_through_the_http_gateway(
    setup, org_a, carol, now, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = declare(carol, org_a, now=now)
    assert len(gateway.received) == 1
    request = gateway.received[0]
    assert request["auth"] == "Bearer gateway-secret"
    assert request["type"] == "application/json"
    assert request["body"]["to"] == "+639170000001"
    assert request["body"]["sender"] == "BMMS"
    assert "Flood at the main office" in request["body"]["message"]
    assert "/incidents/ack/" in request["body"]["message"]
    aisah = incident.call_tree_entries.get(name="Aisah Usman")
    assert aisah.sms_state == CallTreeEntry.Delivery.SENT


def test_a_gateway_error_is_kept_and_retried_until_it_works(
    setup, org_a, carol, now, gateway, django_capture_on_commit_callbacks
):
    gateway.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        incident = declare(carol, org_a, now=now)
    aisah = incident.call_tree_entries.get(name="Aisah Usman")
    assert aisah.sms_state == CallTreeEntry.Delivery.FAILED
    assert aisah.get_sms_state_display() == "Failed, retrying"
    assert "503" in aisah.last_error
    sms = Notification.objects.get(incident=incident, channel="sms")
    assert (sms.state, sms.attempts) == ("failed", 1)
    # Too early for the retry (a minute between attempts), then the gateway is back.
    assert services.notifications_retry(now=now) == 0
    gateway.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notifications_retry(now=now + 2 * MIN) == 1
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == ("sent", 2)
    aisah.refresh_from_db()
    assert aisah.sms_state == CallTreeEntry.Delivery.SENT
    assert len(gateway.received) == 2  # the failed attempt and the one that worked
    # Sent: a duplicate delivery (redelivered task) sends nothing.
    assert services.notification_deliver(sms.pk) == "sent"
    assert len(gateway.received) == 2


def test_an_unreachable_gateway_fails_the_same_way(
    setup, org_a, carol, now, settings, django_capture_on_commit_callbacks
):
    settings.INCIDENTS_SMS_SENDER = "incidents.sms.HttpGatewaySender"
    settings.INCIDENTS_SMS_GATEWAY_URL = f"http://127.0.0.1:{_closed_port()}/send"
    with django_capture_on_commit_callbacks(execute=True):
        incident = declare(carol, org_a, now=now)
    sms = Notification.objects.get(incident=incident, channel="sms")
    assert sms.state == "failed" and "unreachable" in sms.last_error


def test_mail_server_down_loses_nothing_and_the_page_still_works(
    setup,
    org_a,
    carol,
    now,
    mail_server_down,
    settings,
    client,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = declare(carol, org_a, now=now)
    emails = Notification.objects.filter(incident=incident, channel="email")
    assert sorted(emails.values_list("state", flat=True)) == ["failed", "failed"]
    aisah = incident.call_tree_entries.get(name="Aisah Usman")
    assert aisah.email_state == CallTreeEntry.Delivery.FAILED
    assert aisah.sms_state == CallTreeEntry.Delivery.SENT  # the other channel is unaffected
    client.force_login(carol)
    page = client.get(f"/incidents/{incident.public_id}/")
    assert page.status_code == 200
    assert "E-mail: Failed, retrying" in page.content.decode()
    # The mail server is back: the retry task sends each message once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notifications_retry(now=now + 2 * MIN) == 2
    assert services.notifications_retry(now=now + 4 * MIN) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["aisah@example.gov.ph", "bai@example.gov.ph"]
    assert set(emails.values_list("state", flat=True)) == {"sent"}


def test_retrying_gives_up_after_the_last_attempt(setup, org_a, carol, now, mail_server_down):
    incident = declare(carol, org_a, now=now)
    notification = Notification.objects.filter(incident=incident, channel="email").first()
    for minute in range(services.MAX_ATTEMPTS):
        services.notification_deliver(notification.pk, now=now + minute * 2 * MIN)
    notification.refresh_from_db()
    assert notification.state == "gave_up"
    assert notification.attempts == services.MAX_ATTEMPTS
    assert services.notifications_retry(now=now + 60 * MIN) == 0
