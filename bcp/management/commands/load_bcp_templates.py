"""Create or update the shipped plan templates (idempotent; the data migration does the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from bcp.models import SectionDefinition, Template
from bcp.template_data import load_templates


class Command(BaseCommand):
    help = "Load the departmental BCM and organization BC plan templates. Safe to run again."

    def handle(self, *args, **options):
        created = load_templates(Template, SectionDefinition)
        self.stdout.write(f"BC plan templates ready ({created} new).")
