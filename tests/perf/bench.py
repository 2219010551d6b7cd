"""`make bench`: timings of the slow paths, on a database of their own (bmms_bench).

Timings live here, never in the unit tests. Each app may add a module with `run() -> list[str]`
to BENCH_MODULES; the numbers go into the issue notes and docs/performance.md.
"""

from __future__ import annotations

import importlib
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable

BENCH_MODULES: list[str] = [
    "tests.perf.bench_budgeting",
    "tests.perf.bench_bcp",
    "tests.perf.bench_ocm",
    "tests.perf.bench_limits",
    "tests.perf.bench_incidents",
    "tests.perf.bench_policies",
    "tests.perf.bench_notifications",
    "tests.perf.bench_search",
]


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, float]:
    """(median, max) wall time in milliseconds over `repeat` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    base = os.environ.get("DATABASE_URL", "postgres:///bmms")
    name = os.environ.get("BENCH_DATABASE", "bmms_bench")  # another name for parallel runs
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import logging

    logging.getLogger("bmms.request").setLevel(logging.WARNING)
    call_command("ensure_database", verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)


def organizations_bench() -> list[str]:
    from django.core.management import call_command
    from django.test import Client

    from organizations.loader import load_organizations
    from organizations.models import Organization, User

    lines = []
    median, _ = timed(lambda: load_organizations(Organization), repeat=5)
    lines.append(f"load_organizations (unchanged, 44 rows): median {median:.1f} ms")
    devnull = open(os.devnull, "w")  # noqa: SIM115
    median, _ = timed(lambda: call_command("seed_demo", "--scale", "25", stdout=devnull))
    users = User.objects.count()
    lines.append(f"seed_demo --scale 25 (first or repeat run, {users} users): {median:.0f} ms")
    client = Client()
    client.force_login(User.objects.get(email="moh.admin@bmms.demo"))
    for label, url in [
        ("home", "/"),
        ("directory (44 orgs)", "/org/directory/"),
        ("member list", "/org/members/"),
        ("audit log", "/org/audit/"),
    ]:
        client.get(url)  # warm
        median, worst = timed(lambda url=url: client.get(url), repeat=30)
        lines.append(f"GET {label}: median {median:.1f} ms, max {worst:.1f} ms (30 requests)")
    return lines


def import_bench() -> list[str]:
    """Bulk import of 1,100 new users over the pilot organizations (target ≤ 15 s)."""
    from django.conf import settings

    from organizations import importing, invitations

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_id = time.strftime("%Y%m%d%H%M%S")
    header = ",".join(importing.COLUMNS)
    orgs = ["MOH", "MOLE", "MAFAR"]
    lines = [
        f"bench{run_id}.{i:04d}@example.gov.ph,Bai,Sinsuat {i},{orgs[i % 3]},"
        f"{['viewer', 'editor', 'approver'][i % 3]},Department {i % 12},Officer,0917{i:07d}"
        for i in range(1100)
    ]
    text = "\n".join([header, *lines]) + "\n"
    result_lines = []
    start = time.perf_counter()
    checked = importing.preview(text, None)
    preview_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    _checked, result = importing.commit(text, None)
    commit_s = time.perf_counter() - start
    start = time.perf_counter()
    sent = invitations.send_invitations(result.new_user_ids)
    invite_s = time.perf_counter() - start
    assert len(checked.rows) == 1100 and len(result.new_user_ids) == 1100 and sent == 1100
    result_lines.append(f"import preview of 1,100 rows: {preview_ms:.0f} ms")
    result_lines.append(f"import commit of 1,100 new users (one transaction): {commit_s:.2f} s")
    result_lines.append(f"invitation e-mails for 1,100 users (locmem backend): {invite_s:.2f} s")
    result_lines.append(
        f"total import + invitations: {commit_s + invite_s + preview_ms / 1000:.2f}"
        " s (target <= 15 s)"
    )
    start = time.perf_counter()
    importing.commit(text, None)
    result_lines.append(
        f"re-import of the same 1,100 rows (0 new): {time.perf_counter() - start:.2f} s"
    )
    return result_lines


def main() -> int:
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    setup()
    print("BMMS benchmarks (database bmms_bench, DEBUG off)")
    sections = [("organizations", organizations_bench), ("user import", import_bench)]
    sections += [(name, importlib.import_module(name).run) for name in BENCH_MODULES]
    for name, run in sections:
        print(f"\n[{name}]")
        for line in run():
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    raise SystemExit(main())
