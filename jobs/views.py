"""The jobs the user asked for: a list, one job's progress (HTML or JSON), its file."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from jobs import selectors
from jobs.models import Job


def job_status(job: Job) -> dict:
    """What the job page's progress bar (and any script) reads: ?format=json."""
    return {
        "state": job.state,
        "done": job.done,
        "total": job.total if job.total is not None else 0,
        "download_url": reverse("jobs:job-download", args=[job.pk]) if job.has_download else None,
        "error": job.error or None,
    }


class JobObjectMixin(LoginRequiredMixin):
    def get_job(self) -> Job:
        try:
            return selectors.job_get(pk=self.kwargs["pk"], user=self.request.user)
        except Job.DoesNotExist:
            raise Http404(_("No job with this id.")) from None


class JobListView(LoginRequiredMixin, TemplateView):
    template_name = "jobs/job_list.html"

    def get_context_data(self, **kwargs):
        jobs = selectors.jobs_visible_to(user=self.request.user)
        page = Paginator(jobs, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, jobs=page.object_list, **kwargs)


class JobDetailView(JobObjectMixin, TemplateView):
    template_name = "jobs/job_detail.html"

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        if request.GET.get("format") == "json":
            return JsonResponse(job_status(job))
        return self.render_to_response(self.get_context_data(job=job, status=job_status(job)))


class JobDownloadView(JobObjectMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.get_job()
        if not job.has_download:
            raise Http404(_("This job's file is no longer kept; start the job again."))
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
