"""Sessions: rotation on login, real logout, deactivation, idle timeout, production cookies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, user, password="pass-word-123"):
    return client.post(reverse("login"), {"username": user.email, "password": password})


def test_session_key_rotates_on_login(client, alice):
    client.get(reverse("login"))
    client.session["probe"] = 1
    before = client.cookies.get("sessionid")
    sign_in(client, alice)
    after = client.cookies["sessionid"].value
    assert after and (before is None or before.value != after)


def test_logout_kills_the_session_on_the_server(client, alice):
    sign_in(client, alice)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # replaying the old cookie gets nothing
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, alice):
    sign_in(client, alice)
    key = client.cookies["sessionid"].value
    alice.is_active = False
    alice.save()
    assert not Session.objects.filter(session_key=key).exists()
    # nor its cached copy (SESSION_ENGINE is cached_db)
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_idle_session_expires(client, alice, settings):
    from core.sessions import LAST_ACTIVITY_KEY

    sign_in(client, alice)
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_ACTIVITY_KEY] = session[LAST_ACTIVITY_KEY] - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "signed out after" in response.content.decode()


def test_production_cookies_are_secure_httponly_samesite():
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT')}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "bmms.example.gov.ph",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    values = json.loads(out.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
    }
