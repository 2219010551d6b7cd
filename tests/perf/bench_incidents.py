"""Benchmark of issue 19: what responders' open boards cost when nothing changes.

Each open board polls `/incidents/<id>/board/` every 10 s with the ETag of what it shows. An
unchanged board answers 304 (one query: the signed-in user; the token from the cache). Measured
in-process through Django's test client and the whole middleware stack, as CPU time of this
process (`time.process_time`, so the client's own work is counted too: an upper bound for the
web worker; Redis and PostgreSQL work happens in their processes and is a cache GET and a
primary-key lookup per poll). Derived: 200 boards × one poll per 10 s = 20 polls/s.

Also: a changed board (a log entry written, so the next poll renders the fragment again), and
the render that happens once a minute per incident and kind of user (the clocks move).

`run() -> list[str]` expects Django set up on the bench database (tests/perf/bench.py);
`python -m tests.perf.bench_incidents` runs it alone on a database of its own
(`<DATABASE_URL name>_incidents_bench`) with the cache in Redis when `REDIS_URL` is set.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

POLLS = 3000
BOARDS = 200
INTERVAL_SECONDS = 10


def _incident():
    from bcp import demo as bcp_demo
    from incidents import services
    from incidents.models import Incident
    from organizations import demo as organizations_demo
    from organizations.models import Organization, User

    organizations_demo.seed(scale=0)
    bcp_demo.seed(scale=0)
    organization = Organization.objects.get(code="MOH")
    editor = User.objects.get(email="moh.editor@bmms.demo")
    incident = Incident.objects.filter(
        organization=organization, title="Bench: power outage", status="open"
    ).first()
    if incident is None:
        from django.utils import timezone

        incident = services.incident_declare(
            actor=editor,
            organization=organization,
            title="Bench: power outage",
            kind="utility_outage",
            severity="major",
            started_at=timezone.now(),
            location="Main office",
            commander=editor,
        )
    return incident, editor


def _cpu_ms(fn, repeat: int) -> tuple[float, float]:
    """(CPU ms per call, wall ms per call) over `repeat` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        fn()
    return (
        (time.process_time() - cpu) * 1000 / repeat,
        (time.perf_counter() - wall) * 1000 / repeat,
    )


def _wsgi_get(handler, url: str, cookie: str, etag: str | None) -> tuple[int, dict]:
    """One GET through Django's WSGI handler (what gunicorn calls), body read and closed."""
    import io

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": url,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "HTTP_HX_REQUEST": "true",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if etag:
        environ["HTTP_IF_NONE_MATCH"] = etag
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    body = handler(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        body.close()
    return seen["status"], seen["headers"]


def run() -> list[str]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    from incidents import services

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # no console noise
    incident, editor = _incident()
    client = Client()
    client.force_login(editor)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = WSGIHandler()
    url = f"/incidents/{incident.public_id}/board/"
    status, headers = _wsgi_get(handler, url, cookie, None)
    assert status == 200, status
    state = {"etag": headers["ETag"], "renders": 0}

    def unchanged():
        # As a browser does: it sends the validator of what it shows; a 200 (the minute
        # turned, the clocks moved) replaces it.
        status, headers = _wsgi_get(handler, url, cookie, state["etag"])
        if status == 200:
            state["etag"] = headers["ETag"]
            state["renders"] += 1
        else:
            assert status == 304, status

    for _ in range(50):  # warm-up
        unchanged()
    samples = [_cpu_ms(unchanged, POLLS // 5) for _ in range(5)]
    cpu = statistics.median(s[0] for s in samples)
    wall = statistics.median(s[1] for s in samples)
    polls_per_second = BOARDS / INTERVAL_SECONDS
    share = polls_per_second * cpu / 1000 * 100

    def trivial():
        status, _headers = _wsgi_get(handler, "/healthz/", "", None)

    baseline_cpu, _ = _cpu_ms(trivial, 300)

    def changed():
        services.log_add(actor=editor, incident=incident, kind="message", text="bench update")
        status, _headers = _wsgi_get(handler, url, cookie, state["etag"])
        assert status == 200

    changed_cpu, _ = _cpu_ms(changed, 30)
    return [
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; requests through "
        "Django's WSGI handler with the whole middleware stack",
        f"unchanged board poll (304): {cpu:.2f} ms CPU, {wall:.2f} ms wall per poll (median of "
        f"5 × {POLLS // 5}; {state['renders']} rendered: the minute turned)",
        f"{BOARDS} boards polling every {INTERVAL_SECONDS} s = {polls_per_second:.0f} polls/s: "
        f"{share:.1f} % of one core (target < 5 %)",
        f"for scale: GET /healthz/ (no session) costs {baseline_cpu:.2f} ms CPU here",
        f"changed board (a log entry written, then the poll renders): {changed_cpu:.1f} ms CPU",
        "clock tick: an incident's fragment is rendered once a minute per kind of user "
        f"(responder / reader) and shared by all its boards; {BOARDS} boards on {BOARDS} "
        f"different incidents would add {BOARDS / 60 * changed_cpu / 1000 * 100:.1f} % of a core",
    ]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import environ

    environ.Env.read_env(".env", overwrite=False)
    base = os.environ.get("DATABASE_URL", "postgres:///bmms")
    os.environ["DATABASE_URL"] = base + "_incidents_bench"
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    logging.getLogger("bmms.request").setLevel(logging.WARNING)
    logging.getLogger("incidents").setLevel(logging.WARNING)
    call_command("ensure_database", verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    print(f"[incidents] database {settings.DATABASES['default']['NAME']}")
    for line in run():
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    raise SystemExit(main())
