"""`make loadtest`: gunicorn (production settings) + a Celery worker on PostgreSQL and Redis, the
demo data at `--scale`, and locust driving the persona mix. Loopback only, bounded in users and
time; prints p50/p95/p99 and errors per run and the median of the runs.

    uv run python -m tests.perf.loadtest --users 1100 --duration 300 --runs 3 --scale 25
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(tempfile.gettempdir()) / "bmms-load"
GUNICORN = [
    "--preload",
    "--timeout",
    "60",
    "--keep-alive",
    "5",
    "--max-requests",
    "5000",
    "--max-requests-jitter",
    "500",
]


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live children and its reaped children (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(p: int) -> list[str]:
        text = Path(f"/proc/{p}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    try:
        fields = stat(pid)
    except OSError:
        return 0.0
    # fields[11:15] = utime, stime, cutime, cstime (proc(5), counted after the command name)
    total = sum(int(v) for v in fields[11:15])
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):
            total += sum(int(v) for v in stat(int(child))[11:13])
    return total / tick


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "load-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(WORK / "static"),
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/4",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


PERSONA_SCRIPT = r"""
import json, random, time
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils.crypto import get_random_string
from organizations.models import Membership, User, OCMAccess
from core.sessions import LAST_ACTIVITY_KEY
from planning.models import StrategicPlan, StrategicGoal
from budgeting.models import BudgetProposal
from bcp.models import Plan

rng = random.Random(7)
wanted = {USERS}
details, goals, exports, generate = {}, {}, {}, {}
for org_id in Membership.objects.values_list("organization_id", flat=True).distinct():
    d = [reverse("planning:plan-detail", args=[p]) for p in StrategicPlan.objects.filter(
        organization_id=org_id).values_list("public_id", flat=True)[:2]]
    d += [reverse("budgeting:proposal-detail", args=[p]) for p in BudgetProposal.objects.filter(
        organization_id=org_id).order_by("-fiscal_year").values_list("public_id", flat=True)[:2]]
    d += [reverse("bcp:plan-detail", args=[p]) for p in Plan.objects.filter(
        organization_id=org_id).values_list("public_id", flat=True)[:2]]
    details[org_id] = d
    bc_plans = list(Plan.objects.filter(organization_id=org_id, current_version__isnull=False)
                    .values_list("public_id", "current_version__public_id")[:2])
    exports[org_id] = [reverse("bcp:version-export", args=[v]) for _, v in bc_plans]
    generate[org_id] = [reverse("bcp:plan-generate", args=[p]) for p, _ in bc_plans]
    goals[org_id] = [reverse("planning:goal-edit", args=[g]) for g in StrategicGoal.objects.filter(
        plan__organization_id=org_id).values_list("public_id", flat=True)[:3]]
members = list(Membership.objects.filter(is_primary=True, user__is_active=True)
               .values_list("user_id", "organization_id", "role"))
rng.shuffle(members)
ocm = list(OCMAccess.objects.filter(is_active=True).values_list("user_id", flat=True))
from organizations.models import Organization
codes = list(Organization.objects.values_list("code", flat=True))
people = []
def session_for(user_id):
    user = User.objects.get(pk=user_id)
    s = SessionStore()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s[LAST_ACTIVITY_KEY] = int(time.time())
    s.create()
    return s.session_key
n_ocm = max(1, wanted // 20)
for i in range(n_ocm):
    people.append({"kind": "ocm", "session": session_for(ocm[i % len(ocm)]),
                   "csrf": get_random_string(32), "orgs": codes})
for user_id, org_id, role in members[: wanted - n_ocm]:
    people.append({"kind": role, "session": session_for(user_id), "csrf": get_random_string(32),
                   "details": details.get(org_id, []), "goal_edit": goals.get(org_id, []),
                   "exports": exports.get(org_id, []), "generate": generate.get(org_id, [])})
print(json.dumps(people))
"""


def prepare(env: dict[str, str], scale: int, users: int, seed: bool = True) -> Path:
    WORK.mkdir(exist_ok=True)
    if seed:
        manage(env, "ensure_database")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--scale", str(scale))
    # Always: the static directory is shared by runs of other checkouts (an older manifest
    # without this checkout's files answers 500 on every page).
    manage(env, "collectstatic", "--noinput", "-v0")
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PERSONA_SCRIPT.replace("{USERS}", str(users))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    personas = WORK / "personas.json"
    personas.write_text(out.strip().splitlines()[-1])
    return personas


def run_once(
    env,
    personas: Path,
    users: int,
    duration: int,
    think: float,
    label: str,
    workers=3,
    threads=1,
    worker_class="gthread",
) -> dict:
    port = free_port()
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            *GUNICORN,
            "--worker-class",
            worker_class,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(WORK / f"{label}-web.log").open("w"),
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default,ai,exports",
            "--concurrency",
            "1",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(WORK / f"{label}-worker.log").open("w"),
    )
    try:
        time.sleep(3)
        prefix = WORK / label
        web_cpu = process_tree_cpu(web.pid)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "tests/perf/locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(10, users // 30)),
                "--run-time",
                f"{duration}s",
                "--stop-timeout",
                "10",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            cwd=ROOT,
            env={**env, "BMMS_LOAD_PERSONAS": str(personas), "BMMS_LOAD_THINK": str(think)},
            check=False,
            timeout=duration + 120,
            stdout=subprocess.DEVNULL,
        )
        web_cpu = process_tree_cpu(web.pid) - web_cpu
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (children_after.ru_utime + children_after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        with open(f"{prefix}_stats.csv") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
        count = max(int(row["Request Count"]), 1)
        return {
            "web_cpu_ms": web_cpu * 1000 / count,
            "locust_cpu_ms": locust_cpu * 1000 / count,
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }
    finally:
        web.terminate()
        worker.terminate()
        web.wait(timeout=30)
        worker.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1100)
    parser.add_argument("--duration", type=int, default=300, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=25)
    parser.add_argument("--think", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class")
    parser.add_argument(
        "--no-seed", action="store_true", help="reuse the data of an earlier run (faster)"
    )
    args = parser.parse_args()
    if not shutil.which("redis-cli"):
        print("Redis is required (127.0.0.1:6379).")
        return 1
    base = os.environ.get("DATABASE_URL", "postgres:///bmms")
    env = environment(base.rsplit("/", 1)[0] + "/bmms_load")
    personas = prepare(env, args.scale, args.users, seed=not args.no_seed)
    results = []
    for n in range(1, args.runs + 1):
        result = run_once(
            env,
            personas,
            args.users,
            args.duration,
            args.think,
            f"run{n}",
            workers=args.workers,
            threads=args.threads,
            worker_class=args.worker_class,
        )
        results.append(result)
        print(
            f"run {n}: {result['requests']} requests, {result['rps']:.1f} req/s, "
            f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, "
            f"p99 {result['p99']:.0f} ms, {result['failures']} errors; CPU per request: "
            f"gunicorn {result['web_cpu_ms']:.1f} ms, locust {result['locust_cpu_ms']:.1f} ms"
        )
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"median of {len(results)} runs ({args.users} users, {args.think:.0f} s think, "
        f"{args.duration} s): {med['rps']:.1f} req/s, p50 {med['p50']:.0f} ms, "
        f"p95 {med['p95']:.0f} ms, p99 {med['p99']:.0f} ms, {med['failures']:.0f} errors"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
