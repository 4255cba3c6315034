"""The nightly expiry runs on the background workers, once per day, and never twice for one day."""

import datetime
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer
from jobs import schedule
from jobs.models import Job
from jobs.services import job_start, schedules_run_due
from loyalty import services
from loyalty.models import PointsEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
KIND = "loyalty.jobs.expire_points"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_expiry_is_a_daily_job():
    assert KIND in {daily.kind for daily in schedule.daily_jobs()}


def test_the_daily_run_expires_lots_past_their_date_once(settings):
    settings.DAILY_JOBS = True
    day = timezone.localdate() + datetime.timedelta(days=3)
    customers = [CustomerFactory() for _ in range(3)]
    for number, customer in enumerate(customers):
        services.opening_points(customer=customer, points=10 + number, expires_on=day, user=None)
    keeps = CustomerFactory()
    services.opening_points(customer=keeps, points=99, expires_on=day + datetime.timedelta(days=1), user=None)

    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    started = schedules_run_due(now=datetime.datetime.combine(day, datetime.time(1, 0), local))
    [job] = [job for job in started if job.kind == KIND]
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.result == {"day": day.isoformat(), "customers": 3, "points": 33}
    assert [Customer.objects.get(pk=c.pk).points_balance for c in customers] == [0, 0, 0]
    assert Customer.objects.get(pk=keeps.pk).points_balance == 99

    # The same day again (a retried job, or the command by hand) books nothing more.
    again = job_start(kind=KIND, title="Expire reward points", owner=None, params={"day": day.isoformat()})
    run_worker()
    again.refresh_from_db()
    assert again.state == Job.State.SUCCEEDED
    assert again.result == {"day": day.isoformat(), "customers": 0, "points": 0}
    assert PointsEntry.objects.filter(kind="expire").count() == 3
