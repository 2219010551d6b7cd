"""`manage.py rebuild_execution_totals [--check]`: the allotments' running totals from the rows.

The triggers keep `AllotmentExecution` (budgeting/models.py) with every write, but not after
writes that bypass them (a TRUNCATE, triggers disabled for a data repair, a restore of some tables
only). This recounts every allotment's obligated and disbursed money from its live obligations and
payments (the models' `live()`), says which allotments differed, and with no --check writes the
recounted totals. Obligations and payments are locked against writes while it runs (seconds at
the largest scale), so no write slips in between the count and the totals.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Sum

from budgeting.models import NET_OBLIGATION, AllotmentExecution, Disbursement, Obligation

ZERO = Decimal("0.00")
#: The totals of an allotment with no row: nothing obligated, nothing paid.
NOTHING = (ZERO, ZERO)


def recount() -> dict[int, tuple[Decimal, Decimal]]:
    """allotment id → (obligated, disbursed) from the live rows, for allotments with any."""
    obligated = dict(
        Obligation.objects.live()
        .values_list("allotment_id")
        .annotate(total=Sum(NET_OBLIGATION))
        .order_by()
    )
    disbursed = dict(
        Disbursement.objects.live()
        .values_list("obligation__allotment_id")
        .annotate(Sum("amount"))
        .order_by()
    )
    return {
        pk: (obligated.get(pk, ZERO), disbursed.get(pk, ZERO))
        for pk in set(obligated) | set(disbursed)
    }


class Command(BaseCommand):
    help = "Recount the allotments' running totals (obligated, disbursed) from their rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only say which totals differ (exit 1 if any)."
        )

    def handle(self, *args, check: bool, **options):
        with transaction.atomic():
            with connection.cursor() as cursor:
                # The lock CREATE TRIGGER takes: reads go on, writes wait until the end.
                cursor.execute(
                    "LOCK TABLE budgeting_obligation, budgeting_disbursement"
                    " IN SHARE ROW EXCLUSIVE MODE"
                )
            counted = recount()
            kept = {
                row.allotment_id: (row.obligated, row.disbursed)
                for row in AllotmentExecution.objects.all()
            }
            differ = sorted(
                pk
                for pk in set(counted) | set(kept)
                if counted.get(pk, NOTHING) != kept.get(pk, NOTHING)
            )
            for pk in differ[:20]:
                was = kept.get(pk, NOTHING)
                now = counted.get(pk, NOTHING)
                self.stdout.write(
                    f"allotment {pk}: obligated {was[0]} → {now[0]}, disbursed {was[1]} → {now[1]}"
                )
            if len(differ) > 20:
                self.stdout.write(f"… and {len(differ) - 20} more.")
            if check:
                if differ:
                    raise CommandError(f"{len(differ)} allotment(s) have totals that differ.")
                self.stdout.write(f"All {len(counted)} allotments' totals match their rows.")
                return
            AllotmentExecution.objects.all().delete()
            AllotmentExecution.objects.bulk_create(
                [
                    AllotmentExecution(allotment_id=pk, obligated=o, disbursed=d)
                    for pk, (o, d) in counted.items()
                ],
                batch_size=5000,
            )
            self.stdout.write(
                f"Recounted {len(counted)} allotments; {len(differ)} had totals that differed."
            )
