"""Benchmark how the customer list grows with the table: 100,000 and 1,000,000 customers, SQLite and PostgreSQL.

It runs list_bench.py (the same cases through the real URL, view, FilterSet and template) at both sizes
on each database, in child processes, and prints each case's median at both sizes and the growth factor
between them. Targets: every case at 1,000,000 customers in 250 ms or less, growth 1.5x or less (where
OFFSET and COUNT would grow 10x), and the same number of queries at both sizes.

Databases (created and seeded on the first run, reused after; seeding 1,000,000 takes minutes):
bench/bench.sqlite3 (shared with the other benches) and bench/bench-1m.sqlite3; on the PostgreSQL server
of --postgres (default: $BENCH_POSTGRES_URL or the local o2vend login), the databases o2vend_bench_100k and
o2vend_bench_1m, created when missing. A server that does not answer is reported and its columns skipped.

    .venv/bin/python bench/list_scale_bench.py              # or: make bench
    .venv/bin/python bench/list_scale_bench.py --smoke      # 200 and 2,000 customers, databases deleted after
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, bench_parser, load_note, parse_bench_args, run_bench, smoke_database, target_missed

PARSER = bench_parser(
    __doc__.split("\n\n")[0], rows=100_000, rows_help="customers in the smaller run (10x in the larger)"
)
PARSER.add_argument(
    "--postgres",
    default=os.environ.get("BENCH_POSTGRES_URL", "postgres://o2vend:o2vend@127.0.0.1:5432/postgres"),
    help="a PostgreSQL server to create the bench databases on (its URL, any database)",
)
ARGS = parse_bench_args(PARSER, name="list-scale", smoke_rows=200)
SMALL, LARGE = ARGS.rows, 10 * ARGS.rows
TARGET_MS = 250
GROWTH_TARGET = 1.5
SMOKE_PG = ("o2vend_bench_smoke_small", "o2vend_bench_smoke_large")


def sqlite_databases() -> tuple[Path, Path]:
    if ARGS.smoke:
        return smoke_database("list-scale-small"), smoke_database("list-scale-large")
    return ROOT / "bench" / "bench.sqlite3", ROOT / "bench" / "bench-1m.sqlite3"


def postgres_databases() -> tuple[str, str] | None:
    """Return the URLs of the two PostgreSQL bench databases, created when missing; None if no server answers."""
    import psycopg

    names = SMOKE_PG if ARGS.smoke else ("o2vend_bench_100k", "o2vend_bench_1m")
    try:
        with psycopg.connect(ARGS.postgres, connect_timeout=3, autocommit=True) as server:
            for name in names:
                if ARGS.smoke:
                    server.execute(f'DROP DATABASE IF EXISTS "{name}"')
                if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    server.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        target_missed(
            f"PostgreSQL at {ARGS.postgres} did not answer ({error.__class__.__name__}): its columns are skipped"
        )
        return None
    base = ARGS.postgres.rsplit("/", 1)[0]
    return f"{base}/{names[0]}", f"{base}/{names[1]}"


def drop_smoke_postgres() -> None:
    import psycopg

    try:
        with psycopg.connect(ARGS.postgres, connect_timeout=3, autocommit=True) as server:
            for name in SMOKE_PG:
                server.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except psycopg.Error:
        pass


def list_bench(database: Path | str, rows: int) -> dict:
    """Run list_bench.py on one database and size; return the figures it wrote."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.json"
        where = ["--database-url", database] if isinstance(database, str) else ["--db", str(database)]
        command = [sys.executable, str(ROOT / "bench" / "list_bench.py"), "--rows", str(rows), *where]
        command += ["--json", str(figures)] + (["--smoke"] if ARGS.smoke else [])
        print(f"\n== list_bench.py on {rows:,} customers: {database} ==", flush=True)
        finished = subprocess.run(command, cwd=ROOT, check=False)
        if finished.returncode or not figures.exists():
            raise RuntimeError(f"list_bench.py on {database} ({rows:,} customers) crashed")
        return json.loads(figures.read_text())


def summary(results: dict[str, tuple[dict, dict]]) -> None:
    print(f"\nThe list at {SMALL:,} and {LARGE:,} customers (median ms; growth = larger / smaller):")
    cases = list(next(iter(results.values()))[0]["cases"])
    width = max(len(case) for case in cases)
    print(f"{'':<{width}}" + "".join(f"  {vendor:^27}" for vendor in results))
    print(f"{'case':<{width}}" + f"  {SMALL:>10,} {LARGE:>9,} {'growth':>6}" * len(results))
    misses = []
    for case in cases:
        line = f"{case:<{width}}"
        for vendor, (small, large) in results.items():
            before, after = small["cases"][case], large["cases"][case]
            growth = after["median"] / before["median"] if before["median"] else 0.0
            line += f"  {before['median']:>10.1f} {after['median']:>9.1f} {growth:>5.2f}x"
            if after["median"] > TARGET_MS:
                misses.append(f"{vendor} {case}: {after['median']:.0f} ms at {LARGE:,} (target {TARGET_MS} ms)")
            if growth > GROWTH_TARGET:
                misses.append(
                    f"{vendor} {case}: grew {growth:.2f}x from {SMALL:,} to {LARGE:,} (target {GROWTH_TARGET}x)"
                )
            if before["queries"] != after["queries"]:
                misses.append(
                    f"{vendor} {case}: {before['queries']} queries at {SMALL:,}, {after['queries']} at {LARGE:,}"
                )
        print(line)
    for vendor, (_small, large) in results.items():
        print(
            f"Seeding on {vendor}: {large['seeding']['added']:,} customers added in {large['seeding']['seconds']:.1f} s"
        )
    print()
    for miss in misses:
        target_missed(miss)
    print(f"Every case within {TARGET_MS} ms and {GROWTH_TARGET}x growth: {'yes' if not misses else 'NO'}")


def main() -> None:
    print(f"Before: {load_note()}")
    results = {}
    small_db, large_db = sqlite_databases()
    results["SQLite"] = (list_bench(small_db, SMALL), list_bench(large_db, LARGE))
    postgres = postgres_databases()
    if postgres:
        try:
            results["PostgreSQL"] = (list_bench(postgres[0], SMALL), list_bench(postgres[1], LARGE))
        finally:
            if ARGS.smoke:
                drop_smoke_postgres()
    print(f"After: {load_note()}")
    summary(results)


if __name__ == "__main__":
    run_bench(main, smoke_databases=list(sqlite_databases()) if ARGS.smoke else [])
