"""Background jobs as their owners see them: what, whose, how far, and the file they made."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One piece of long work (an export, an import's dry run) run by a worker, not by a web request.

    `kind` is the dotted path of the function that does the work (see jobs.services.JobRun).
    A job is claimed by one attempt at a time; only the attempt that claimed it may finish it,
    so a job run twice records its result once.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=200)
    title = models.CharField(_("job"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="jobs/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_idx"),
            models.Index(fields=["state", "heartbeat_at"], name="job_state_idx"),
            models.Index(fields=["file_expires_at"], name="job_file_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def has_download(self) -> bool:
        return bool(self.file) and self.file_expires_at is not None and self.file_expires_at > timezone.now()


class Worker(models.Model):
    """A worker process's sign of life, written every few seconds while it runs."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.worker_id


class DailyRun(models.Model):
    """The last day a daily job (jobs.schedule.every_day) was started, so that it starts once a day."""

    kind = models.CharField(_("kind"), max_length=200, primary_key=True)
    day = models.DateField(_("last started for"))
    job = models.ForeignKey(Job, verbose_name=_("job"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("daily job")
        verbose_name_plural = _("daily jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"
