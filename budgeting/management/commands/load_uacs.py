"""`manage.py load_uacs`: load or correct the portal's UACS object codes (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from budgeting import uacs
from budgeting.models import ObjectCode


class Command(BaseCommand):
    help = "Load the UACS object codes the portal offers (idempotent)."

    def handle(self, *args, **options):
        created, updated = uacs.load(ObjectCode)
        self.stdout.write(
            f"UACS object codes: {created} added, {updated} corrected, "
            f"{ObjectCode.objects.count()} in the chart."
        )
