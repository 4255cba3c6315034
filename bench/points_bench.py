"""Benchmark hand adjustments of loyalty points (loyalty.services.adjust_points) on SQLite.

What it measures (target: over 300 adjustments per second, with zero mismatches afterwards):

* single process: ADJUSTMENTS calls (2,000, or --rows) to adjust_points spread over CUSTOMERS customers, mixing
  additions and take-aways; a take-away larger than the balance is refused with ValidationError
  and counted as "refused". It prints calls per second (ok + refused) and successful calls per second;
* 4 concurrent workers (separate processes, spawn start method, each with its own Django setup and
  connection) doing ADJUSTMENTS / 4 calls each against the SAME few customers, released together by
  an Event once all have connected. It prints calls per second over the wall-clock time from release to
  the last join, and the counts of ok / refused / errors (any other exception, e.g. "database is locked",
  is an error and is printed);
* afterwards, the same check as `manage.py verify_points` (loyalty.selectors.points_mismatches), that no
  stored balance and no entry's balance_after is negative, that the number of ledger entries equals the
  number of successful calls, and that each customer's balance_after values form an unbroken running sum
  (a duplicated balance_after would mean two transactions read the same balance: a lost lock).

It uses its own database, bench/points-bench.sqlite3 (git-ignored), deleted and migrated afresh on every
run, with the project's SQLite settings (IMMEDIATE transactions, timeout 20 s, WAL). Run it from the
project root:

    .venv/bin/python bench/points_bench.py
    .venv/bin/python bench/points_bench.py --smoke    # 400 adjustments on a database of its own

The exit status is 0 unless the bench crashed; misses are printed as "TARGET MISSED" lines.
"""

import multiprocessing
import queue
import random
import time
import traceback
from collections import Counter
from pathlib import Path

from common import (
    ROOT,
    bench_parser,
    parse_bench_args,
    percentile,
    rate,
    remove_database,
    run_bench,
    setup_django,
    target_missed,
    verdict,
)

# A spawned worker runs this module again, with the same command line: it finds the same database.
ARGS = parse_bench_args(
    bench_parser(
        __doc__.split("\n\n")[0], rows=2_000, rows_help="adjustments", db=ROOT / "bench" / "points-bench.sqlite3"
    ),
    name="points",
    smoke_rows=400,
)
DB_PATH = ARGS.db
setup_django(DB_PATH, production=False)

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from customers.models import Customer  # noqa: E402
from loyalty.models import PointsEntry  # noqa: E402
from loyalty.selectors import points_mismatches  # noqa: E402
from loyalty.services import adjust_points  # noqa: E402

CUSTOMERS = 20
CONTENDED = 3  # the concurrent workers all adjust the first CONTENDED customers
ADJUSTMENTS = ARGS.rows
WORKERS = 4
TARGET_PER_S = 300
REASON = "bench"


def fresh_database() -> list[int]:
    """Delete the bench database, migrate it and create CUSTOMERS customers; return their pks."""
    remove_database(DB_PATH)
    call_command("migrate", verbosity=0)
    return [
        Customer.objects.create(full_name=f"Bench Customer {n}", username=f"bench-customer-{n}").pk
        for n in range(CUSTOMERS)
    ]


def run_calls(customer_pks: list[int], calls: int, seed: int) -> dict:
    """Make `calls` adjustments over these customers; return counts, elapsed seconds and latencies."""
    customers = list(Customer.objects.filter(pk__in=customer_pks).only("pk", "points_balance"))
    rng = random.Random(seed)
    counts = Counter()
    errors = []
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        customer = rng.choice(customers)
        # Slightly more taken away than added on average, so that refusals keep happening.
        points = rng.randint(1, 50) if rng.random() < 0.55 else -rng.randint(1, 80)
        call_started = time.perf_counter()
        try:
            adjust_points(customer=customer, points=points, reason=REASON, user=None)
            counts["ok"] += 1
        except ValidationError:
            counts["refused"] += 1
        except Exception as exc:  # every other failure is counted and reported
            counts["errors"] += 1
            if len(errors) < 5:
                errors.append(f"{type(exc).__name__}: {exc} (raised in {where(exc)})")
        latencies.append(time.perf_counter() - call_started)
    elapsed = time.perf_counter() - started
    return {"counts": counts, "errors": errors, "elapsed": elapsed, "latencies": latencies}


def where(exc: Exception) -> str:
    """Return file:line of the innermost project frame (not the venv) the exception passed through."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if str(ROOT) in f.filename and ".venv" not in f.filename
    ]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{Path(frame.filename).relative_to(ROOT) if str(ROOT) in frame.filename else frame.filename}:{frame.lineno}"


def worker(index: int, customer_pks: list[int], calls: int, ready, start, results) -> None:
    """One concurrent worker process: its own Django setup and connection, then `calls` adjustments."""
    try:  # Django was set up when the spawned process imported this module
        connections.close_all()  # never reuse a connection inherited from the parent
        Customer.objects.exists()  # open this process's connection before the start signal
    except Exception as exc:  # reported to the parent instead of dying silently
        ready.put((index, f"worker {index} could not start: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        return
    ready.put((index, None))
    start.wait()
    try:
        result = run_calls(customer_pks, calls, seed=1000 + index)
    except Exception as exc:  # reported to the parent instead of dying silently
        result = {
            "counts": Counter(errors=calls),
            "errors": [f"worker {index} crashed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"],
            "elapsed": 0.0,
            "latencies": [],
        }
    finally:
        connections.close_all()
    results.put((index, result))


def collect(processes: list, messages, count: int) -> dict:
    """Return up to `count` (index, payload) messages; stop early when every process has died."""
    received = {}
    while len(received) < count:
        try:
            index, payload = messages.get(timeout=1)
            received[index] = payload
        except queue.Empty:
            if not any(process.is_alive() for process in processes) and messages.empty():
                break
    return received


def latency_line(latencies: list[float]) -> str:
    parts = [f"p{int(f * 100)} {percentile(latencies, f) * 1000:.1f} ms" for f in (0.5, 0.9, 0.99)]
    return "latency " + ", ".join(parts) + f", max {max(latencies, default=0) * 1000:.1f} ms"


def run_concurrent(customer_pks: list[int]) -> dict:
    """Run WORKERS processes released together; return merged counts and the wall-clock time."""
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    connections.close_all()  # the children must not share the parent's connection
    calls = ADJUSTMENTS // WORKERS
    processes = [
        context.Process(target=worker, args=(index, customer_pks, calls, ready, start, results))
        for index in range(WORKERS)
    ]
    for process in processes:
        process.start()
    # Wait until every worker has set Django up and opened its connection, then release them together.
    errors = [message for message in collect(processes, ready, WORKERS).values() if message]
    started = time.perf_counter()
    start.set()
    by_worker = collect(processes, results, WORKERS)
    for process in processes:
        process.join()
    wall = time.perf_counter() - started
    counts = Counter()
    latencies = []
    missing = sorted(set(range(WORKERS)) - set(by_worker))
    if missing:
        counts["errors"] += len(missing) * calls
        errors.append(f"workers {missing} did not report (see the errors above and below)")
    for index in sorted(by_worker):
        counts.update(by_worker[index]["counts"])
        errors.extend(by_worker[index]["errors"])
        latencies.extend(by_worker[index]["latencies"])
    return {
        "counts": counts,
        "errors": errors,
        "wall": wall,
        "latencies": latencies,
        "exit_codes": [process.exitcode for process in processes],
        "own_times": [round(by_worker[index]["elapsed"], 2) for index in sorted(by_worker)],
    }


def broken_chains() -> list[str]:
    """Return a line per customer whose entries' balance_after is not the running sum of their points."""
    problems = []
    running: dict[int, int] = {}
    rows = PointsEntry.objects.order_by("pk").values_list("customer_id", "points", "balance_after")
    for customer_id, points, balance_after in rows.iterator(chunk_size=5000):
        expected = running.get(customer_id, 0) + points
        if balance_after != expected:
            problems.append(f"customer {customer_id}: balance_after {balance_after}, running sum {expected}")
        running[customer_id] = expected
    return problems


def ratio(per_second: float) -> str:
    return f"{per_second / TARGET_PER_S:.1f}x the target of {TARGET_PER_S}"


def main() -> None:
    lines = []  # summary lines
    customer_pks = fresh_database()
    print(f"Database {DB_PATH.relative_to(ROOT)}: migrated, {len(customer_pks)} customers created")

    # 1. Single process.
    single = run_calls(customer_pks, ADJUSTMENTS, seed=1)
    counts = single["counts"]
    calls = counts["ok"] + counts["refused"]  # errors are left out of the rate: they can fail fast
    single_rate = rate(calls, single["elapsed"])
    print(
        f"\nSingle process: {ADJUSTMENTS:,} calls in {single['elapsed']:.2f} s: "
        f"ok {counts['ok']:,}, refused {counts['refused']:,}, errors {counts['errors']:,}"
    )
    print(
        f"  {single_rate:,.0f} calls/s (ok + refused), {rate(counts['ok'], single['elapsed']):,.0f} ok/s; "
        f"{latency_line(single['latencies'])}"
    )
    for error in single["errors"]:
        print(f"  ERROR: {error}")
    lines.append((f"single: {single_rate:,.0f} adj/s ({ratio(single_rate)})", single_rate > TARGET_PER_S))
    lines.append((f"single errors: {counts['errors']}", counts["errors"] == 0))
    ok_total = counts["ok"]

    # 2. Concurrent workers on the same few customers.
    contended = customer_pks[:CONTENDED]
    concurrent = run_concurrent(contended)
    counts = concurrent["counts"]
    calls = counts["ok"] + counts["refused"]  # errors are left out of the rate: they can fail fast
    concurrent_rate = rate(calls, concurrent["wall"])
    print(
        f"\n{WORKERS} workers on {CONTENDED} customers: {ADJUSTMENTS // WORKERS * WORKERS:,} calls "
        f"in {concurrent['wall']:.2f} s wall-clock: "
        f"ok {counts['ok']:,}, refused {counts['refused']:,}, errors {counts['errors']:,} "
        f"(exit codes {concurrent['exit_codes']})"
    )
    print(f"  each worker's own time for its {ADJUSTMENTS // WORKERS} calls: {concurrent['own_times']} s")
    print(
        f"  {concurrent_rate:,.0f} calls/s (ok + refused), {rate(counts['ok'], concurrent['wall']):,.0f} ok/s; "
        f"{latency_line(concurrent['latencies'])}"
    )
    if counts["errors"]:
        print(f"  !!! {counts['errors']} CALLS FAILED WITH AN ERROR (not a refusal); first ones:")
    for error in concurrent["errors"]:
        print(f"  ERROR: {error}")
    workers_ok = counts["errors"] == 0 and all(code == 0 for code in concurrent["exit_codes"])
    lines.append(
        (f"{WORKERS} workers: {concurrent_rate:,.0f} adj/s ({ratio(concurrent_rate)})", concurrent_rate > TARGET_PER_S)
    )
    lines.append((f"{WORKERS} workers errors: {counts['errors']}", workers_ok))
    ok_total += counts["ok"]

    # 3. Checks afterwards.
    mismatches = points_mismatches()
    for customer, stored, ledger in mismatches:
        print(f"MISMATCH customer {customer.pk} ({customer.full_name}): stored {stored}, ledger {ledger}")
    negative_balances = Customer.objects.filter(points_balance__lt=0).count()
    negative_entries = PointsEntry.objects.filter(balance_after__lt=0).count()
    entries = PointsEntry.objects.count()
    chains = broken_chains()
    for problem in chains[:10]:
        print(f"BROKEN CHAIN {problem}")
    balances = dict(Customer.objects.filter(pk__in=contended).values_list("pk", "points_balance"))
    print(f"\nContended customers' balances afterwards: {balances}")
    lines.append((f"verify_points mismatches: {len(mismatches)}", not mismatches))
    lines.append(
        (
            f"negative balances: {negative_balances}, negative balance_after: {negative_entries}",
            not (negative_balances or negative_entries),
        )
    )
    lines.append((f"ledger entries: {entries:,} for {ok_total:,} successful calls", entries == ok_total))
    lines.append((f"balance_after breaks in the running sum: {len(chains)}", not chains))

    print("\nSummary")
    for text, passed in lines:
        print(f"  {text} {'OK' if passed else verdict(False)}")
    for text, passed in lines:
        if not passed:
            target_missed(text)
    if all(passed for _, passed in lines):
        print("All targets met.")


if __name__ == "__main__":
    run_bench(main, smoke_databases=[DB_PATH])
