"""Load or refresh the organizations from the shipped data file (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from organizations.loader import DATA_FILE, load_organizations
from organizations.models import Organization


class Command(BaseCommand):
    help = "Upsert organizations by code from the data file. Re-running changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="CSV file to load")

    @transaction.atomic
    def handle(self, *args, **options):
        try:
            result = load_organizations(Organization, options["file"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        by_code = {org.code: org for org in Organization.objects.all()}
        for code in result.created:
            audit.record(
                actor=None,
                action="organization.loaded",
                subject=by_code[code],
                organization=by_code[code],
                after=audit.snapshot(by_code[code]),
            )
        for code, diff in result.updated.items():
            audit.record(
                actor=None,
                action="organization.reloaded",
                subject=by_code[code],
                organization=by_code[code],
                before={k: old for k, (old, _new) in diff.items()},
                after={k: new for k, (_old, new) in diff.items()},
            )
        self.stdout.write(
            f"Organizations: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged ({Organization.objects.count()} in total)."
        )
