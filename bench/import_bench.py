"""Benchmark the customer import (customers.imports.plan_import) on a 100,000-row CSV (--rows).

Target (from the issue): a dry run of a 100,000-row CSV at over 2,000 rows/s, on SQLite.

What it measures, on 100,000 seeded customers:

* Two CSV files made the way a user gets one, by exporting the customers
  (parties.exports.csv_lines over customers.exports.customer_rows, newest first) to a temporary folder:
  - "round trip": the export as it is. Importing it must change nothing: every row unchanged and
    no errors, else "ROUND TRIP BROKEN" is printed;
  - "mixed": every other row made a new customer (membership number and user name blank, a new valid
    Indian mobile "+91 9...", another full name from the demo's name pool) and one row in 1,000 of the
    rest edited (another city), so the plan has new, updated and unchanged rows.
* Whether an upload of the files is accepted at all (customers.imports.MAX_BYTES): a file over it is reported
  as "LIMIT HIT" and timed anyway, with plan_import(..., limit_size=False) as the command does (or, where
  plan_import has no such argument, with the limit raised in this process only; nothing is edited).
* The dry run, plan_import(Path(file), "customers.csv"), on each file: rows, seconds, rows/s and the
  plan's counts (new/updated/unchanged/errors), checked against the counts expected.
* The apply step, services.customer_import_apply, for the mixed file inside transaction.atomic() that is
  rolled back (transaction.set_rollback(True)), so the database is left as it was: rows/s.
* The management command once, call_command("import_customers", FILE, "--dry-run"), on the mixed file,
  its report line compared with plan_import's.

When a dry run misses the target (or with --profile), plan_import on the slower file is profiled with
cProfile and the top 25 functions by cumulative time are printed.

It uses bench/bench.sqlite3 (git-ignored), shared with list_bench.py: migrated and seeded with
seed_demo (100,000 customers, seed 1) on the first run, reused afterwards. The settings run with DEBUG
off, as in production, unless DEBUG is set in the environment. Run it from the project root:

    .venv/bin/python bench/import_bench.py              # ~2 minutes once seeded, more with the profile
    .venv/bin/python bench/import_bench.py --profile    # always print the cProfile top list
    .venv/bin/python bench/import_bench.py --db PATH    # another SQLite file (made and seeded if missing)
    .venv/bin/python bench/import_bench.py --smoke      # 1,000 rows on a database of its own

If bench/bench.sqlite3 was made by migrations that have since been rewritten (its tables differ from what
its applied migrations make today), the run stops before migrating and says so: delete the file (or pass
--db) and run again.

The exit status is 0 unless the bench crashed; misses are printed as "TARGET MISSED" lines.
"""

import contextlib
import cProfile
import csv
import io
import pstats
import tempfile
from pathlib import Path

from common import (
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

parser = bench_parser("Benchmark the customer import dry run and apply.", rows=100_000, rows_help="customers and rows")
parser.add_argument("--profile", action="store_true", help="print the cProfile top list even when on target")
ARGS = parse_bench_args(parser, name="import")
DB_PATH = ARGS.db

setup_django(DB_PATH)

import phonenumbers  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from customers import imports  # noqa: E402
from customers.exports import COLUMNS, HEADERS, customer_rows  # noqa: E402
from customers.imports import customers_fingerprint, plan_import  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.services import customer_import_apply  # noqa: E402
from o2vend import demo  # noqa: E402
from parties.exports import csv_lines  # noqa: E402

CUSTOMERS = ARGS.rows
TARGET_ROWS_PER_S = 2_000
EDIT_EVERY = 1_000  # one row in this many of the kept rows gets another city
PROFILE_TOP = 25
MIB = 1024 * 1024
PLAN_OPTIONS: dict = {}  # extra keyword arguments for plan_import (limit_size=False for files over the upload limit)


def export_csv(path: Path) -> int:
    """Write every customer as the export's CSV (UTF-8 with BOM, as downloaded); return the data rows."""
    count = 0

    def counted(rows):
        nonlocal count
        for row in rows:
            count += 1
            yield row

    rows = counted(customer_rows(Customer.objects.order_by("-created_on", "-pk")))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for piece in csv_lines(COLUMNS, rows):  # a line or a batch of lines, depending on the version
            handle.write(piece)
    return count


def new_phones(count: int) -> list[str]:
    """Return `count` valid Indian mobiles "+91 9xxxx xxxxx" that no customer has."""
    taken = set(Customer.objects.values_list("phone_number", flat=True).iterator())
    taken = {str(phone) for phone in taken if phone}
    phones, number = [], 0
    while len(phones) < count:
        number += 1
        digits = f"9{(number * 7919) % 1_000_000_000:09d}"  # spread over the range, still unique
        e164 = f"+91{digits}"
        if e164 in taken or not phonenumbers.is_valid_number(phonenumbers.parse(e164)):
            continue
        phones.append(f"+91 {digits[:5]} {digits[5:]}")
    return phones


def make_mixed(source: Path, target: Path) -> dict:
    """Copy the export, making every other row a new customer and a few others edited; return expected counts."""
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, data = rows[0], rows[1:]
    at = {name: header.index(HEADERS[name]) for name in ("full_name", "username", "membership_number", "city")}
    at["phone_number"] = header.index(HEADERS["phone_number"])
    cities = [city for city, *_rest in demo.CITIES]
    phones = iter(new_phones((len(data) + 1) // 2))
    names = len(demo.FIRST_NAMES) * len(demo.LAST_NAMES)
    expected = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
    for index, row in enumerate(data):
        if index % 2 == 0:
            # A new customer: no code, no user name (both filled in), a new phone and name.
            pick = (index * 37) % names
            first, last = demo.FIRST_NAMES[pick % len(demo.FIRST_NAMES)], demo.LAST_NAMES[pick // len(demo.FIRST_NAMES)]
            full_name = f"{first} {last}"
            row[at["full_name"]] = full_name if full_name != row[at["full_name"]] else f"{first} {last} Jr"
            row[at["membership_number"]] = ""
            row[at["username"]] = ""
            row[at["phone_number"]] = next(phones)
            expected["new"] += 1
        elif index % (2 * EDIT_EVERY) == 1:
            old = row[at["city"]]
            row[at["city"]] = next(city for city in cities[(index // 2) % len(cities) :] + cities if city != old)
            expected["updated"] += 1
        else:
            expected["unchanged"] += 1
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(data)
    return expected


def size_limit(paths: list[Path]) -> list[tuple[Path, str]]:
    """Return the files an upload refuses for their size, and set PLAN_OPTIONS so that they are timed anyway."""
    refused = []
    for path in paths:
        try:
            imports.check_upload("customers.csv", path.stat().st_size)
        except imports.ImportFileError as error:
            refused.append((path, str(error)))
    if refused:
        largest = max(path.stat().st_size for path, _message in refused)
        PLAN_OPTIONS["limit_size"] = False  # what import_customers passes
        how = "plan_import(..., limit_size=False), as the import_customers command does"
        print(
            f"LIMIT HIT: {', '.join(path.name for path, _m in refused)} over the upload size limit "
            f"(customers.imports.MAX_BYTES = {imports.MAX_BYTES / MIB:.0f} MiB; largest {largest / MIB:.1f} MiB): "
            f"the import screen refuses them. Timed with {how}."
        )
    return refused


def counts(plan) -> dict:
    report = plan.report()
    return {key: report[key] for key in ("new", "updated", "unchanged", "errors")}


def dry_run(label: str, path: Path, expected: dict) -> dict:
    """Time plan_import on one file and check its counts."""
    with Timer() as timer:
        plan = plan_import(path, "customers.csv", **PLAN_OPTIONS)
    seconds, cpu = timer.wall, timer.cpu
    got = counts(plan)
    print(
        f"Dry run, {label}: {plan.rows:,} rows in {seconds:.2f} s = {rate(plan.rows, seconds):,.0f} rows/s "
        f"(CPU {cpu:.2f} s = {rate(plan.rows, cpu):,.0f} rows/s)  "
        + "  ".join(f"{key}: {value:,}" for key, value in got.items())
    )
    if got != expected:
        print(f"  COUNTS DIFFER from the expected {expected}")
        for error in plan.errors[:10]:
            print(f"  row {error.row}, {error.column}: {error.message}")
    result = {"label": label, "path": path, "plan": plan, "seconds": seconds, "ok": got == expected}
    return {**result, "rate": rate(plan.rows, seconds), "cpu_rate": rate(plan.rows, cpu)}


def apply_rolled_back(plan) -> dict:
    """Time customer_import_apply for the plan, then roll it back."""
    before = (Customer.objects.count(), customers_fingerprint())
    with transaction.atomic():
        with Timer() as timer:
            result = customer_import_apply(plan=plan, expected_fingerprint=plan.fingerprint)
        transaction.set_rollback(True)
    seconds = timer.wall
    after = (Customer.objects.count(), customers_fingerprint())
    written = result["new"] + result["updated"]
    print(
        f"Apply (rolled back), mixed: {result['new']:,} new + {result['updated']:,} updated in {seconds:.2f} s = "
        f"{rate(plan.rows, seconds):,.0f} file rows/s, {rate(written, seconds):,.0f} written rows/s"
    )
    if before != after:
        print(f"  ROLLBACK FAILED: customers/fingerprint {before} -> {after}")
    return {"seconds": seconds, "rate": rate(plan.rows, seconds), "rolled_back": before == after}


def command_dry_run(path: Path, rows: int, plan_report_line: str) -> dict:
    """Time the management command's dry run once; its progress (sys.stderr) is swallowed."""
    out, err = io.StringIO(), io.StringIO()
    with Timer() as timer, contextlib.redirect_stderr(err):
        try:
            call_command("import_customers", str(path), "--dry-run", stdout=out, stderr=err)
        except SystemExit as exit_:
            print(f"  import_customers exited with {exit_.code}")
    seconds, cpu = timer.wall, timer.cpu
    lines = out.getvalue().splitlines()
    report = lines[0] if lines else ""
    print(
        f"Command dry run, mixed: {rows:,} rows in {seconds:.2f} s = {rate(rows, seconds):,.0f} rows/s "
        f"(CPU {cpu:.2f} s = {rate(rows, cpu):,.0f} rows/s)"
    )
    print(f"  its report: {report!r}; last line: {lines[-1] if lines else ''!r}")
    same = report == plan_report_line
    if not same:
        print(f"  REPORT DIFFERS from plan_import's: {plan_report_line!r}")
    result = {"label": "command, mixed", "seconds": seconds, "ok": same}
    return {**result, "rate": rate(rows, seconds), "cpu_rate": rate(rows, cpu)}


def report_line(plan) -> str:
    """The command's report line, built from a plan, to compare with what the command printed."""
    r = plan.report()
    return (
        f"Rows: {r['rows']:,}  new: {r['new']:,}  updated: {r['updated']:,}  "
        f"unchanged: {r['unchanged']:,}  errors: {r['errors']:,}"
    )


def profile(path: Path, label: str) -> None:
    """Print the cProfile top list of plan_import on one file."""
    profiler = cProfile.Profile()
    with Timer() as timer:
        profiler.runcall(plan_import, path, "customers.csv", **PLAN_OPTIONS)
    print(f"\ncProfile of plan_import, {label} ({timer.wall:.1f} s under the profiler):")
    for order, top in (("cumulative", PROFILE_TOP), ("tottime", 15)):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(top)
        print(f"\nTop {top} by {order} time:")
        print(stream.getvalue().split("\n", 1)[-1].strip("\n"))


def main() -> None:
    print(f"Database: {DB_PATH}  ({load_note()})")
    print(seeded_line(DB_PATH, seed_customers(CUSTOMERS)))
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        round_trip, mixed = Path(folder) / "round-trip.csv", Path(folder) / "mixed.csv"
        with Timer() as timer:
            rows = export_csv(round_trip)
        print(f"Export: {rows:,} rows, {round_trip.stat().st_size / 1e6:.1f} MB in {timer.wall:.1f} s")
        with Timer() as timer:
            expected_mixed = make_mixed(round_trip, mixed)
        print(f"Mixed file: {expected_mixed} expected, made in {timer.wall:.1f} s")
        refused = size_limit([round_trip, mixed])
        print()

        runs = [
            dry_run("round trip", round_trip, {"new": 0, "updated": 0, "unchanged": rows, "errors": 0}),
            dry_run("mixed", mixed, expected_mixed),
        ]
        if not runs[0]["ok"]:
            print("ROUND TRIP BROKEN: importing the unchanged export must give 0 errors and every row unchanged")
        mixed_plan = runs[1]["plan"]
        line = report_line(mixed_plan)
        if not mixed_plan.ok:
            # Rows with errors are in neither plan.new nor plan.updated, so the rest can still be timed.
            print(
                f"Apply: the mixed plan has {mixed_plan.error_rows:,} error rows and the app refuses it; "
                "timed anyway without them (plan.errors cleared in this process)"
            )
            mixed_plan.errors = []
        applied = apply_rolled_back(mixed_plan)
        command = command_dry_run(mixed, mixed_plan.rows, line)

        print(f"\nSummary (target: dry run over {TARGET_ROWS_PER_S:,} rows/s on {CUSTOMERS:,} customers, SQLite)")
        misses = []
        for run in [*runs, command]:
            passed = run["rate"] > TARGET_ROWS_PER_S
            check = "" if run["ok"] else "  (counts/report WRONG)"
            timing = f"{run['rate']:>8,.0f} rows/s  {run['seconds']:>6.2f} s  (CPU {run['cpu_rate']:>6,.0f} rows/s)"
            print(f"  dry run, {run['label']:<15} {timing}  {verdict(passed)}{check}")
            if not passed:
                misses.append(run)
        state = "rolled back" if applied["rolled_back"] else "NOT ROLLED BACK"
        print(f"  apply, mixed (info)      {applied['rate']:>8,.0f} rows/s  {applied['seconds']:>6.2f} s  {state}")
        print(f"  round trip: {'ok (0 errors, all unchanged)' if runs[0]['ok'] else 'ROUND TRIP BROKEN'}")
        for path, message in refused:
            print(f"LIMIT HIT: the import screen refuses {path.name} ({path.stat().st_size / MIB:.1f} MiB): {message}")
        for run in misses:
            target_missed(f"dry run, {run['label']}: {run['rate']:,.0f} rows/s (target {TARGET_ROWS_PER_S:,})")

        if (misses and not ARGS.smoke) or ARGS.profile:
            slowest = min(runs, key=lambda run: run["rate"])
            for run in runs:
                run["plan"] = None  # free the plans before profiling
            mixed_plan = None
            profile(slowest["path"], slowest["label"])


if __name__ == "__main__":
    run_bench(main, smoke_databases=[DB_PATH])
