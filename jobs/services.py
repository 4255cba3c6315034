"""Every write to jobs: start one, claim it for an attempt, report progress, finish it, recover it.

A job is queued on the task engine (django-tasks with its database backend) in the same
transaction that creates it, so a rolled-back request queues nothing. The attempt that
claims a job is the only one that may finish it: a job run twice records its result once,
and a file written by a losing attempt is removed.
"""

import datetime
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import DailyRun, Job, Worker
from jobs.schedule import daily_jobs

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


def job_start(*, kind: str, title: str, owner: Any, params: dict[str, Any], total: int | None = None) -> Job:
    """Create a job and queue it for a worker; nothing is queued if the surrounding transaction rolls back."""
    from jobs.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            owner=owner if getattr(owner, "pk", None) else None,
            params=params,
            total=total,
        )
        run_job.enqueue(job_id=job.pk)
    return job


def job_claim(*, job_id: int, worker_id: str) -> Job | None:
    """Take a queued job for one attempt; None when it is running elsewhere or already finished."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING,
            attempts=F("attempts") + 1,
            worker_id=worker_id[:64],
            started_at=now,
            heartbeat_at=now,
            error="",
        )
    return Job.objects.get(pk=job_id) if claimed else None


def _mine(job: Job) -> QuerySet[Job]:
    """The row an attempt may still write: its own job, while it runs."""
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts)


def job_succeed(*, job: Job, result: dict[str, Any], file_name: str = "", stored_name: str = "") -> bool:
    """Record an attempt's result; False (nothing written) when the attempt no longer owns the job."""
    now = timezone.now()
    changes: dict[str, Any] = {"state": Job.State.SUCCEEDED, "finished_at": now, "heartbeat_at": now, "result": result}
    if job.total is not None or "rows" in result:
        changes["done"] = result.get("rows", job.total)
        changes["total"] = result.get("rows", job.total)
    if stored_name:
        changes.update(
            file=stored_name,
            file_name=file_name,
            file_expires_at=now + datetime.timedelta(hours=settings.JOB_FILES_KEEP_HOURS),
        )
    return bool(_mine(job).update(**changes))


def job_fail(*, job: Job, error: str) -> bool:
    """Record why an attempt failed; False when the attempt no longer owns the job."""
    now = timezone.now()
    return bool(_mine(job).update(state=Job.State.FAILED, finished_at=now, heartbeat_at=now, error=error))


class JobRun:
    """What a job's function gets: its job, a progress reporter, and a place to save its file.

    A job's function takes a JobRun and returns a small JSON-able dict, its result:

        def export_customers(run: JobRun) -> dict:
            run.progress(done=0, total=count)
            ...
            run.save_file(name="customers.csv", content=handle)
            return {"rows": count}
    """

    def __init__(self, job: Job):
        self.job = job
        self.stored_name = ""
        self.file_name = ""
        self._reported_at = 0.0

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def progress(self, *, done: int, total: int | None = None, force: bool = False) -> None:
        """Show how far the job is (at most twice a second, unless `force`)."""
        now = time.monotonic()
        if not force and now - self._reported_at < PROGRESS_EVERY_SECONDS:
            return
        self._reported_at = now
        changes: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            changes["total"] = self.job.total = total
        _mine(self.job).update(**changes)

    def save_file(self, *, name: str, content: File) -> None:
        """Store the job's file (in the default storage); it is kept for JOB_FILES_KEEP_HOURS."""
        self.discard_file()
        self.file_name = name
        self.stored_name = default_storage.save(f"jobs/{self.job.pk}-{self.job.attempts}-{name}", content)

    def discard_file(self) -> None:
        if self.stored_name:
            default_storage.delete(self.stored_name)
            self.stored_name = ""


class JobError(Exception):
    """A job cannot be done; its message is shown to the job's owner as the reason."""


def job_run(*, job_id: int, worker_id: str) -> None:
    """Run one attempt of a job: claim it, call its function, record the result or the error."""
    from django.utils.module_loading import import_string

    job = job_claim(job_id=job_id, worker_id=worker_id)
    if job is None:
        return
    run = JobRun(job)
    try:
        work: Callable[[JobRun], dict[str, Any]] = import_string(job.kind)
        result = work(run)
    except JobError as error:
        run.discard_file()
        job_fail(job=job, error=str(error))
        return
    except Exception as error:
        run.discard_file()
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job_fail(
            job=job, error=_("The job stopped on an unexpected error (%(error)s).") % {"error": type(error).__name__}
        )
        raise
    if not job_succeed(job=job, result=result or {}, file_name=run.file_name, stored_name=run.stored_name):
        run.discard_file()


# What the workers do beside running jobs (jobs.management.commands.db_worker)


def worker_seen(*, worker_id: str, hostname: str = "", pid: int | None = None) -> None:
    """Record that a worker is alive, and the running jobs it holds."""
    now = timezone.now()
    updated = Worker.objects.filter(pk=worker_id).update(seen_at=now)
    if not updated:
        Worker.objects.create(worker_id=worker_id, hostname=hostname[:200], pid=pid, started_at=now, seen_at=now)
    Job.objects.filter(state=Job.State.RUNNING, worker_id=worker_id).update(heartbeat_at=now)


def jobs_recover(*, now: datetime.datetime | None = None) -> int:
    """Requeue (or, after JOB_MAX_ATTEMPTS, fail) running jobs whose worker has stopped; return how many."""
    from jobs.tasks import run_job

    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    recovered = 0
    for job in Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=stale_before):
        with transaction.atomic():
            if job.attempts < settings.JOB_MAX_ATTEMPTS:
                if _mine(job).update(state=Job.State.QUEUED, worker_id=""):
                    run_job.enqueue(job_id=job.pk)
                    recovered += 1
            else:
                error = _(
                    "The worker running this job stopped (last sign of life %(moment)s) and it was tried "
                    "%(attempts)d times; start it again."
                ) % {
                    "moment": timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S"),
                    "attempts": job.attempts,
                }
                recovered += job_fail(job=job, error=error)
    return recovered


def job_files_remove_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files whose download time is over; return how many."""
    now = now or timezone.now()
    removed = 0
    for job in Job.objects.filter(file_expires_at__lte=now).exclude(file=""):
        default_storage.delete(job.file.name or "")
        removed += Job.objects.filter(pk=job.pk).update(file="", file_expires_at=None)
    return removed


def schedules_run_due(*, now: datetime.datetime | None = None) -> list[Job]:
    """Start the daily jobs due by `now` that have not been started for its local day yet."""
    local = timezone.localtime(now or timezone.now())
    started: list[Job] = []
    if not settings.DAILY_JOBS:
        return started
    today = local.date()
    # One read per round: the workers call this every few seconds, and a job is started once a day.
    last_days = dict(DailyRun.objects.values_list("kind", "day"))
    for daily in daily_jobs():
        started_for = last_days.get(daily.kind)
        if local.time() < daily.at or (started_for is not None and started_for >= today):
            continue
        with transaction.atomic():
            claimed = DailyRun.objects.filter(kind=daily.kind, day__lt=today).update(day=today)
            if not claimed:
                try:
                    with transaction.atomic():
                        DailyRun.objects.create(kind=daily.kind, day=today)
                except IntegrityError:  # started for this day already, here or by another worker
                    continue
            job = job_start(kind=daily.kind, title=daily.title, owner=None, params={"day": today.isoformat()})
            DailyRun.objects.filter(kind=daily.kind).update(job=job)
        started.append(job)
    return started
