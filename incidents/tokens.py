"""Acknowledgment links: `/incidents/ack/<row id>/<token>/`, usable without signing in.

The token is an HMAC (SHA-256, keyed by SECRET_KEY) of the call-tree row's public id and a
random 256-bit nonce stored on the row: it names exactly one row, cannot be guessed, and is
never stored (a copy of the database alone does not give anyone the links). It works once:
an acknowledged row, a row of a stood-down incident, or a wrong token get the same short page
that reveals nothing.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "incidents.ack"


def new_nonce() -> str:
    return secrets.token_hex(32)


def ack_token(entry) -> str:
    digest = salted_hmac(SALT, f"{entry.public_id}:{entry.ack_nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_matches(entry, token: str) -> bool:
    return bool(entry.ack_nonce) and constant_time_compare(ack_token(entry), token)


def ack_path(entry) -> str:
    return reverse("incidents:ack", args=[entry.public_id, ack_token(entry)])


def ack_url(entry) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + ack_path(entry)
