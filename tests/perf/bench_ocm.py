"""Benchmarks of the OCM dashboard (`make bench` calls `run()` after `setup()`).

At 44 organizations × 10 fiscal years × 1,000 line items (the planning/budgeting seed at
--scale 25, which earlier benchmarks have usually seeded already; seeding again is idempotent):
  * cold aggregation: `ocm.aggregation.compute_all()` from the base tables (target ≤ 250 ms);
  * warm dashboard read (cached summary) in-process;
  * throughput of GET /ocm/ as a ratio to a trivial Django view, both served by the same
    gunicorn (production settings, 2 workers) on loopback (target ≥ 0.25 warm).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SCALE = 25
REQUESTS = 300  # per URL, after the warm-up
CLIENT_THREADS = 4
WORKERS = 2
ROOT = Path(__file__).resolve().parents[2]


def _seed() -> str:
    from django.db import connection

    from budgeting import demo as budgeting_demo
    from budgeting.models import BudgetLineItem
    from organizations import demo as organizations_demo
    from planning import demo as planning_demo

    organizations_demo.seed(scale=0)
    planning_demo.seed(scale=SCALE)
    budgeting_demo.seed(scale=SCALE)
    # Planner statistics after a bulk load (autovacuum would soon do the same in production).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return f"{BudgetLineItem.objects.count():,} line items"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _throughput(url: str, headers: dict[str, str]) -> float:
    """Requests per second for REQUESTS GETs from a small thread pool (after 20 warm-ups)."""
    for _ in range(20):
        assert _get(url, headers) == 200, url
    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        statuses = list(pool.map(lambda _i: _get(url, headers), range(REQUESTS)))
    elapsed = time.perf_counter() - start
    assert statuses.count(200) == REQUESTS, (url, set(statuses))
    return REQUESTS / elapsed


def _gunicorn_bench(session_cookie: str) -> list[str]:
    from django.conf import settings

    port = _free_port()
    static_root = tempfile.mkdtemp(prefix="bmms-bench-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the bench's session must stay valid
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": static_root,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "LOG_FORMAT": "json",
    }
    # The bench's Redis (if any) for the cache, as in production; else each worker's memory.
    if os.environ.get("TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.perf.bench_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    # Behind the load balancer TLS ends there: the proxy header keeps production's redirect off.
    headers = {"Cookie": f"sessionid={session_cookie}", "X-Forwarded-Proto": "https"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/bench/trivial/", headers) == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                return ["gunicorn did not start: throughput not measured"]
            time.sleep(0.3)
        trivial = _throughput(f"{base}/bench/trivial/", headers)
        dashboard = _throughput(f"{base}/ocm/", headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [
        f"gunicorn ({WORKERS} workers, production settings), {REQUESTS} requests each from "
        f"{CLIENT_THREADS} threads: trivial view {trivial:.0f} req/s, GET /ocm/ (warm) "
        f"{dashboard:.0f} req/s",
        f"dashboard throughput ratio to the trivial view: {dashboard / trivial:.2f} "
        "(target >= 0.25)",
    ]


def run() -> list[str]:
    from django.core.cache import cache
    from django.test import Client

    from ocm import selectors, services
    from ocm.aggregation import compute_all
    from organizations.models import User
    from tests.perf.bench import timed

    lines = [f"data set: {_seed()}, {len(compute_all()[0])} organizations"]
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        compute_all()
        samples.append((time.perf_counter() - start) * 1000)
    lines.append(
        f"cold aggregation compute_all(): median {statistics.median(samples):.0f} ms, "
        f"max {max(samples):.0f} ms (5 runs; target <= 250 ms)"
    )
    median, _ = timed(services.refresh, repeat=3)
    lines.append(f"refresh() (aggregation + summary writes): median {median:.0f} ms")
    selectors.dashboard()
    median, worst = timed(selectors.dashboard, repeat=50)
    lines.append(f"warm dashboard read (cache): median {median:.2f} ms, max {worst:.2f} ms")
    cache.clear()
    median, _ = timed(lambda: (cache.clear(), selectors.dashboard()), repeat=10)
    lines.append(f"dashboard read from the summary tables (cache empty): median {median:.1f} ms")
    client = Client()
    client.force_login(User.objects.get(email="ocm.analyst@bmms.demo"))
    client.get("/ocm/")
    median, worst = timed(lambda: client.get("/ocm/"), repeat=20)
    lines.append(f"GET /ocm/ in-process (warm): median {median:.1f} ms, max {worst:.1f} ms")
    lines += _gunicorn_bench(client.cookies["sessionid"].value)
    return lines
