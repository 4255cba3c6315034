"""Recompute every points balance from the ledger and report the ones that differ."""

from django.core.management.base import BaseCommand

from loyalty.selectors import points_mismatches


class Command(BaseCommand):
    help = "Compare each customer's stored points balance with the sum of their ledger; exit 1 on any difference."

    def handle(self, *args, **options):
        mismatches = points_mismatches()
        for customer, stored, ledger in mismatches:
            self.stdout.write(
                f"MISMATCH customer {customer.pk} ({customer.full_name}): stored {stored}, ledger {ledger}"
            )
        if mismatches:
            self.stderr.write(f"{len(mismatches)} customers' balances differ from their ledger.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("All points balances match the ledger."))
