"""Bulk-import users from a CSV file (all or nothing), then e-mail their invitation links."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organizations import importing, invitations


class Command(BaseCommand):
    help = (
        "Import users from CSV (columns: " + ", ".join(importing.COLUMNS) + "). "
        "Every row is checked first; on any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--no-invite",
            action="store_true",
            help="Do not e-mail invitation links to the new users.",
        )

    def handle(self, *args, **options):
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        started = time.perf_counter()
        checked = importing.preview(text, importer=None)
        if checked.errors:
            for number, problem in checked.errors:
                self.stderr.write(f"row {number}: {problem}")
            raise CommandError(f"{len(checked.errors)} problem(s) found; nothing was imported.")
        self.stdout.write(
            f"{len(checked.rows)} rows OK: {checked.invitations} invitations to send, "
            f"{checked.members} existing members, {len(checked.new_departments)} new departments."
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        total = len(checked.rows)

        def progress(done: int) -> None:
            if sys.stdout.isatty() or done == total:
                width = 30
                filled = int(width * done / total)
                self.stdout.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
                )
                self.stdout.flush()

        _checked, result = importing.commit(text, None, progress=progress)
        self.stdout.write("")
        if result is None:  # the data changed between the check and the write
            raise CommandError("The data changed while importing; nothing was imported.")
        summary = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.as_dict().items())
        self.stdout.write(
            self.style.SUCCESS(f"Imported in {time.perf_counter() - started:.1f} s ({summary}).")
        )
        if not options["no_invite"] and (result.new_user_ids or result.invitation_ids):
            sent = invitations.send_invitations(result.new_user_ids)
            sent += invitations.send_join_invitations(result.invitation_ids)
            self.stdout.write(f"Invitations sent: {sent}.")
