"""CSRF on every unsafe URL, the Content Security Policy, and no inline scripts anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.matrix import _url, build_world, iter_patterns, sample_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PATTERNS = [(k, p) for k, p, _ns in iter_patterns()]


def test_every_unsafe_url_refuses_a_post_without_csrf_token(personas):
    world = build_world(personas)
    failures = []
    for key, pattern in PATTERNS:
        sample = sample_for(key, pattern, world)
        assert sample is not None, key
        url = _url(key, pattern, sample.resolve_kwargs(world), None)
        reader = "root" if key.startswith(("admin:", "route:admin/")) else sample.reader
        for who in (None, reader):
            client = Client(enforce_csrf_checks=True)
            if who:
                client.force_login(personas[who])
            status = client.post(url, {"anything": "1"}).status_code
            # Refused either way: 403 (CSRF), 405 (the URL takes no POST at all) or, for the
            # JSON API, 401 for an anonymous caller before anything else happens.
            refused = {403, 405} | ({401} if who is None and url.startswith("/api/") else set())
            if status not in refused:
                failures.append(f"{who or 'anonymous'} POST {url} without token → {status}")
    assert not failures, "\n".join(failures)


def test_content_security_policy_forbids_inline_scripts(client, alice):
    client.force_login(alice)
    header = client.get("/").headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", header).group(1)
    assert "'self'" in script_src
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "frame-ancestors 'none'" in header


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template.name}: {tag}")
        if re.search(r"\son(click|change|submit|load|input)=", text):
            offenders.append(f"{template.name}: inline event handler")
    assert offenders == []


def test_denied_requests_are_logged_with_user_and_request_id(client, charlie, dept_a, caplog):
    from django.urls import reverse

    client.force_login(charlie)
    with caplog.at_level("INFO", logger="bmms.request"):
        response = client.get(reverse("organizations:department-edit", args=[dept_a.public_id]))
    assert response.status_code == 404
    record = next(r for r in caplog.records if r.name == "bmms.request")
    assert record.levelname == "WARNING" and record.denied
    assert record.user_id == charlie.pk and record.organization == "MOLE"
    assert record.status == 404 and record.path.endswith("/edit/")
