"""Exports longer than EXPORT_INLINE_MAX_ROWS run as jobs and give the file the request would have."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from customers.models import Customer
from jobs.models import Job
from parties import export_jobs
from parties.keyset import keyset_batches
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
EXPORT = reverse("customers:customer-export")


@pytest.fixture
def customers():
    vip, walk_in = CustomerGroupFactory(name="VIP"), CustomerGroupFactory(name="Walk-in")
    for n in range(23):
        CustomerFactory(
            full_name=f"Member {n % 7:02d}",  # repeated names: the order needs its tie-breaker
            customer_group=(vip, walk_in, None)[n % 3],
            email=f'=HYPERLINK("x") {n}@example.in' if n == 4 else f"m{n}@example.in",
        )


def inline_export(client, params) -> bytes:
    response = client.get(EXPORT, params)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def job_export(client, params) -> tuple[Job, bytes]:
    response = client.get(EXPORT, params)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    status = client.get(reverse("jobs:job-detail", args=[job.pk]), {"format": "json"}).json()
    download = client.get(status["download_url"])
    return job, b"".join(download.streaming_content)


@pytest.mark.parametrize(
    "order", ["", "full_name", "-full_name", "customer_group", "-customer_group", "-points_balance"]
)
def test_an_export_job_writes_what_the_request_would_in_the_same_order(admin_client, customers, settings, order):
    params = {"format": "csv", "status": "all", "o": order}
    expected = inline_export(admin_client, params)
    settings.EXPORT_INLINE_MAX_ROWS = 10
    export_jobs.BATCH_ROWS, batch_rows = 4, export_jobs.BATCH_ROWS  # many batches, one tie across a boundary
    try:
        job, produced = job_export(admin_client, params)
    finally:
        export_jobs.BATCH_ROWS = batch_rows
    assert produced == expected
    assert (job.done, job.total, job.owner, job.file_name.endswith(".csv")) == (23, 23, admin_client.user, True)
    rows = list(csv.reader(io.StringIO(produced.decode("utf-8-sig"))))
    assert len(rows) == 24 and any(row[3].startswith("'=HYPERLINK") for row in rows)


def test_an_export_job_keeps_the_lists_filters_and_writes_xlsx(admin_client, customers, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    group = Customer.objects.filter(customer_group__name="VIP").first().customer_group
    _job, produced = job_export(admin_client, {"format": "xlsx", "customer_group": group.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(produced)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + Customer.objects.filter(customer_group=group, is_active=True).count() == 9
    assert {row[rows[0].index("Customer group")] for row in rows[1:]} == {"VIP"}


def test_a_short_export_still_downloads_at_once(admin_client, customers, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 23
    assert admin_client.get(EXPORT, {"format": "csv", "status": "all"}).status_code == 200
    assert not Job.objects.exists()


def test_an_xlsx_longer_than_a_sheet_is_refused_before_any_work_offering_csv(admin_client, customers, monkeypatch):
    monkeypatch.setattr(export_jobs, "XLSX_MAX_ROWS", 20)
    response = admin_client.get(EXPORT, {"format": "xlsx", "status": "all", "q": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "do not fit in one Excel sheet" in page and "23 rows" in page
    assert f'href="{EXPORT}?format=csv&amp;status=all&amp;q="' in page
    assert not Job.objects.exists()


def test_keyset_batches_cover_every_row_once_in_order(customers):
    ordered = Customer.objects.order_by("customer_group__name", "-full_name", "-pk")
    batches = [list(batch.values_list("pk", flat=True)) for batch in keyset_batches(ordered, size=5)]
    assert all(len(batch) == 5 for batch in batches[:-1]) and len(batches[-1]) <= 5
    flat = [pk for batch in batches for pk in batch]
    assert flat == list(ordered.values_list("pk", flat=True))  # the database's own order, NULLs included
    assert Customer.objects.filter(customer_group=None).exists()
