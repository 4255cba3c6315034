"""Load demo data; running it again adds nothing that is already there."""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from o2vend import demo


class Command(BaseCommand):
    help = "Create demo masters and customers (idempotent and deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=240, help="total customers wanted (default 240)")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")

    def handle(self, *args, customers, seed, **options):
        started = time.perf_counter()
        with transaction.atomic():
            added = demo.seed_customers(count=customers, seed=seed)
            demo.seed_suppliers()
        if added:
            # Fresh statistics for the planner (and, on PostgreSQL, the visibility map for index-only reads).
            with connection.cursor() as cursor:
                vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
                cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Demo data ready: {added} customers added in {elapsed:.1f}s.")
