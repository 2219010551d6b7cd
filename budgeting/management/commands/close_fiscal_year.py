"""`manage.py close_fiscal_year YEAR --as EMAIL [--org CODE ...]`: the year-end close.

Lists what reverts and what continues for each organization, and with --commit closes the
year (budgeting.services.year_end_close: the unobligated balances of allotments that expire with
the year revert). Without --commit it only shows the preview.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from budgeting import services
from budgeting.models import BudgetProposal
from budgeting.templatetags.money import peso
from organizations.models import Organization, User


class Command(BaseCommand):
    help = "Close a fiscal year: show (and with --commit, do) what reverts and what continues."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--as", dest="actor", help="E-mail of the approver who closes it.")
        parser.add_argument("--org", action="append", default=[], help="Organization code(s).")
        parser.add_argument("--commit", action="store_true", help="Close (else: preview only).")

    def handle(self, *args, year: int, actor: str | None, org: list[str], commit: bool, **opts):
        organizations = Organization.objects.filter(
            pk__in=BudgetProposal.objects.filter(
                status=BudgetProposal.Status.APPROVED, fiscal_year__lte=year
            ).values("organization")
        ).order_by("code")
        if org:
            organizations = organizations.filter(code__in=org)
        user = None
        if commit:
            if not actor:
                raise CommandError("--commit needs --as EMAIL (the approver who closes).")
            user = User.objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"No user {actor}.")
        for organization in organizations:
            preview = services.year_end_preview(organization, year)
            line = (
                f"{organization.code} FY {year}: reverts {peso(preview['reverting_total'])} "
                f"({len(preview['reverting'])} allotments), continues "
                f"{peso(preview['continuing_total'])} ({len(preview['continuing'])})"
            )
            if preview["closed"]:
                self.stdout.write(f"{line} — already closed")
                continue
            if commit:
                try:
                    services.year_end_close(actor=user, organization=organization, fiscal_year=year)
                except (ValidationError, PermissionDenied) as exc:
                    self.stdout.write(f"{line} — not closed: {exc}")
                    continue
                line += " — closed"
            self.stdout.write(line)
