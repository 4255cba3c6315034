"""The one task the engine runs for every job (see jobs.services.job_run)."""

from django_tasks import TaskContext, task

from jobs import services


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> None:
    worker_ids = context.task_result.worker_ids
    services.job_run(job_id=job_id, worker_id=worker_ids[-1] if worker_ids else "")
