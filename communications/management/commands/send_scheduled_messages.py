import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from communications import services


class Command(BaseCommand):
    help = "Queue the birthday, anniversary and points-expiring messages of a date (again: nothing more)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD; today (in TIME_ZONE) when left out")

    def handle(self, *args, date=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date; write it as YYYY-MM-DD.") from None
        counts = services.scheduled_messages_queue(day=day)
        summary = ", ".join(f"{event}: {count}" for event, count in counts.items())
        self.stdout.write(f"{day.isoformat()}: queued {summary}")
