"""Reads of jobs: each user sees their own (superusers see every job)."""

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from jobs.models import Job, Worker

WORKER_SEEN_SECONDS = 60
Actor = User | AnonymousUser | None


def jobs_visible_to(*, user: Actor) -> QuerySet[Job]:
    jobs = Job.objects.select_related("owner")
    if user is not None and user.is_superuser:
        return jobs
    if user is None or not user.is_authenticated:
        return jobs.none()
    return jobs.filter(owner=user)


def job_get(*, pk: int, user: Actor) -> Job:
    """Return one of the user's jobs, or raise Job.DoesNotExist."""
    return jobs_visible_to(user=user).get(pk=pk)


def worker_last_seen() -> datetime.datetime | None:
    worker = Worker.objects.order_by("-seen_at").first()
    return worker.seen_at if worker else None


def worker_alive(*, now: datetime.datetime | None = None, last_seen: datetime.datetime | None = None) -> bool:
    """Whether a worker has said it is alive in the last minute."""
    seen = last_seen or worker_last_seen()
    return seen is not None and seen > (now or timezone.now()) - datetime.timedelta(seconds=WORKER_SEEN_SECONDS)
