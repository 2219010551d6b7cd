"""Benchmarks of planning and budgeting (`make bench` calls `run()` after `setup()`).

Seeds the benchmark's volume (44 organizations × 10 fiscal years × 1,000 line items) when it is
not there yet, then times the execution dashboard and the list pages at that scale.
"""

from __future__ import annotations

import time

SCALE = 25  # budgeting.demo: 4 × 25 line items × 10 programs = 1,000 per organization and year


def run() -> list[str]:
    from django.test import Client

    from budgeting import demo as budgeting_demo
    from budgeting.models import BudgetLineItem
    from organizations import demo as organizations_demo
    from planning import demo as planning_demo
    from tests.perf.bench import timed

    lines = []
    organizations_demo.seed(scale=0)
    start = time.perf_counter()
    planning_demo.seed(scale=SCALE)
    seeded = budgeting_demo.seed(scale=SCALE)
    elapsed = time.perf_counter() - start
    items = BudgetLineItem.objects.count()
    lines.append(
        f"planning+budgeting seed --scale {SCALE}: {elapsed:.1f} s ({seeded[-1]}; "
        f"{items:,} line items in the database)"
    )
    start = time.perf_counter()
    budgeting_demo.seed(scale=SCALE)
    lines.append(f"budgeting seed repeated (idempotent): {time.perf_counter() - start:.2f} s")
    client = Client()
    client.force_login(organizations_demo.User.objects.get(email="moh.editor@bmms.demo"))
    for label, url in [
        ("execution dashboard (current year)", "/budgeting/execution/"),
        ("execution dashboard (oldest year)", f"/budgeting/execution/?year={_oldest()}"),
        ("proposal list", "/budgeting/"),
        ("strategic plan list", "/planning/"),
    ]:
        client.get(url)  # warm
        median, worst = timed(lambda url=url: client.get(url), repeat=20)
        lines.append(f"GET {label}: median {median:.1f} ms, max {worst:.1f} ms (20 requests)")
    lines += reports_bench(client)
    return lines


#: Targets of issue 20: the SAAODB page of one organization-year at scale 25 and its workbook.
SAAODB_PAGE_MS = 300
SAAODB_XLSX_MS = 1000


def reports_bench(client) -> list[str]:
    """SAAODB, FAR No. 1-A and RAOD of MOH (1,000 line items a year) as page, XLSX and PDF."""
    from tests.perf.bench import timed

    lines = []
    year = _oldest()
    query = f"?year={year}&quarter=4"
    for label, url, target in [
        ("SAAODB page", f"/budgeting/reports/saaodb/{query}", SAAODB_PAGE_MS),
        ("SAAODB XLSX", f"/budgeting/reports/saaodb.xlsx{query}", SAAODB_XLSX_MS),
        ("SAAODB PDF", f"/budgeting/reports/saaodb.pdf{query}", None),
        ("FAR No. 1-A page", f"/budgeting/reports/far1a/{query}", None),
        ("RAOD MOOE page", f"/budgeting/reports/raod/MOOE/{query}", None),
        ("RAOD MOOE XLSX", f"/budgeting/reports/raod/MOOE.xlsx{query}", None),
    ]:
        assert client.get(url).status_code == 200  # warm
        median, worst = timed(lambda url=url: client.get(url), repeat=10)
        verdict = "" if target is None else (" (target met)" if median <= target else " (OVER)")
        lines.append(
            f"GET {label} (MOH FY {year}): median {median:.1f} ms, max {worst:.1f} ms "
            f"(10 requests){verdict}"
        )
    return lines


def _oldest() -> int:
    from django.utils import timezone

    return timezone.localdate().year - 9
