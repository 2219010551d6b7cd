"""Notification e-mails through Django's real SMTP backend, against a small SMTP server on
loopback: one mail session per batch (not one per message), and a server that is down leaves
every row for the retry."""

from __future__ import annotations

import socket
import socketserver
import threading

import pytest

from notifications import service
from notifications.models import Delivery, Notification
from tests.factories import UserFactory


class _Session(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        server.sessions += 1
        self.wfile.write(b"220 test ESMTP\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    server.messages += 1
                    self.wfile.write(b"250 queued\r\n")
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
    server.daemon_threads = True
    server.sessions = server.messages = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _notifications(n: int) -> list[int]:
    rows = [
        Notification.objects.create(
            recipient=UserFactory(email=f"reader{i}@smtp.test.bmms"),
            category="budgeting",
            verb="budget.proposal_submitted",
            text="A budget proposal waits for your decision",
            url="/budgeting/",
            event_key=f"smtp-test-{i}",
            delivery=Delivery.IMMEDIATE,
        )
        for i in range(n)
    ]
    return [r.pk for r in rows]


@pytest.mark.django_db
def test_a_batch_is_one_smtp_session(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ids = _notifications(3)
    assert service.send_emails(ids) == 3
    assert (smtp_server.sessions, smtp_server.messages) == (1, 3)
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count() == 3


@pytest.mark.django_db
def test_a_server_that_is_down_leaves_every_row_for_the_retry(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    ids = _notifications(2)
    assert service.send_emails(ids) == 0
    rows = Notification.objects.filter(pk__in=ids)
    assert all(r.emailed_at is None and r.email_attempts == 1 for r in rows)
