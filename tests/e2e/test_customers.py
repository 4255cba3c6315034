"""The customer screens end to end: create, list, edit, export, delete."""

import csv
import datetime
import re
import zoneinfo

import openpyxl
import pytest

from customers.models import Customer
from loyalty import services as loyalty
from parties import gstin
from tests.e2e.helpers import LIST_URL, expect, first_column, rows
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

IST = zoneinfo.ZoneInfo("Asia/Kolkata")


def at_noon(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, 0, tzinfo=IST)


def test_create_customer_with_live_username_states_and_gstin(page):
    CustomerFactory(full_name="Someone Else")
    page.get_by_role("link", name="Add Customer").first.click()
    expect(page).to_have_title("Create Customer · O2VEND Back Office")
    expect(page.get_by_label("Full name")).to_be_focused()

    page.get_by_label("Full name").press_sequentially("Priya Raman")
    expect(page.get_by_label("User name")).to_have_value("priya-raman")

    state = page.get_by_label("State or province")
    page.get_by_label("Country").select_option("US")
    expect(state.locator("option", has_text="Texas")).to_have_count(1)
    expect(state.locator("option", has_text="Tamil Nadu")).to_have_count(0)
    page.get_by_label("Country").select_option("IN")
    expect(state.locator("option", has_text="Tamil Nadu")).to_have_count(1)
    expect(state.locator("option", has_text="Texas")).to_have_count(0)

    number = gstin.make("33", "AAPFU0939F")
    page.get_by_label("Tax number").fill(number)
    page.get_by_role("button", name="Fetch").click()
    expect(page.locator(".gstin-status")).to_contain_text("Valid GSTIN")
    expect(state).to_have_value("IN-TN")
    expect(state.locator("option:checked")).to_have_text("Tamil Nadu")
    page.get_by_label("Phone number").fill("98765 43210")

    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("alert")).to_contain_text("Customer “Priya Raman” was created.")

    page.get_by_role("searchbox", name="Search").fill("priya")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page).to_have_url(re.compile(r"q=priya"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Priya Raman")
    expect(rows(page).first).to_contain_text("priya-raman")
    saved = Customer.objects.get(username="priya-raman")
    assert (saved.tax_number, saved.state_or_province, saved.country.code) == (number, "IN-TN", "IN")
    assert saved.phone_number.as_e164 == "+919876543210"


def test_list_search_filter_sort_and_pages(page):
    retail, wholesale = CustomerGroupFactory(name="Retail"), CustomerGroupFactory(name="Wholesale")
    for day in range(1, 31):
        CustomerFactory(full_name=f"Retail {day:02d}", customer_group=retail, created_on=at_noon(2025, 3, day))
    for name, day in (("Wholesale Anand", 1), ("Wholesale Bala", 10), ("Wholesale Chitra", 20)):
        CustomerFactory(full_name=name, customer_group=wholesale, created_on=at_noon(2025, 2, day))

    page.reload()
    expect(page).to_have_title("Customers · O2VEND Back Office")
    expect(page.get_by_text("Showing 1–25 of 33 records")).to_be_visible()
    assert first_column(page)[0] == "Retail 30"  # newest first

    search = page.get_by_role("searchbox", name="Search")
    search.fill("wholesale")
    page.get_by_role("button", name="Apply").click()
    expect(rows(page)).to_have_count(3)

    search.fill("")
    page.get_by_label("Customer group").select_option(label="Wholesale")
    page.locator("#id_created_on_after").fill("2025-02-05")
    page.locator("#id_created_on_before").fill("2025-02-28")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"created_on_after=2025-02-05.*created_on_before=2025-02-28"))
    expect(rows(page)).to_have_count(2)
    assert first_column(page) == ["Wholesale Chitra", "Wholesale Bala"]
    # One date format everywhere ("20 Feb 2025, 12:00"), and numbers on the right.
    expect(rows(page).first.locator("td").nth(5)).to_have_text("20 Feb 2025, 12:00")
    expect(rows(page).first.locator("td").nth(4)).to_have_css("text-align", "right")
    expect(page.get_by_label("Customer group").locator("option:checked")).to_have_text("Wholesale")
    expect(page.locator("#id_created_on_after")).to_have_value("2025-02-05")

    header = page.get_by_role("columnheader", name="Full Name")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert first_column(page) == ["Wholesale Bala", "Wholesale Chitra"]
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert first_column(page) == ["Wholesale Chitra", "Wholesale Bala"]
    expect(page).to_have_url(re.compile(r"customer_group=\d+"))  # sorting kept the filters

    page.get_by_role("link", name="Clear").click()
    header = page.get_by_role("columnheader", name="Full Name")
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows(page)).to_have_count(25)
    assert first_column(page)[0] == "Retail 01"
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Showing 26–33 of 33 records")).to_be_visible()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert first_column(page)[-1] == "Wholesale Chitra"

    page.get_by_label("Rows per page").select_option("50")
    expect(page).to_have_url(re.compile(r"page_size=50"))
    expect(rows(page)).to_have_count(33)
    expect(page.get_by_text("Showing 1–33 of 33 records")).to_be_visible()
    assert first_column(page)[0] == "Retail 01"  # the sort survived the page size change
    expect(page.get_by_role("navigation", name="Pages")).to_have_count(0)

    page.get_by_role("searchbox", name="Search").fill("nobody by this name")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.get_by_text("Nothing matches these filters.")).to_be_visible()


def test_edit_customer_shows_the_change_in_the_list(page):
    CustomerGroupFactory(name="Wholesale")
    CustomerFactory(full_name="Anil Kumar", username="anil")
    page.reload()
    page.get_by_role("link", name="Edit Anil Kumar").click()
    expect(page).to_have_title("Edit Customer – Anil Kumar · O2VEND Back Office")
    expect(page.get_by_label("Full name")).to_have_value("Anil Kumar")

    page.get_by_label("Full name").fill("Anil Kumar Sharma")
    page.get_by_label("Customer group").select_option(label="Wholesale")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("alert")).to_contain_text("Customer “Anil Kumar Sharma” was updated.")
    row = rows(page).filter(has_text="Anil Kumar Sharma")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Wholesale")
    expect(row).to_contain_text("anil")


def test_edit_with_errors_keeps_values_and_ties_errors_to_fields(page):
    customer = CustomerFactory(full_name="Meena Iyer")
    page.goto(f"/parties/customers/{customer.pk}/edit/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Postal code").fill("12")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_title(re.compile(r"^Error: Edit Customer"))
    email = page.get_by_label("Email")
    expect(email).to_have_value("not-an-email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()  # the first field with an error takes the focus
    error_id = email.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("valid email")
    expect(page.get_by_label("Postal code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Save")).to_be_enabled()
    assert Customer.objects.get(pk=customer.pk).email == ""


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_xlsx(path) -> list[dict]:
    sheet = openpyxl.load_workbook(path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_export_csv_and_xlsx_of_a_filtered_list(page, tmp_path):
    vip, other = CustomerGroupFactory(name="VIP"), CustomerGroupFactory(name="Other")
    for index in range(6):
        CustomerFactory(full_name=f"VIP Guest {index}", customer_group=vip, created_on=at_noon(2025, 5, index + 1))
    CustomerFactory.create_batch(4, customer_group=other)
    page.goto("/parties/customers/?page_size=25")
    page.get_by_label("Customer group").select_option(label="VIP")
    page.locator("#id_created_on_after").fill("2025-05-02")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("columnheader", name="Full Name").get_by_role("link").click()
    expect(rows(page)).to_have_count(5)
    shown = first_column(page)
    assert shown == [f"VIP Guest {index}" for index in range(1, 6)]

    exported = {}
    for label, extension in (("CSV", "csv"), ("Excel (XLSX)", "xlsx")):
        page.get_by_role("button", name="Export").click()
        with page.expect_download() as download_info:
            page.get_by_role("link", name=label).click()
        download = download_info.value
        assert download.suggested_filename.startswith("customers-")
        assert download.suggested_filename.endswith(f".{extension}")
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        exported[extension] = read_csv(target) if extension == "csv" else read_xlsx(target)

    for extension, records in exported.items():
        assert [record["Full name"] for record in records] == shown, extension
        assert {record["Customer group"] for record in records} == {"VIP"}, extension
        assert [record["User name"] for record in records] == list(
            Customer.objects.filter(full_name__in=shown).order_by("full_name").values_list("username", flat=True)
        ), extension


def test_delete_customer_after_confirmation(page):
    CustomerFactory(full_name="Keep Me")
    doomed = CustomerFactory(full_name="Ravi Shankar", membership_number="MEM-DEL-1")
    page.reload()
    page.get_by_role("link", name="Delete Ravi Shankar").click()
    expect(page).to_have_title("Delete Customer – Ravi Shankar · O2VEND Back Office")
    expect(page.get_by_role("main")).to_contain_text("Delete the customer Ravi Shankar? This cannot be undone.")
    expect(page.get_by_role("main")).to_contain_text("MEM-DEL-1")

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(LIST_URL)
    assert Customer.objects.filter(pk=doomed.pk).exists()

    page.get_by_role("link", name="Delete Ravi Shankar").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("alert")).to_contain_text("Ravi Shankar was deleted.")
    expect(rows(page).filter(has_text="Ravi Shankar")).to_have_count(0)
    expect(rows(page).filter(has_text="Keep Me")).to_have_count(1)
    assert not Customer.objects.filter(pk=doomed.pk).exists()


def test_customer_with_points_cannot_be_deleted_but_can_be_deactivated(page, admin_user):
    customer = CustomerFactory(full_name="Loyal Lata")
    loyalty.adjust_points(customer=customer, points=10, reason="Welcome bonus", user=admin_user)
    page.goto(f"/parties/customers/{customer.pk}/delete/")
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_role("alert")).to_contain_text("points ledger is kept")
    # The pressed button's name must reach the server although the button is disabled while sending.
    page.get_by_role("button", name="Deactivate instead").click()
    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("alert")).to_contain_text("Loyal Lata was deactivated")
    customer.refresh_from_db()
    assert not customer.is_active


def test_page_size_with_the_keyboard_waits_for_enter(page):
    CustomerFactory.create_batch(30)
    page.reload()
    size = page.get_by_label("Rows per page")
    apply = page.locator("[data-autosubmit-apply]")
    expect(apply).to_be_hidden()
    size.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(size).to_have_value("100")
    expect(page).not_to_have_url(re.compile(r"page_size="))  # choosing did not reload the page
    expect(apply).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page_size=100"))
    expect(rows(page)).to_have_count(30)
    expect(page.get_by_label("Rows per page")).to_have_value("100")
