"""Job functions the job tests run through the real engine and worker."""

import time
from pathlib import Path

from django.core.files.base import ContentFile

from jobs.services import JobError, JobRun


def count_lines(run: JobRun) -> dict:
    """Write a file of `lines` numbered lines, reporting progress as it goes."""
    lines = run.params["lines"]
    run.progress(done=0, total=lines, force=True)
    text = "".join(f"{number}\n" for number in range(1, lines + 1))
    run.progress(done=lines, force=True)
    run.save_file(name="numbers.txt", content=ContentFile(text.encode()))
    return {"rows": lines}


def refuse(run: JobRun) -> dict:
    raise JobError("The file has no header row.")


def wait_for_release(run: JobRun) -> dict:
    """Hold the job (as a long export would) until the test creates the release file."""
    release = Path(run.params["release"])
    run.progress(done=1, total=10, force=True)
    deadline = time.monotonic() + 60
    while not release.exists():
        if time.monotonic() > deadline:
            raise JobError("not released")
        time.sleep(0.05)
    run.save_file(name="released.txt", content=ContentFile(b"attempt %d\n" % run.job.attempts))
    return {"rows": 10}


def note_day(run: JobRun) -> dict:
    """A daily job: record the day it was started for."""
    return {"day": run.params["day"]}
