"""Accounts: the signed-in sessions a person can see on their profile and end."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserSession(models.Model):
    """One signed-in browser: written at sign-in, its last activity refreshed at most once a
    minute (core.sessions.IdleTimeoutMiddleware), removed at sign-out.

    The session itself lives in Django's session store; this row only says whose it is and
    where it came from, so a person's sessions are listed and ended without decoding every
    session of the portal. A row whose session is gone (expired) is not shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.session_key[:6]}…"
