"""PostgreSQL restarted while the portal serves requests: no 5xx once it is back.

Runs gunicorn against a private PostgreSQL server (see conftest), so restarting it disturbs
nothing else. Persistent connections (CONN_MAX_AGE) are checked before reuse
(CONN_HEALTH_CHECKS), so the first request after the restart reconnects instead of failing.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults


def _status(opener, url: str, data: dict | None = None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_5xx_after_a_postgresql_restart(private_postgres):
    env = {
        **os.environ,
        "DATABASE_URL": private_postgres.url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from organizations.models import *; from core.tenancy import Role;"
            "u = User.objects.create_user('nurse@moh.gov.ph', 'Restart-2026!');"
            "Membership.objects.create(user=u, role=Role.EDITOR, is_primary=True,"
            " organization=Organization.objects.get(code='MOH'))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--env",
            "DJANGO_SETTINGS_MODULE=config.settings.test",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base}/accounts/login/", timeout=10) as response:
            token = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()
            ).group(1)
        opener.addheaders = [("Referer", f"{base}/accounts/login/")]
        _status(
            opener,
            f"{base}/accounts/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": "nurse@moh.gov.ph",
                "password": "Restart-2026!",
            },
        )
        pages = ["/", "/org/members/", "/org/departments/", "/org/directory/"]
        before = [_status(opener, base + p) for p in pages * 3]
        assert before == [200] * len(before)

        private_postgres.pg_ctl("restart", "-m", "fast")

        after = [_status(opener, base + p) for p in pages * 5]
        assert after == [200] * len(after), after
    finally:
        server.terminate()
        server.wait(timeout=15)
