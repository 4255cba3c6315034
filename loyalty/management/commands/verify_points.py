"""Recompute every points balance from the ledger, check the lots against it, and report what differs."""

from django.core.management.base import BaseCommand

from loyalty.selectors import lot_mismatches, points_mismatches


class Command(BaseCommand):
    help = (
        "Compare each customer's stored points balance with the sum of their ledger, and the points lots "
        "with the ledger; exit 1 on any difference."
    )

    def handle(self, *args, **options):
        mismatches = points_mismatches()
        for customer, stored, ledger in mismatches:
            self.stdout.write(
                f"MISMATCH customer {customer.pk} ({customer.full_name}): stored {stored}, ledger {ledger}"
            )
        lots = lot_mismatches()
        for line in lots:
            self.stdout.write(f"LOT MISMATCH {line}")
        if mismatches:
            self.stderr.write(f"{len(mismatches)} customers' balances differ from their ledger.")
        if lots:
            self.stderr.write(f"{len(lots)} differences between the points lots and the ledger.")
        if mismatches or lots:
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("All points balances match the ledger, and the lots match too."))
