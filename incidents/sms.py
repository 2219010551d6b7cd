"""Pluggable SMS senders (`INCIDENTS_SMS_SENDER`, a dotted path).

* `incidents.sms.ConsoleSender` (default): writes the message to the log, keeps the last ones in
  memory (`ConsoleSender.sent`), sends nothing.
* `incidents.sms.HttpGatewaySender`: POSTs JSON ``{"to": ..., "message": ..., "sender": ...}``
  to `INCIDENTS_SMS_GATEWAY_URL` with ``Authorization: Bearer INCIDENTS_SMS_GATEWAY_TOKEN``;
  any answer other than 2xx, a timeout or a refused connection raises `SmsError`, so the
  notification is kept as "failed, retrying".
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections import deque

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The SMS could not be handed to the gateway."""


class ConsoleSender:
    sent: deque[tuple[str, str]] = deque(maxlen=200)

    def send(self, to: str, message: str) -> None:
        logger.info("SMS to %s: %s", to, message)
        self.sent.append((to, message))


class HttpGatewaySender:
    def __init__(self) -> None:
        self.url = settings.INCIDENTS_SMS_GATEWAY_URL
        self.token = settings.INCIDENTS_SMS_GATEWAY_TOKEN
        self.sender_id = settings.INCIDENTS_SMS_SENDER_ID
        self.timeout = settings.INCIDENTS_SMS_GATEWAY_TIMEOUT_SECONDS
        if not self.url:
            raise SmsError("INCIDENTS_SMS_GATEWAY_URL is not set.")

    def send(self, to: str, message: str) -> None:
        body = json.dumps({"to": to, "message": message, "sender": self.sender_id}).encode()
        request = urllib.request.Request(  # noqa: S310 - the operator's configured gateway
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            raise SmsError(f"SMS gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from exc


def get_sender():
    return import_string(settings.INCIDENTS_SMS_SENDER)()
