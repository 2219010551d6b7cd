"""A person's signed-in sessions: recorded at sign-in, listed on the profile, ended on demand.

Ending sessions goes through `core.sessions.end_sessions_of`, which finds every live
session of the user in the session store itself (also those signed in before these rows were
kept), so nothing escapes "sign out everywhere else", a password reset or a deactivation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from core.client import client_ip
from core.sessions import end_sessions_of

from .models import UserSession


def on_login(sender, request: HttpRequest | None, user: Any, **kwargs) -> None:
    """Record the new session (user_logged_in): browser, client address, time."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:300],
            "ip_address": client_ip(request),
            "last_seen_at": timezone.now(),
        },
    )


def on_logout(sender, request: HttpRequest | None, user: Any, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def touch(request: HttpRequest) -> None:
    """The session was active now (called at most once a minute per session)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).update(last_seen_at=timezone.now())


@dataclass
class SignedIn:
    """One session as the profile page shows it."""

    row: UserSession
    current: bool

    @property
    def device(self) -> str:
        return describe_user_agent(self.row.user_agent)

    @property
    def ip_address(self) -> str | None:
        return self.row.ip_address

    @property
    def last_seen_at(self) -> datetime:
        return self.row.last_seen_at

    @property
    def created_at(self) -> datetime:
        return self.row.created_at


def sessions_of(user: Any, current_key: str | None) -> list[SignedIn]:
    """The user's live sessions, the current one first, then by last activity (one query)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    rows = UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen_at")
    result = [SignedIn(row=r, current=r.session_key == current_key) for r in rows]
    result.sort(key=lambda s: not s.current)
    return result


def end_other_sessions(user: Any, keep_key: str | None) -> int:
    """End every session of the user except `keep_key` (the one asking). Returns how many."""
    ended = end_sessions_of(user.pk, keep=keep_key)
    UserSession.objects.filter(user=user).exclude(session_key=keep_key or "").delete()
    return ended


def end_all_sessions(user: Any) -> int:
    ended = end_sessions_of(user.pk)
    UserSession.objects.filter(user=user).delete()
    return ended


_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Chrome", r"(?:Chrome|CriOS)/"),
    ("Chromium", r"Chromium/"),
    ("Firefox", r"(?:Firefox|FxiOS)/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
]


def describe_user_agent(agent: str) -> str:
    """ "Chrome on Windows", from the browser's User-Agent (a rough guide, not a proof)."""
    if not agent:
        return "Unknown browser"
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
