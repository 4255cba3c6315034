"""Expire the points past their date on a day, as the daily job does; a second run books nothing more."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loyalty.services import points_expire_run


class Command(BaseCommand):
    help = "Book an EXPIRE entry per customer for what is left of lots past their date on --date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to expire for, YYYY-MM-DD (default: today in TIME_ZONE)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("Write the date as YYYY-MM-DD, e.g. 2026-03-31.") from None
        result = points_expire_run(day=day)
        self.stdout.write(
            self.style.SUCCESS(
                f"{day.isoformat()}: {result['points']:,} points expired for {result['customers']:,} customers."
            )
        )
