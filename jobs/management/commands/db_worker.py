"""django-tasks-db's worker, plus what keeps jobs honest.

Beside running tasks, every worker (a thread of its own, every few seconds) says it is
alive and refreshes the heartbeat of the jobs it runs, requeues or fails jobs whose worker
stopped, removes job files past their download time, and starts the daily jobs
(jobs.schedule) that are due. With --batch, this runs once
before the queue is drained (so jobs of a dead worker are picked up) and once after.
"""

import os
import socket
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from jobs import services

BEAT_SECONDS = 5


def keep_jobs(*, worker_id: str) -> None:
    """One round of the worker's housekeeping."""
    services.worker_seen(worker_id=worker_id, hostname=socket.gethostname(), pid=os.getpid())
    services.jobs_recover()
    services.job_files_remove_expired()
    services.schedules_run_due()


def _keep_jobs_forever(worker_id: str, stop: threading.Event) -> None:
    while not stop.wait(BEAT_SECONDS):
        try:
            keep_jobs(worker_id=worker_id)
        except Exception:  # a busy or restarting database: try again at the next beat
            services.logger.exception("Worker housekeeping failed")
        finally:
            close_old_connections()
    connection.close()


class Command(DatabaseWorkerCommand):
    help = "Run the background worker: queued jobs, heartbeats, recovery of stopped jobs, file cleanup."

    def handle(self, *args, worker_id: str, batch: bool, reload: bool, **options):
        if reload and not batch and os.environ.get("RUN_MAIN") != "true":
            # The autoreloader's parent process only watches files; its child does the work.
            return super().handle(*args, worker_id=worker_id, batch=batch, reload=reload, **options)
        keep_jobs(worker_id=worker_id)
        stop = threading.Event()
        keeper = threading.Thread(target=_keep_jobs_forever, args=(worker_id, stop), daemon=True, name="job-keeper")
        keeper.start()
        try:
            super().handle(*args, worker_id=worker_id, batch=batch, reload=reload, **options)
        finally:
            stop.set()
            keeper.join(timeout=BEAT_SECONDS * 2)
            if batch:
                keep_jobs(worker_id=worker_id)
