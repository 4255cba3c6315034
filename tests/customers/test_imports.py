import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from customers import services
from customers.exports import COLUMNS, HEADERS
from customers.models import Customer, ImportJob
from jobs.models import Job
from parties import gstin
from tests.factories import CouponFactory, CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("customers:customer-import")
EXPORT = reverse("customers:customer-export")


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def csv_file(rows, header=("Full name", "Phone number", "Membership number", "Customer group"), name="c.csv"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return SimpleUploadedFile(name, ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv")


def upload(client, file):
    response = client.post(IMPORT, {"file": file})
    if response.status_code != 302:
        return response, None
    return client.get(response["Location"]), ImportJob.objects.latest("pk")


def confirm(client, job):
    return client.post(reverse("customers:customer-import-job", args=[job.token]), follow=True)


def test_dry_run_counts_and_confirm_creates(admin_client):
    CustomerGroupFactory(name="VIP")
    CustomerFactory(full_name="Existing", membership_number="MEM1")
    page, job = upload(
        admin_client, csv_file([["Existing", "98765 43210", "MEM1", "VIP"], ["New Person", "98765 43211", "", "vip"]])
    )
    report = job.report
    assert (report["new"], report["updated"], report["unchanged"], report["errors"]) == (1, 1, 0, 0)
    assert Customer.objects.count() == 1, "the dry run writes nothing"
    assert "Import 1 new and 1 updated customers" in page.content.decode()
    done = confirm(admin_client, job)
    assert "Imported: 1 new and 1 updated customers." in done.content.decode()
    assert Customer.objects.count() == 2
    assert Customer.objects.get(membership_number="MEM1").customer_group.name == "VIP"
    assert Customer.objects.get(full_name="New Person").username == "new-person"


def test_errors_are_listed_with_row_and_column_and_nothing_is_written(admin_client):
    _page, job = upload(
        admin_client,
        csv_file([["Good", "98765 43210", "", ""], ["Bad phone", "12", "", ""], ["Bad group", "", "", "Nope"]]),
    )
    errors = job.report["error_list"]
    assert {(e["row"], e["column"]) for e in errors} == {(3, "Phone number"), (4, "Customer group")}
    assert job.report["errors"] == 2
    response = confirm(admin_client, job)
    assert "cannot be confirmed" in response.content.decode()
    assert not Customer.objects.exists()


def test_duplicate_membership_in_file_is_an_error(admin_client):
    _page, job = upload(admin_client, csv_file([["A", "", "M1", ""], ["B", "", "m1", ""]]))
    assert job.report["error_list"][0]["message"] == "“m1” is also in row 2."


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("c.pdf", b"%PDF-1.4"), "Upload a .csv or .xlsx file"),
        (SimpleUploadedFile("c.xlsx", b"this is not a zip"), "not a real Excel .xlsx file"),
        (SimpleUploadedFile("c.csv", b"\xff\xfe\x00bad"), "not UTF-8"),
        (SimpleUploadedFile("c.csv", b"\n\n"), "The file is empty"),
        (csv_file([["x"]], header=("Phone number",)), "Missing required column(s): Full name"),
        (csv_file([["x", "y"]], header=("Full name", "Shoe size")), "Unknown column(s): “Shoe size”"),
    ],
)
def test_bad_files_get_a_clear_message(admin_client, file, message):
    response, job = upload(admin_client, file)
    text = (job.message if job else response.content.decode()).replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert message in text
    assert not Customer.objects.exists()


def test_empty_upload_is_refused_on_the_form(admin_client):
    response, job = upload(admin_client, SimpleUploadedFile("c.csv", b""))
    assert job is None
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_too_many_rows_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr("customers.imports.MAX_ROWS", 3)
    _page, job = upload(admin_client, csv_file([[f"P{n}", "", "", ""] for n in range(5)]))
    assert "more than 200,000 rows" in job.message


def test_too_large_file_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr("customers.imports.MAX_BYTES", 10)
    response, _job = upload(admin_client, csv_file([["A person", "", "", ""]]))
    assert "larger than 20 MB" in response.content.decode()


def test_matching_by_membership_then_username_then_phone(admin_client):
    by_member = CustomerFactory(full_name="M", membership_number="MEM9", username="m")
    by_user = CustomerFactory(full_name="U", membership_number=None, username="u-name")
    by_phone = CustomerFactory(full_name="P", membership_number=None, username="p", phone_number="+919800000001")
    header = ("Full name", "Membership number", "User name", "Phone number", "City")
    rows = [
        ["M", "mem9", "", "", "Chennai"],
        ["U", "", "U-NAME", "", "Pune"],
        ["P", "", "", "98000 00001", "Kochi"],
    ]
    _page, job = upload(admin_client, csv_file(rows, header=header))
    assert job.report["updated"] == 3 and job.report["new"] == 0
    confirm(admin_client, job)
    for customer, city in ((by_member, "Chennai"), (by_user, "Pune"), (by_phone, "Kochi")):
        customer.refresh_from_db()
        assert customer.city == city
    assert Customer.objects.count() == 3


def test_columns_left_out_keep_stored_values(admin_client):
    customer = CustomerFactory(full_name="Kept", membership_number="K1", city="Madurai", email="k@example.in")
    _page, job = upload(
        admin_client, csv_file([["Kept", "K1", "Salem"]], header=("Full name", "Membership number", "City"))
    )
    confirm(admin_client, job)
    customer.refresh_from_db()
    assert (customer.city, customer.email) == ("Salem", "k@example.in")


def test_confirm_refused_when_customers_changed_since_dry_run(admin_client):
    _page, job = upload(admin_client, csv_file([["New", "", "", ""]]))
    CustomerFactory(full_name="Sneaked in")
    response = confirm(admin_client, job)
    assert "changed since the dry run" in response.content.decode()
    assert not Customer.objects.filter(full_name="New").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_import_export_is_identical(admin_client, fmt):
    group = CustomerGroupFactory(name="Wholesale")
    coupons = [CouponFactory(name="Welcome"), CouponFactory(name="Diwali")]
    tricky = CustomerFactory(
        full_name='=HYPERLINK("x")',
        alias_name="-minus",
        email="a@example.in",
        customer_group=group,
        tax_number=gstin.make("33", "AAPFU0939F"),
        supply_type="B2B",
        state_or_province="IN-TN",
        address_line1="@home",
        contact_phone="+919811111111",
        city="சென்னை",
    )
    tricky.coupons.set(coupons)
    CustomerFactory(full_name="प्रिया रमन", membership_number=None, is_active=False)
    # Stored text that starts with the escape apostrophe itself comes back as stored.
    CustomerFactory(full_name="'=quoted", alias_name="'plain", address_line1="''twice")
    first = b"".join(admin_client.get(EXPORT, {"format": fmt, "status": "all"}).streaming_content)
    _page, job = upload(admin_client, SimpleUploadedFile(f"export.{fmt}", first))
    assert job.report["unchanged"] == 3, job.report
    assert job.report["new"] == job.report["updated"] == job.report["errors"] == 0
    if fmt == "csv":
        second = b"".join(admin_client.get(EXPORT, {"format": fmt, "status": "all"}).streaming_content)
        assert second == first
    else:

        def cells(data):
            return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))

        second = b"".join(admin_client.get(EXPORT, {"format": fmt, "status": "all"}).streaming_content)
        assert cells(second) == cells(first)


def test_edited_export_updates_only_what_changed(admin_client):
    customer = CustomerFactory(full_name="Before", city="Chennai")
    body = b"".join(admin_client.get(EXPORT, {"format": "csv"}).streaming_content).decode("utf-8")
    _page, job = upload(admin_client, SimpleUploadedFile("e.csv", body.replace("Before", "After").encode()))
    assert job.report["updated"] == 1
    confirm(admin_client, job)
    customer.refresh_from_db()
    assert (customer.full_name, customer.city) == ("After", "Chennai")


def test_template_has_the_import_headers(admin_client):
    body = admin_client.get(reverse("customers:customer-import-template")).content.decode("utf-8-sig")
    header = body.strip().split(",")
    assert header[0] == "Full name" and "Customer points" not in header
    assert set(header) <= set(HEADERS.values())


def test_import_needs_its_permission(client, make_staff):
    client.force_login(make_staff("customers.view_customer", "customers.export_customer"))
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("customers:customer-import-template")).status_code == 403


def test_command_dry_run_and_import(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("Full name,Phone number\nAnu,98765 43210\nBad,12\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_customers", str(path), "--dry-run")
    assert exit_info.value.code == 1
    assert "row 3, Phone number" in capsys.readouterr().out
    assert not Customer.objects.exists()
    path.write_text("Full name,Phone number\nAnu,98765 43210\n", encoding="utf-8")
    call_command("import_customers", str(path))
    assert Customer.objects.get().phone_number.as_e164 == "+919876543210"


def test_export_headers_are_form_labels():
    assert [c.header for c in COLUMNS][:3] == ["Full name", "Alias name", "User name"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_files_are_checked_and_applied_by_the_background_worker(admin_client, monkeypatch):
    monkeypatch.setattr("customers.views.INLINE_IMPORT_BYTES", 0)
    response = admin_client.post(IMPORT, {"file": csv_file([[f"Person {n}", "", "", ""] for n in range(1500)])})
    job = ImportJob.objects.get()
    assert "Checking" in admin_client.get(response["Location"]).content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.report["new"]) == ("checked", 1500, 1500)
    check = Job.objects.get()
    assert (check.state, check.done, check.owner) == ("succeeded", 1500, admin_client.user)
    admin_client.post(reverse("customers:customer-import-job", args=[job.token]))
    assert "Importing" in admin_client.get(response["Location"]).content.decode()
    assert Customer.objects.count() == 0
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Customer.objects.count() == 1500
    apply = Job.objects.latest("pk")
    assert apply.state == "succeeded" and "Import: " in apply.title
    # The engine delivering the confirmation again (or a retry after a lost worker) writes nothing more.
    services.import_job_apply(job_id=job.pk, user=admin_client.user)
    assert Customer.objects.count() == 1500


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_background_import_that_fails_fails_its_job_with_the_reason(admin_client, monkeypatch):
    monkeypatch.setattr("customers.views.INLINE_IMPORT_BYTES", 0)
    admin_client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", b"Nothing useful\n1\n")})
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job = Job.objects.get()
    assert job.state == "failed" and job.error == ImportJob.objects.get().message != ""


def test_command_takes_files_larger_than_the_upload_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("customers.imports.MAX_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text("Full name,Phone number\nAnu,98765 43210\n", encoding="utf-8")
    call_command("import_customers", str(path))
    assert Customer.objects.filter(full_name="Anu").exists()


def test_every_export_column_has_an_import_spec():
    from customers import imports

    assert [column.field for column in imports.COLUMNS] == list(HEADERS)
