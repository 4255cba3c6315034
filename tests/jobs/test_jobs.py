"""Background jobs through the real engine: the database queue, the worker, the job pages."""

import datetime
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jobs import services
from jobs.models import Job
from tests.jobs.workers import database_url_of_tests, worker_process

# The worker runs here as in production (its own transactions, closing connections between
# tasks), so these tests commit and the database is emptied and restored after each one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]


def drain() -> None:
    """Run every queued job on a worker in this process, as `db_worker --batch` does."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def start(owner, kind="tests.jobs.handlers.count_lines", **params) -> Job:
    return services.job_start(kind=kind, title="Numbers", owner=owner, params=params)


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("asker", password="pw-for-tests-only")


def test_a_job_runs_on_the_worker_and_its_owner_downloads_the_file(client, owner):
    job = start(owner, lines=1500)
    assert Job.objects.get(pk=job.pk).state == Job.State.QUEUED
    drain()
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.attempts) == (Job.State.SUCCEEDED, 1500, 1500, 1)
    client.force_login(owner)
    status = client.get(reverse("jobs:job-detail", args=[job.pk]), {"format": "json"}).json()
    assert status == {
        "state": "succeeded",
        "done": 1500,
        "total": 1500,
        "download_url": reverse("jobs:job-download", args=[job.pk]),
        "error": None,
    }
    download = client.get(status["download_url"])
    assert download["Content-Disposition"] == 'attachment; filename="numbers.txt"'
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert lines[0] == "1" and lines[-1] == "1500" and len(lines) == 1500
    page = client.get(reverse("jobs:job-list")).content.decode()
    assert "Numbers" in page and "Download" in page


def test_jobs_and_their_files_are_hidden_from_everyone_but_the_owner_and_superusers(client, owner, django_user_model):
    job = start(owner, lines=3)
    drain()
    other = django_user_model.objects.create_user("other", password="pw-for-tests-only")
    client.force_login(other)
    for name in ("jobs:job-detail", "jobs:job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "Numbers" not in client.get(reverse("jobs:job-list")).content.decode()
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only")
    client.force_login(boss)
    assert client.get(reverse("jobs:job-download", args=[job.pk])).status_code == 200


def test_a_failed_job_shows_its_reason(client, owner):
    job = start(owner, kind="tests.jobs.handlers.refuse")
    drain()
    client.force_login(owner)
    status = client.get(reverse("jobs:job-detail", args=[job.pk]), {"format": "json"}).json()
    assert status["state"] == "failed" and status["error"] == "The file has no header row."
    assert status["download_url"] is None
    assert "The file has no header row." in client.get(reverse("jobs:job-detail", args=[job.pk])).content.decode()


def test_a_rolled_back_request_queues_nothing(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        start(owner, lines=3)
        raise RuntimeError
    assert not Job.objects.exists()
    drain()  # nothing to run, nothing fails


def test_a_job_run_twice_records_its_result_once(owner):
    job = start(owner, lines=5)
    services.job_run(job_id=job.pk, worker_id="first")
    services.job_run(job_id=job.pk, worker_id="second")  # the engine delivering it again
    job.refresh_from_db()
    assert (job.state, job.attempts, job.worker_id) == (Job.State.SUCCEEDED, 1, "first")
    assert sorted(os.listdir(Path(settings.MEDIA_ROOT) / "jobs")) == [Path(job.file.name).name]


def test_a_late_attempt_cannot_overwrite_the_attempt_that_owns_the_job(owner):
    job = start(owner, lines=5)
    first = services.job_claim(job_id=job.pk, worker_id="slow")
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    assert services.jobs_recover(now=later) == 1  # the slow worker looks dead: the job is queued again
    drain()
    assert services.job_succeed(job=first, result={"rows": 99}) is False
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result) == (Job.State.SUCCEEDED, 2, {"rows": 5})


def test_expired_files_are_removed_by_the_worker(owner, client):
    job = start(owner, lines=3)
    drain()
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.exists()
    Job.objects.filter(pk=job.pk).update(file_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    drain()  # the worker's housekeeping runs before and after the queue
    job.refresh_from_db()
    assert not path.exists() and not job.file
    client.force_login(owner)
    assert client.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404


def wait_until(check, seconds=60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize("max_attempts, outcome", [(2, Job.State.SUCCEEDED), (1, Job.State.FAILED)])
def test_a_job_whose_worker_is_killed_is_retried_or_failed_with_a_reason(
    owner, tmp_path, settings, max_attempts, outcome
):
    settings.JOB_MAX_ATTEMPTS = max_attempts
    release = tmp_path / "release"
    job = start(owner, kind="tests.jobs.handlers.wait_for_release", release=str(release))
    worker = worker_process(database_url_of_tests())
    try:
        wait_until(lambda: Job.objects.get(pk=job.pk).done == 1)
        os.killpg(worker.pid, signal.SIGKILL)  # the machine loses the worker mid-job
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING
    # Minutes later, another worker notices the silence.
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    services.jobs_recover(now=later)
    release.touch()
    drain()
    job.refresh_from_db()
    assert job.state == outcome
    if outcome == Job.State.SUCCEEDED:
        assert job.attempts == 2 and job.file.open("rb").read() == b"attempt 2\n"
    else:
        assert "stopped" in job.error and "tried 1 times" in job.error
