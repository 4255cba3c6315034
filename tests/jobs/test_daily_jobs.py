"""Daily jobs (jobs.schedule): started once per local day, after their time, by the workers."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command

from jobs import schedule, services
from jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
KIND = "tests.jobs.handlers.note_day"


@pytest.fixture
def daily(settings, monkeypatch):
    settings.DAILY_JOBS = True
    monkeypatch.setattr(schedule, "_daily", {})
    schedule.every_day(kind=KIND, title="Note the day", at=datetime.time(2, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=LOCAL)


def test_a_daily_job_starts_once_a_day_after_its_time(daily):
    assert services.schedules_run_due(now=at(4, 1, 59)) == []
    [job] = services.schedules_run_due(now=at(4, 2, 0))
    assert job.owner is None and job.params == {"day": "2026-12-04"} and job.title == "Note the day"
    assert services.schedules_run_due(now=at(4, 23, 59)) == []
    [next_day] = services.schedules_run_due(now=at(5, 9, 30))
    assert next_day.params == {"day": "2026-12-05"}
    assert Job.objects.filter(kind=KIND).count() == 2


def test_the_day_is_the_local_day_of_the_store(daily):
    # 21:00 UTC on the 4th is already 02:30 on the 5th in Asia/Kolkata.
    [job] = services.schedules_run_due(now=datetime.datetime(2026, 12, 4, 21, 0, tzinfo=datetime.UTC))
    assert job.params == {"day": "2026-12-05"}


def test_the_worker_starts_and_runs_the_daily_jobs(daily):
    schedule.every_day(kind=KIND, title="Note the day", at=datetime.time(0, 0))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    [job] = Job.objects.filter(kind=KIND)
    assert job.state == Job.State.SUCCEEDED
    assert job.result == {"day": datetime.datetime.now(LOCAL).date().isoformat()}


def test_no_daily_jobs_when_switched_off(daily, settings):
    settings.DAILY_JOBS = False
    assert services.schedules_run_due(now=at(4, 12)) == []
    assert not Job.objects.exists()
