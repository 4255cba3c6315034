"""Benchmark the outbox: messages per second through the worker to a local SMTP server.

N customers with consent and an email address get one campaign email each: the messages are
queued (communications.services.messages_queue, 1,000 customers per transaction) and sent by
one worker (`db_worker --batch`, in this process) over SMTP to an aiosmtpd server on localhost,
which counts what it receives. Printed: the queueing rate, the sending rate (messages per second
from the first task to the last message sent) and whether every message arrived.
Target: >= 100 messages per second through the worker.

It runs on its own SQLite file, bench/bench-outbox.sqlite3 (git-ignored; created, migrated and
seeded on the first run, reused after). Run it from the project root:

    .venv/bin/python bench/outbox_bench.py                # 10,000 messages
    .venv/bin/python bench/outbox_bench.py --smoke        # 200 messages: seconds
"""

import socket
import uuid

from common import (
    ROOT,
    Timer,
    bench_parser,
    load_note,
    parse_bench_args,
    rate,
    run_bench,
    seed_customers,
    seeded_line,
    setup_django,
    target_missed,
    verdict,
)

DB = ROOT / "bench" / "bench-outbox.sqlite3"
TARGET_PER_SECOND = 100


class CountingSmtp:
    """An aiosmtpd handler that counts the messages it accepts."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    args = parse_bench_args(
        bench_parser(__doc__.splitlines()[0], rows=10_000, rows_help="messages to send", db=DB),
        name="bench-outbox",
        smoke_rows=200,
    )
    setup_django(args.db)
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db.models import Value
    from django.db.models.functions import Cast, Concat

    from communications import services
    from communications.models import Consent, DeliveryState, EmailSettings, Event, Message, MessageTemplate
    from customers.models import Customer

    print(seeded_line(args.db, seed_customers(args.rows)))
    print(load_note())
    customers = Customer.objects.order_by("pk")[: args.rows]
    ids = list(customers.values_list("pk", flat=True))
    as_text = Customer._meta.get_field("email")
    Customer.objects.filter(pk__in=ids).update(
        email=Concat(Value("customer"), Cast("pk", output_field=as_text), Value("@example.in"))
    )
    Consent.objects.filter(channel="email").delete()
    Consent.objects.bulk_create([Consent(customer_id=pk, channel="email", granted=True) for pk in ids], batch_size=1000)
    Message.objects.all().delete()
    MessageTemplate.objects.filter(event=Event.CAMPAIGN).delete()
    MessageTemplate.objects.create(
        event=Event.CAMPAIGN,
        channel="email",
        subject="Weekend offer at {{ store_name }}",
        body="Dear {{ customer_name }},\n\nYou have {{ points_balance }} points. See you this weekend!\n",
    )
    handler = CountingSmtp()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        EmailSettings.objects.update_or_create(
            pk=1,
            defaults={
                "enabled": True,
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "from_address": "shop@example.in",
            },
        )
        key = f"bench:{uuid.uuid4()}"
        with Timer() as queueing:
            for start in range(0, len(ids), 1000):
                chunk = list(Customer.objects.filter(pk__in=ids[start : start + 1000]))
                services.messages_queue(event=Event.CAMPAIGN, event_key=key, customers=chunk)
        with Timer() as sending:
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        server.stop()
    sent = Message.objects.filter(event_key=key, state=DeliveryState.SENT).count()
    per_second = rate(sent, sending.wall)
    print(f"Queued {len(ids):,} messages in {queueing.wall:.1f} s ({rate(len(ids), queueing.wall):,.0f}/s)")
    print(
        f"Sent {sent:,} messages through one worker to the local SMTP server in {sending.wall:.1f} s: "
        f"{per_second:,.0f} messages/s (target >= {TARGET_PER_SECOND}/s): {verdict(per_second >= TARGET_PER_SECOND)}"
    )
    print(f"The SMTP server received {handler.received:,}")
    if sent != len(ids) or handler.received != len(ids):
        target_missed(f"{len(ids) - sent:,} messages not sent, {len(ids) - handler.received:,} not received")


if __name__ == "__main__":
    run_bench(main, smoke_databases=[DB.with_name("bench-outbox-smoke.sqlite3")])
