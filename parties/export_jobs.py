"""Exports too large for a request: written by a background job, kept for download.

The view (parties.views.ExportView) starts the job with what it needs to read the list
again on the worker: the export's and the list selector's dotted paths, the list's query
parameters and who asked (whose visibility rules still apply). The worker reads the rows
in keyset batches, writes the same file the request would have, and stores it.
"""

import tempfile
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.core.files import File
from django.http import QueryDict
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from jobs.services import JobError, JobRun, job_start
from parties.exports import csv_lines, export_filename, write_xlsx
from parties.keyset import keyset_batches

# Each batch costs a few fixed queries (its bound, its many-to-many names); ten thousand rows make them negligible.
BATCH_ROWS = 10_000
# Excel's sheet holds 1,048,576 rows, the header row among them.
XLSX_MAX_ROWS = 1_048_576 - 1
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)"}


def export_job_start(*, export: str, source: str, stem: str, title: str, file_format: str, filters: QueryDict, user):
    """Queue an export of the list `source(filters=..., user=...)` reads; return its job."""
    return job_start(
        kind="parties.export_jobs.export_job",
        title=f"{title} ({FORMATS[file_format]})",
        owner=user,
        params={
            "export": export,
            "source": source,
            "stem": stem,
            "format": file_format,
            "filters": filters.urlencode(),
            "user": user.pk,
        },
    )


def _counted(rows: Iterable[tuple], run: JobRun, total: int) -> Iterator[tuple]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % 1000 == 0:  # progress() itself writes at most twice a second
            run.progress(done=done, total=total)
    run.progress(done=done, total=total, force=True)


def export_job(run: JobRun) -> dict:
    """The job's work: the list's rows, read batch by batch, written to a stored file."""
    params = run.params
    user = get_user_model().objects.filter(pk=params["user"], is_active=True).first()
    if user is None:
        raise JobError(_("The user who asked for this export can no longer sign in."))
    export = import_string(params["export"])
    queryset = import_string(params["source"])(filters=QueryDict(params["filters"]), user=user)
    total = queryset.count()
    if params["format"] == "xlsx" and total > XLSX_MAX_ROWS:
        raise JobError(xlsx_too_long(total))
    run.progress(done=0, total=total, force=True)
    batches = keyset_batches(queryset, size=BATCH_ROWS)
    rows = _counted((row for batch in batches for row in export.rows(batch)), run, total)
    with tempfile.TemporaryFile() as handle:
        if params["format"] == "xlsx":
            write_xlsx(export.columns, rows, handle)
        else:
            for piece in csv_lines(export.columns, rows):
                handle.write(piece.encode("utf-8"))
        handle.seek(0)
        run.save_file(name=export_filename(params["stem"], params["format"]), content=File(handle))
    return {"rows": total}


def xlsx_too_long(rows: int) -> str:
    return _(
        "These %(rows)s rows do not fit in one Excel sheet (at most %(limit)s rows under the header). "
        "Narrow the list with its filters, or export it as CSV."
    ) % {"rows": f"{rows:,}", "limit": f"{XLSX_MAX_ROWS:,}"}
