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

BENCH_MODULES: list[str] = []


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
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/bmms_bench"
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
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


def main() -> int:
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    setup()
    print("BMMS benchmarks (database bmms_bench, DEBUG off)")
    sections = [("organizations", organizations_bench)]
    sections += [(name, importlib.import_module(name).run) for name in BENCH_MODULES]
    for name, run in sections:
        print(f"\n[{name}]")
        for line in run():
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    raise SystemExit(main())
