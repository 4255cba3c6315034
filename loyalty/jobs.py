"""The daily expiry of reward points, run by the background workers (see LoyaltyConfig.ready)."""

import datetime
from typing import Any

from django.utils import timezone

from jobs.services import JobRun
from loyalty.services import points_expire_run


def expire_points(run: JobRun) -> dict[str, Any]:
    """Expire what is left of lots past their date on the job's day (today when not given)."""
    day = run.params.get("day")
    when = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return points_expire_run(day=when, progress=lambda done, total: run.progress(done=done, total=total))
