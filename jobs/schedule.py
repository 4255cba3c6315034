"""Jobs that run once a day, started by the workers.

An app registers its daily jobs in its AppConfig.ready():

    every_day(kind="loyalty.jobs.expire_points", title="Expire reward points", at=datetime.time(0, 30))

Every worker's housekeeping (jobs.services.schedules_run_due) starts each one once per
local day (settings.TIME_ZONE), at or after `at`, as an ordinary job with no owner and
`params["day"]` set to that day (ISO 8601), so a job retried after midnight still does the
day it was started for. When several workers run, one of them starts it.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class DailyJob:
    kind: str
    title: str
    at: datetime.time


_daily: dict[str, DailyJob] = {}


def every_day(*, kind: str, title: str, at: datetime.time = datetime.time(2, 0)) -> None:
    _daily[kind] = DailyJob(kind=kind, title=title, at=at)


def daily_jobs() -> list[DailyJob]:
    return list(_daily.values())
