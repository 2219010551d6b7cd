"""Create the demo data set (idempotent) and print the demo logins."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from organizations import demo
from organizations.models import Organization


class Command(BaseCommand):
    help = "Create realistic demo data and demo logins. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Extra staff per organization for benchmarks (e.g. 20).",
        )

    def handle(self, *args, **options):
        if Organization.objects.count() == 0:
            call_command("load_organizations", stdout=self.stdout)
        people = demo.seed(scale=options["scale"])
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for p in people:
            what = (
                f"{p.org} {p.role}"
                if p.org
                else f"OCM {p.ocm_level} (read-only)"
                if p.ocm_level
                else "superuser (admin)"
            )
            self.stdout.write(f"  {p.email:<28} {what}")
