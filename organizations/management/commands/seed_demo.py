"""Create the demo data set (idempotent) and print the demo logins."""

from __future__ import annotations

import importlib

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

import notifications
from core import versioned_cache
from organizations import demo
from organizations.models import Organization

#: Each app's demo module, run in this order after the organizations' personas. A module offers
#: `seed(scale: int) -> list[str]`, returning lines to print; it must be idempotent.
APP_DEMO_MODULES: list[str] = [
    "coordination.demo",
    "bcp.demo",
    "bcp.demo_continuity",  # strategies, dependencies, one plan shared (after bcp.demo)
    "incidents.demo",
    "planning.demo",
    "budgeting.demo",
    "rollout.demo",
    "ocm.demo",
]


def forget_cached_fragments() -> None:
    """Every cached page fragment is stale (see core/versioned_cache.py)."""
    from bcp.selectors import CACHE_MODULE as BCP
    from coordination.selectors import CACHE_NAMESPACE as COORDINATION
    from planning.selectors import CACHE_MODULE as PLANNING

    for organization_id in Organization.objects.values_list("pk", flat=True):
        for module in (PLANNING, BCP):
            versioned_cache.bump(versioned_cache.organization_namespace(module, organization_id))
    versioned_cache.bump(COORDINATION)


class Command(BaseCommand):
    help = "Create realistic demo data and demo logins. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=0, help="Grow the data set for benchmarks (e.g. 20)."
        )

    def handle(self, *args, **options):
        scale = options["scale"]
        if Organization.objects.count() == 0:
            call_command("load_organizations", stdout=self.stdout)
        # The demo builds a state, not a history of events: nobody is notified of it (and its
        # @bmms.demo addresses are not mailboxes).
        with notifications.muted():
            people = demo.seed(scale=scale)
            for name in APP_DEMO_MODULES:
                for line in importlib.import_module(name).seed(scale=scale):
                    self.stdout.write(f"  {line}")
        forget_cached_fragments()  # bulk inserts send no signals
        if scale:
            # Bulk inserts outrun autovacuum: without fresh statistics the planner misjudges the
            # grown tables (a sequential scan of every obligation per program, seen as 50 ms).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for p in people:
            if p.org:
                what = f"{p.org} {p.role}"
            elif p.ocm_level:
                what = f"OCM {p.ocm_level} (read-only)"
            else:
                what = "superuser (admin)"
            self.stdout.write(f"  {p.email:<28} {what}")
