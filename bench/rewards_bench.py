"""Benchmark the reward points: earn + redeem calls through the points API under gunicorn, and the expiry job.

What it measures, against 100,000 demo customers (--rows):

* the nightly expiry (loyalty.services.points_expire_run, what the daily job and `expire_points` run):
  every customer gets a lot of 10 opening points expiring on one bench day (bulk-written setup, not
  timed), then the run for that day books one EXPIRE entry per customer. It prints customers per
  second, then runs the same day again (it must book nothing: "PASS" or "TARGET MISSED");
* the API: the production setup (`make serve`: gunicorn, DEBUG off, WORKERS=3 unless set) on plain
  http://127.0.0.1, one branch token, CLIENTS (8) concurrent clients (threads, requests.Session) for
  SECONDS (30) seconds, each repeating: earn on a new bill (POST /api/v1/points/earn/, 1,000.00 for a
  random customer of a small hot set), then redeem 5 points on another new bill for the same customer
  (POST /api/v1/points/redeem/). Every fifth earn is sent twice (a till's retry), which must answer 200
  with the first entry. It prints API calls per second, p50/p95 latency per kind, and the answers that
  were not 200/201 (a redeem refused for a short balance answers 400 and is counted apart);
* afterwards: the entries carrying this run's bill numbers are exactly one per successful call (no
  double earn from the retries), and `verify_points` finds no balance or lot that disagrees with the ledger.

Run it from the project root:

    .venv/bin/python bench/rewards_bench.py                 # SQLite: bench/bench.sqlite3 (git-ignored)
    .venv/bin/python bench/rewards_bench.py --database-url postgres://o2vend:o2vend@127.0.0.1:5432/o2vend_bench
    .venv/bin/python bench/rewards_bench.py --smoke         # 1,000 customers, 2 clients for 3 s, own database

make serve keeps database connections for 60 s (CONN_MAX_AGE, the production default); with CONN_MAX_AGE=0
(the server inherits the environment) every API call opens a new connection, which on PostgreSQL on this
kind of machine more than halves the calls per second.

The exit status is 0 unless the bench crashed.
"""

import io
import json
import os
import random
import secrets
import tempfile
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import requests
from common import (
    Timer,
    client_bench_args,
    database_url,
    load_note,
    percentile,
    rate,
    run_server_bench,
    seed_customers,
    seeded_line,
    setup_django,
    verdict,
)
from load_bench import HOST, LOCAL_DB_HOSTS, free_port, start_server, stop_server, wait_until_ready

HOT_CUSTOMERS = 50
REQUEST_TIMEOUT_S = 30
LOT_POINTS = 10


def prepare_expiry(day) -> int:
    """Give every customer a lot of LOT_POINTS expiring on `day` (bulk setup, like an import); return how many."""
    from django.db import transaction
    from django.db.models import F

    from customers.models import Customer
    from loyalty.models import PointsEntry, PointsLot

    ids = list(Customer.objects.values_list("pk", flat=True).order_by("pk"))
    balances = dict(Customer.objects.values_list("pk", "points_balance"))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        with transaction.atomic():
            entries = PointsEntry.objects.bulk_create(
                PointsEntry(
                    customer_id=pk,
                    points=LOT_POINTS,
                    kind="opening",
                    reason="Bench opening points",
                    balance_after=balances[pk] + LOT_POINTS,
                )
                for pk in chunk
            )
            PointsLot.objects.bulk_create(
                PointsLot(customer_id=e.customer_id, entry=e, points=LOT_POINTS, remaining=LOT_POINTS, expires_on=day)
                for e in entries
            )
            Customer.objects.filter(pk__in=chunk).update(points_balance=F("points_balance") + LOT_POINTS)
    return len(ids)


def bench_expiry() -> None:
    import datetime

    from django.utils import timezone

    from loyalty.models import PointsLot
    from loyalty.services import points_expire_run

    day = timezone.localdate() + datetime.timedelta(days=3650)
    left = PointsLot.objects.filter(expires_on=day, remaining__gt=0).count()
    with Timer() as setup:
        customers = left or prepare_expiry(day)
    print(f"Expiry setup: {customers:,} customers with a lot expiring on {day} ({setup.wall:.1f} s, not timed)")
    with Timer() as timer:
        result = points_expire_run(day=day)
    print(
        f"Expiry run for {day}: {result['customers']:,} customers, {result['points']:,} points in {timer.wall:.1f} s: "
        f"{rate(result['customers'], timer.wall):,.0f} customers per second ({load_note()})"
    )
    with Timer() as again_timer:
        again = points_expire_run(day=day)
    print(f"The same day again: {again['customers']} customers, {again['points']} points in {again_timer.wall:.2f} s")
    print(f"{verdict(again['customers'] == 0 and result['customers'] >= customers)}: a second run books nothing more")


class Till(threading.Thread):
    """One till: earn then redeem, over and over, until the deadline."""

    def __init__(self, number: int, port: int, key: str, customers: list[int], run_id: str, deadline: float):
        super().__init__(daemon=True, name=f"till-{number}")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        self.base = f"http://{HOST}:{port}/api/v1/points/"
        self.number, self.customers, self.run_id, self.deadline = number, customers, run_id, deadline
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.answers: Counter = Counter()
        self.booked: set[str] = set()  # bill numbers the server said it booked
        self.problems: list[str] = []

    def post(self, kind: str, path: str, data: dict) -> requests.Response | None:
        started = time.perf_counter()
        try:
            answer = self.session.post(self.base + path, data=json.dumps(data), timeout=REQUEST_TIMEOUT_S)
        except requests.RequestException as error:
            self.answers[f"{kind}: no answer"] += 1
            self.problems.append(f"{kind}: {error!r}")
            return None
        self.timings[kind].append(time.perf_counter() - started)
        self.answers[f"{kind}: {answer.status_code}"] += 1
        if answer.status_code >= 500 or answer.status_code in (401, 403, 429):
            self.problems.append(f"{kind}: {answer.status_code} {answer.text[:200]}")
        return answer

    def run(self) -> None:
        call = 0
        while time.monotonic() < self.deadline:
            call += 1
            customer = random.choice(self.customers)
            bill = f"{self.run_id}-{self.number}-{call}"
            earn = {"customer": customer, "bill_number": f"E{bill}", "amount": "1000.00"}
            answer = self.post("earn", "earn/", earn)
            if answer is not None and answer.status_code == 201:
                self.booked.add(f"E{bill}")
                if call % 5 == 0:
                    retry = self.post("earn retry", "earn/", earn)
                    if retry is not None and (retry.status_code != 200 or retry.json()["id"] != answer.json()["id"]):
                        self.problems.append(f"earn retry of {bill} answered {retry.status_code} {retry.text[:120]}")
            redeem = {"customer": customer, "bill_number": f"R{bill}", "points": 5, "bill_amount": "1000.00"}
            answer = self.post("redeem", "redeem/", redeem)
            if answer is not None and answer.status_code == 201:
                self.booked.add(f"R{bill}")


def bench_api(url: str, clients: int, seconds: float) -> None:
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    from customers.models import Customer
    from loyalty import services
    from loyalty.models import PointsEntry
    from parties.models import Branch

    branch = Branch.objects.filter(code="BENCH").first() or Branch.objects.create(name="Bench branch", code="BENCH")
    _token, key = services.api_token_create(name="Bench till", branch=branch, user=None)
    customers = list(
        Customer.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:HOT_CUSTOMERS]
    )
    run_id = secrets.token_hex(3)
    connections.close_all()
    cache.clear()
    os.environ["API_THROTTLE_RATE"] = "1000000/min"  # the server's throttle must not cap the measurement
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="rewards_bench_server_", suffix=".log", delete=False)  # noqa: SIM115
    print(f"Server: make serve (gunicorn, {os.environ.get('WORKERS', '3')} workers) on port {port}, log {log.name}")
    server = None
    try:
        server = start_server(url, port, log)
        wait_until_ready(server, port)
        deadline = time.monotonic() + seconds
        tills = [Till(n, port, key, customers, run_id, deadline) for n in range(1, clients + 1)]
        started = time.monotonic()
        for till in tills:
            till.start()
        for till in tills:
            till.join()
        elapsed = time.monotonic() - started
    finally:
        stop_server(server)
        log.close()
    answers: Counter = Counter()
    timings: dict[str, list[float]] = defaultdict(list)
    for till in tills:
        answers.update(till.answers)
        for kind, values in till.timings.items():
            timings[kind].extend(values)
    calls = sum(len(values) for values in timings.values())
    print(f"API: {clients} clients for {elapsed:.1f} s, {calls:,} calls: {rate(calls, elapsed):,.1f} calls per second")
    earns_redeems = len(timings["earn"]) + len(timings["redeem"])
    print(f"  earn + redeem calls per second: {rate(earns_redeems, elapsed):,.1f} ({load_note()})")
    for kind in ("earn", "earn retry", "redeem"):
        values = timings.get(kind, [])
        print(
            f"  {kind:<11} {len(values):>7,} calls  p50 {percentile(values, 0.5) * 1000:7.1f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:7.1f} ms"
        )
    print("  answers: " + ", ".join(f"{name} ×{count}" for name, count in sorted(answers.items())))
    problems = [text for till in tills for text in till.problems]
    for text in problems[:10]:
        print(f"  problem: {text}")
    booked = set().union(*(till.booked for till in tills))
    stored = PointsEntry.objects.filter(bill_number__in=booked).values_list("bill_number", flat=True)
    stored_bills = Counter(stored)
    ours = PointsEntry.objects.filter(branch=branch, bill_number__contains=f"{run_id}-").count()
    duplicated = [bill for bill, count in stored_bills.items() if count > 1]
    out = io.StringIO()
    try:
        call_command("verify_points", stdout=out, stderr=io.StringIO())
        mismatches = 0
    except SystemExit:
        mismatches = sum(1 for line in out.getvalue().splitlines() if "MISMATCH" in line)
    print(f"{verdict(not problems)}: {len(problems)} failed calls (5xx, 401/403/429 or no answer; target 0)")
    same = ours == len(booked) and not duplicated
    print(f"{verdict(same)}: {ours:,} entries for {len(booked):,} booked bills (target: equal)")
    print(f"{verdict(not mismatches)}: verify_points found {mismatches} balances or lots off the ledger (target 0)")


def run(args) -> None:
    url = args.database_url or database_url(args.db)
    parts = urlsplit(url)
    if not parts.scheme.startswith("sqlite") and (parts.hostname or "") not in LOCAL_DB_HOSTS:
        raise RuntimeError(f"only local databases are used; refusing {parts.hostname!r}")
    setup_django(url, production=False)
    from django.db import connection

    print(seeded_line(connection.settings_dict["NAME"], seed_customers(args.rows)))
    bench_expiry()
    print()
    bench_api(url, args.clients, args.seconds)


def main() -> None:
    args = client_bench_args(__doc__.split("\n\n")[0], name="rewards", seconds=30, smoke_seconds=3)
    run_server_bench(lambda: run(args), smoke_databases=[args.db])


if __name__ == "__main__":
    main()
