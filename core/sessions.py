"""Session hygiene: an idle timeout, and deactivated users lose every open session at once."""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.utils import timezone

LAST_ACTIVITY_KEY = "_last_activity"
#: Record activity at most this often, so a busy user does not write the session on every click.
ACTIVITY_GRANULARITY = 60


def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


def on_user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if not created and not instance.is_active:
        end_sessions_of(instance.pk)


def end_sessions_of(user_id: int, keep: str | None = None) -> int:
    """Delete every live session of one user (but `keep`, the session asking, if given).

    Sessions live in the database with a copy in the cache (`cached_db`): each is deleted through
    the session engine, which drops both, so no cached copy keeps the user signed in."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.session_key != keep and s.get_decoded().get("_auth_user_id") == str(user_id)
    ]
    for key in keys:
        store(session_key=key).delete(key)  # the row, and with cached_db its cached copy
    return len(keys)


class IdleTimeoutMiddleware:
    """Signs a user out after SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                minutes = settings.SESSION_IDLE_TIMEOUT // 60
                messages.info(
                    request,
                    f"You were signed out after {minutes} minutes without "
                    "activity. Sign in again to continue.",
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= ACTIVITY_GRANULARITY:
                request.session[LAST_ACTIVITY_KEY] = now
                if last is not None:
                    from accounts.sessions import touch

                    touch(request)  # "last seen" on the profile's list of sessions
        return self.get_response(request)
