"""A long export in the browser: Export on a filtered list, the job's progress bar, the download."""

import csv
import os
import signal

import pytest

from tests.e2e.helpers import expect
from tests.factories import CustomerFactory, CustomerGroupFactory
from tests.jobs.workers import database_url_of_tests, worker_process

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_long_export_runs_as_a_job_whose_page_follows_it_to_the_download(page, settings, tmp_path):
    settings.EXPORT_INLINE_MAX_ROWS = 20
    vip, other = CustomerGroupFactory(name="VIP"), CustomerGroupFactory(name="Other")
    CustomerFactory.create_batch(45, customer_group=vip)
    CustomerFactory.create_batch(5, customer_group=other)
    page.goto("/parties/customers/")
    page.get_by_label("Customer group").select_option(label="VIP")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("button", name="Export").click()
    page.get_by_role("link", name="CSV").click()

    # No worker yet: the job waits, and its page says so.
    page.wait_for_url("**/jobs/*/")
    expect(page.get_by_role("heading", name="Customers export (CSV)")).to_be_visible()
    expect(page.locator("[data-job-state]")).to_have_text("Queued")
    expect(page.locator("progress")).to_have_attribute("value", "0")
    download_link = page.get_by_role("link", name="Download")
    expect(download_link).to_be_hidden()

    worker = worker_process(database_url_of_tests())
    try:
        # The page follows the job by itself, without reloading.
        expect(page.locator("[data-job-state]")).to_have_text("Succeeded", timeout=30_000)
        expect(page.locator("progress")).to_have_attribute("value", "100")
        expect(page.locator("[data-job-count]")).to_have_text("45 of 45 rows")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("customers-") and download.suggested_filename.endswith(".csv")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with open(target, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 45 and {record["Customer group"] for record in records} == {"VIP"}

    page.get_by_role("link", name="Jobs").first.click()
    expect(page.get_by_role("cell", name="Customers export (CSV)")).to_be_visible()
