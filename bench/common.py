"""What the benchmarks share: their command line, Django on a bench database, seeding, timing and verdicts.

Every bench takes `--rows N` (its size), `--db PATH` and `--smoke`: a tiny run on a database of its own
(bench/<name>-smoke.sqlite3, deleted before and after) that checks the bench still works. A smoke run prints
its figures like a full run, but its targets are not judged: a miss prints "not judged (smoke size)" instead
of "TARGET MISSED". Either way the exit status is 0, unless the bench crashed (1).
"""

import argparse
import contextlib
import io
import math
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = ROOT / "bench" / "bench.sqlite3"
SMOKE_ROWS = 1_000
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")

_smoke = False  # set by parse_bench_args: whether targets are judged


def bench_parser(description: str, *, rows: int, rows_help: str, db: Path = BENCH_DB) -> argparse.ArgumentParser:
    """Return a parser with the options every bench has: --rows, --smoke and --db."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--rows", type=int, help=f"{rows_help} (default {rows:,}; {SMOKE_ROWS:,} or fewer with --smoke)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run on its own database, deleted afterwards, that checks the bench still works (not judged)",
    )
    parser.add_argument("--db", type=Path, help=f"SQLite file to use (default: bench/{db.name})")
    parser.set_defaults(full_rows=rows, default_db=db)
    return parser


def parse_bench_args(parser: argparse.ArgumentParser, *, name: str, smoke_rows: int = SMOKE_ROWS) -> argparse.Namespace:
    """Parse the command line; fill in --rows and --db for a full or a smoke run (bench/<name>-smoke.sqlite3)."""
    global _smoke
    args = parser.parse_args()
    _smoke = args.smoke
    if args.rows is None:
        args.rows = smoke_rows if args.smoke else args.full_rows
    if args.db is None:
        args.db = smoke_database(name) if args.smoke else args.default_db
    args.db = args.db.resolve()
    return args


def smoke_database(name: str) -> Path:
    return ROOT / "bench" / f"{name}-smoke.sqlite3"


def remove_database(path: Path) -> None:
    """Delete a SQLite file with its journal files."""
    for suffix in SQLITE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_bench(main: Callable[[], None], *, smoke_databases: Iterable[Path] = ()) -> None:
    """Run a bench's main and exit: 1 when it crashed, else 0 (a missed target is a printed line, not a failure).

    A smoke run's databases are deleted before and after.
    """
    databases = list(smoke_databases) if _smoke else []
    for path in databases:
        remove_database(path)
    status = 0
    try:
        main()
    except Exception:
        traceback.print_exc()
        print("BENCH FAILED: it crashed (traceback above)")
        status = 1
    finally:
        for path in databases:
            remove_database(path)
    if _smoke and not status:
        print("Smoke size: the figures above show that the bench runs; its targets are judged on full runs only.")
    sys.exit(status)


def client_bench_args(description: str, *, name: str, seconds: int, smoke_seconds: int) -> argparse.Namespace:
    """Parse the options of a bench that drives a server with concurrent clients for a while."""
    parser = bench_parser(description, rows=100_000, rows_help="customers to seed")
    parser.add_argument("--database-url", help="another local database, e.g. postgres://... (default: --db)")
    parser.add_argument(
        "--seconds", type=float, help=f"how long the clients run (default {seconds}; {smoke_seconds} with --smoke)"
    )
    parser.add_argument("--clients", type=int, help="concurrent clients (default 8; 2 with --smoke)")
    args = parse_bench_args(parser, name=name)
    args.seconds = args.seconds or (smoke_seconds if args.smoke else seconds)
    args.clients = args.clients or (2 if args.smoke else 8)
    return args


def run_server_bench(main: Callable[[], None], *, smoke_databases: Iterable[Path] = ()) -> None:
    """run_bench for a bench that starts a server: SIGTERM stops it as Ctrl-C does (its finally stops the server)."""

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        run_bench(main, smoke_databases=smoke_databases)
    except KeyboardInterrupt:
        print("Interrupted; the server was stopped.")


def database_url(database: Path | str) -> str:
    """Return a SQLite URL for a path; a URL is returned as it is."""
    return f"sqlite:///{database}" if isinstance(database, Path) else database


def setup_django(database: Path | str, *, production: bool = True) -> None:
    """Point Django at a database (a SQLite file or a URL) and set it up.

    With `production`, DEBUG is off (no query log) unless the environment says otherwise,
    so the figures are what a deployed server would show.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "o2vend.settings"
    os.environ["DATABASE_URL"] = database_url(database)
    if production:
        os.environ.setdefault("DEBUG", "0")
        os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
        os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()


def stale_schema() -> list[str]:
    """Return the tables and columns where the database differs from what its applied migrations make today.

    A file made by migrations that have since been rewritten would fail half-way through migrate,
    after applying some of them; this finds it before anything is written.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    applied = [key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes]
    if not applied:
        return []
    state = executor.loader.graph.make_state(nodes=applied, at_end=True, real_apps=executor.loader.unmigrated_apps)
    differs = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in state.apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if not model._meta.managed or model._meta.proxy:
                continue
            if table not in tables:
                differs.append(f"{table} missing")
                continue
            have = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            want = {field.column for field in model._meta.local_concrete_fields}
            differs += [f"{table}.{column} missing" for column in sorted(want - have)]
            differs += [f"{table}.{column} unexpected" for column in sorted(have - want)]
    return differs


def seed_customers(customers: int) -> dict:
    """Migrate the bench database and add demo customers (seed 1) until there are `customers`.

    Return what was added, in how many seconds, and the total. A database made by migrations that
    have since been rewritten is refused before anything is written, with a message saying what to do.
    """
    from django.core.management import call_command
    from django.db import connection

    from customers.models import Customer

    name = connection.settings_dict["NAME"]
    hint = f"it was made by migrations that have since been rewritten: delete {name}* (or pass --db) and run again"
    stale = stale_schema()
    if stale:
        shown = ", ".join(stale[:5]) + (" ..." if len(stale) > 5 else "")
        raise RuntimeError(f"{name} does not match its migrations ({shown}); nothing was migrated; {hint}")
    try:
        call_command("migrate", verbosity=0)
    except Exception as error:
        raise RuntimeError(f"{name} could not be migrated ({error}); {hint}") from error
    before = Customer.objects.count()
    with Timer() as timer:
        call_command("seed_demo", customers=customers, seed=1, stdout=io.StringIO())
    total = Customer.objects.count()
    return {"added": total - before, "seconds": timer.wall, "total": total}


def seeded_line(database: Path | str, result: dict) -> str:
    """Return the line that reports a seed_customers result."""
    name = database.name if isinstance(database, Path) else database
    return (
        f"Seeding {name}: {result['added']:,} customers added in {result['seconds']:.1f} s "
        f"({result['total']:,} in the database)"
    )


def logged_in_client():
    """Return a test client logged in as the bench superuser, created on the first run."""
    import logging

    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first()
    if user is None:
        user = user_model.objects.create_superuser("bench", "bench@example.in", "bench-password")
    # SERVER_NAME: "testserver" is not in ALLOWED_HOSTS outside the test runner.
    client = Client(SERVER_NAME="localhost")
    logging.getLogger("axes").setLevel(logging.WARNING)  # no "successful login" lines per force_login
    client.force_login(user)
    return client


class Timer(contextlib.AbstractContextManager):
    """Measure a `with` block: afterwards `wall` is its wall-clock time and `cpu` this process's CPU time, in s."""

    wall = cpu = 0.0

    def __enter__(self) -> "Timer":
        self._started = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *exc_info) -> None:
        wall, cpu = self._started
        self.wall, self.cpu = time.perf_counter() - wall, time.process_time() - cpu


def rate(count: float, seconds: float) -> float:
    """Return count per second (0 when no time passed)."""
    return count / seconds if seconds else 0.0


def percentile(values: Iterable[float], share: float) -> float:
    """Return the nearest-rank percentile (share in 0..1) of the values; 0 when there are none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def load_note() -> str:
    """Return the machine's load average and CPU count: other processes inflate wall-clock times."""
    one, five, _fifteen = os.getloadavg()
    busy = " - other processes compete for the CPUs: wall times are inflated" if one > 1.5 else ""
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs{busy}"


def verdict(ok: bool) -> str:
    """Return "PASS", or for a miss "TARGET MISSED" (full run) or "not judged (smoke size)"."""
    if ok:
        return "PASS"
    return "not judged (smoke size)" if _smoke else "TARGET MISSED"


def target_missed(text: str) -> None:
    """Print a missed target (in a smoke run, as not judged)."""
    print(f"{verdict(False)}: {text}")
