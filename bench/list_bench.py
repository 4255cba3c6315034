"""Benchmark the customer list screen (/parties/customers/) on 100,000 customers (--rows).

What it measures, through the real URL, view, FilterSet and template (django.test.Client):

* how long `seed_demo` takes to load the customers (target: 60 s per 100,000);
* for each list case (first, middle and last pages, sorted by date and by name; searches by part of
  a phone number, part of a name and a membership number; a created-on range; page size 100), the
  median and max time of 5 requests after one warm-up (target: 250 ms), and the number of SQL
  queries per request (must be the same for every case).

It uses its own database, bench/bench.sqlite3 (git-ignored), created and seeded on the
first run and reused afterwards (--database-url postgres://... for another database;
--json PATH also writes the figures, as list_scale_bench.py reads them). Run it from the project root:

    .venv/bin/python bench/list_bench.py              # or: make bench
    .venv/bin/python bench/list_bench.py --smoke      # 1,000 customers on a database of its own

Delete bench/bench.sqlite3* to measure seeding from scratch again. The exit status is 0
unless the bench crashed; misses are printed as "TARGET MISSED" lines.
"""

import json
import statistics
import time
from datetime import timedelta
from pathlib import Path

from common import (
    bench_parser,
    logged_in_client,
    parse_bench_args,
    run_bench,
    seed_customers,
    seeded_line,
    setup_django,
    target_missed,
)

PARSER = bench_parser(__doc__.split("\n\n")[0], rows=100_000, rows_help="customers to seed")
PARSER.add_argument("--database-url", help="another database, e.g. postgres://... (default: --db)")
PARSER.add_argument("--json", type=Path, help="also write the figures to this file")
ARGS = parse_bench_args(PARSER, name="list")
DATABASE = ARGS.database_url or ARGS.db
setup_django(DATABASE, production=False)

import phonenumbers  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers import selectors  # noqa: E402
from customers.models import Customer  # noqa: E402

URL = "/parties/customers/"
RUNS = 5
TARGET_MS = 250
SEED_TARGET_S_PER_100K = 60


def seed() -> dict:
    """Migrate and load the demo customers (adds nothing when they are already there)."""
    result = seed_customers(ARGS.rows)
    print(seeded_line(DATABASE, result))
    target = SEED_TARGET_S_PER_100K * max(result["added"], 100_000) / 100_000
    if result["added"] and result["seconds"] > target:
        target_missed(f"seeding {result['added']:,} took {result['seconds']:.1f} s (target {target:.0f} s)")
    return result


def last_page(filters: dict, page_size: int) -> int:
    """Return the last page number of the list for these query parameters."""
    count = selectors.customer_list(filters=filters).count()
    return max(1, -(-count // page_size))


def national(phone: str) -> str:
    """Return an Indian E.164 number as a person types it: "98765 43210"."""
    digits = str(phonenumbers.parse(phone).national_number)
    return f"{digits[:5]} {digits[5:]}"


def cases() -> list[tuple[str, dict]]:
    """Return (name, query parameters) for every case measured; the names are the same at every size."""
    active = Customer.objects.filter(is_active=True).order_by("pk")
    picked = active[min(500, active.count() // 2)]
    phone = str(picked.phone_number)
    bounds = Customer.objects.aggregate(first=Min("created_on"), last=Max("created_on"))
    middle = timezone.localtime(bounds["first"] + (bounds["last"] - bounds["first"]) / 2).date()
    month = {"created_on_after": middle.isoformat(), "created_on_before": (middle + timedelta(days=30)).isoformat()}
    pages = last_page({}, 25)
    return [
        ("page 1", {}),
        ("middle page", {"page": pages // 2}),
        ("last page", {"page": pages}),
        ("by name, middle page", {"o": "full_name", "page": pages // 2}),
        ("by name, last page", {"o": "full_name", "page": pages}),
        ("search: 5 digits of a phone", {"q": phone[-5:]}),
        ("search: a phone as typed", {"q": national(phone)}),
        ("search: part of a name", {"q": picked.full_name.split()[-1][:5]}),
        ("search: membership number", {"q": picked.membership_number}),
        ("created on one month", month),
        ("created on one month, last page", {**month, "page": last_page(month, 25)}),
        ("page_size=100 page 1", {"page_size": 100}),
        ("page_size=100 last page", {"page_size": 100, "page": last_page({}, 100)}),
    ]


def measure(client: Client, params: dict) -> dict:
    """Time RUNS requests after a warm-up; return the timings, query counts and slowest query."""
    assert client.get(URL, params).status_code == 200
    timings, query_counts, slowest = [], set(), ("0", "")
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(URL, params)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        query_counts.add(len(captured))
        slowest = max([slowest, *((q["time"], q["sql"]) for q in captured)], key=lambda item: float(item[0]))
    return {"median": statistics.median(timings), "max": max(timings), "queries": query_counts, "slowest": slowest}


def main() -> None:
    seeding = seed()
    client = logged_in_client()
    results = [(name, params, measure(client, params)) for name, params in cases()]

    width = max(len(name) for name, _, _ in results)
    print(f"\n{'case':<{width}}  {'median ms':>9}  {'max ms':>7}  queries  parameters")
    print("-" * (width + 50))
    for name, params, result in results:
        queries = "/".join(str(n) for n in sorted(result["queries"]))
        print(f"{name:<{width}}  {result['median']:>9.1f}  {result['max']:>7.1f}  {queries:>7}  {params}")
    print()
    if ARGS.json:
        figures = {name: {"median": r["median"], "queries": sorted(r["queries"])} for name, _, r in results}
        ARGS.json.write_text(json.dumps({"vendor": connection.vendor, "seeding": seeding, "cases": figures}))

    misses = [(name, params, result) for name, params, result in results if result["median"] > TARGET_MS]
    for name, params, result in misses:
        seconds, sql = result["slowest"]
        target_missed(f"{name} {params}: median {result['median']:.0f} ms (target {TARGET_MS} ms)")
        print(f"  slowest query ({float(seconds) * 1000:.0f} ms): {sql}")
    counts = {n for _, _, result in results for n in result["queries"]}
    print(f"Every case under {TARGET_MS} ms: {'yes' if not misses else f'NO ({len(misses)} missed)'}")
    print(f"Same query count in every case: {'yes' if len(counts) == 1 else 'NO'} ({sorted(counts)})")
    if len(counts) != 1:
        target_missed(f"query counts differ between cases: {sorted(counts)}")


if __name__ == "__main__":
    run_bench(main, smoke_databases=[] if ARGS.database_url else [ARGS.db])
