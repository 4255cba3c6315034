"""Benchmark the background jobs: jobs per second through the engine, and an export job's throughput.

* Jobs per second: N jobs that do nothing are queued (jobs.services.job_start: a Job row and the
  engine's task row, in one transaction each) and drained by one worker (`db_worker --batch`, run
  in this process); both rates are printed.
* Export job: the customer export of every customer (CSV) run as a job, from the queue to the
  stored file (keyset batches, progress, storage), against two figures timed in the same run:
  the bare baseline (the customers table read with a plain cursor and written with csv.writer) and
  the inline export (the same export's rows and writer, one query, no job). Target: the job keeps
  >= 0.5x the bare baseline's rows per second.

It runs on its own SQLite file, bench/bench-jobs.sqlite3 (git-ignored; created, migrated and seeded
on the first run, reused after). Run it from the project root:

    .venv/bin/python bench/jobs_bench.py                # 100,000 customers, 1,000 jobs
    .venv/bin/python bench/jobs_bench.py --smoke        # 2,000 customers, 50 jobs: seconds
"""

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, setup_django

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this module is also the no-op job's home


def nothing(run) -> dict:
    """The job the engine's rate is measured with."""
    return {}


def drain() -> None:
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def jobs_per_second(count: int, owner) -> None:
    from jobs.models import Job
    from jobs.services import job_start

    started = time.perf_counter()
    for number in range(count):
        job_start(kind="jobs_bench.nothing", title=f"Nothing {number}", owner=owner, params={})
    queued = time.perf_counter() - started
    started = time.perf_counter()
    drain()
    ran = time.perf_counter() - started
    done = Job.objects.filter(kind="jobs_bench.nothing", state=Job.State.SUCCEEDED).count()
    print(f"Jobs: {count:,} queued at {count / queued:,.0f}/s; run by one worker at {count / ran:,.0f} jobs/s")
    if done < count:
        print(f"TARGET MISSED: only {done:,} of {count:,} jobs succeeded")


def bare_baseline(target) -> int:
    from django.db import connection

    from customers.models import Customer

    rows = 0
    with target.open("w", newline="", encoding="utf-8") as handle, connection.cursor() as cursor:
        writer = csv.writer(handle)
        cursor.execute(f"SELECT * FROM {Customer._meta.db_table} ORDER BY created_on DESC, id DESC")
        while chunk := cursor.fetchmany(2000):
            writer.writerows(chunk)
            rows += len(chunk)
    return rows


def inline_export(target) -> int:
    from django.http import QueryDict

    from customers import exports, selectors
    from parties.exports import csv_lines

    queryset = selectors.customer_list(filters=QueryDict("status=all"), user=None)
    with target.open("w", encoding="utf-8") as handle:
        for piece in csv_lines(exports.COLUMNS, exports.customer_rows(queryset)):
            handle.write(piece)
    return queryset.count()


def export_job(owner) -> int:
    from django.http import QueryDict

    from jobs.models import Job
    from parties.export_jobs import export_job_start

    job = export_job_start(
        export="customers.exports.CUSTOMER_EXPORT",
        source="customers.selectors.customer_list",
        stem="customers",
        title="Customers export",
        file_format="csv",
        filters=QueryDict("status=all"),
        user=owner,
    )
    drain()
    job = Job.objects.get(pk=job.pk)
    if job.state != Job.State.SUCCEEDED:
        raise SystemExit(f"The export job failed: {job.error}")
    job.file.delete(save=False)
    return job.done


def timed(work, *args) -> tuple[int, float]:
    started = time.perf_counter()
    rows = work(*args)
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check the bench runs")
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "bench-jobs.sqlite3")
    options = parser.parse_args()
    customers, jobs = (2_000, 50) if options.smoke else (100_000, 1_000)
    if options.smoke:
        options.db = options.db.with_name("bench-jobs-smoke.sqlite3")
    with tempfile.TemporaryDirectory() as media:
        import os

        os.environ["MEDIA_ROOT"] = media
        setup_django(options.db)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from customers.models import Customer
        from o2vend import demo

        call_command("migrate", verbosity=0)
        if Customer.objects.count() < customers:
            started = time.perf_counter()
            added = demo.seed_customers(count=customers, seed=7)
            print(f"Seeded {added:,} customers in {time.perf_counter() - started:.1f} s")
        owner, _ = get_user_model().objects.get_or_create(username="bench-jobs", defaults={"is_superuser": True})
        jobs_per_second(jobs, owner)
        folder = Path(media)
        figures = {}
        for _run in range(2):  # best of two, interleaved
            for name, work in (("bare", bare_baseline), ("inline", inline_export)):
                rows, seconds = timed(work, folder / f"{name}.csv")
                figures[name] = max(figures.get(name, 0), rows / seconds)
            rows, seconds = timed(export_job, owner)
            figures["job"] = max(figures.get("job", 0), rows / seconds)
        print(f"Export of {rows:,} customers (CSV), rows/s, best of two:")
        print(f"  bare baseline (cursor + csv.writer) {figures['bare']:>10,.0f}")
        print(f"  inline export (one query, no job)   {figures['inline']:>10,.0f}")
        print(f"  export job (queue to stored file)   {figures['job']:>10,.0f}")
        ratio = figures["job"] / figures["bare"]
        print(f"  job / bare = {ratio:.2f}x (target >= 0.5x); job / inline = {figures['job'] / figures['inline']:.2f}x")
        if ratio < 0.5 and not options.smoke:
            print("TARGET MISSED: the export job is slower than half the bare baseline")
    if options.smoke:
        options.db.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{options.db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
