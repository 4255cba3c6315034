import csv
import datetime
import gc
import io

import openpyxl
import pytest
from django.db import DatabaseError
from django.urls import reverse

from customers.exports import COLUMNS, CUSTOMER_EXPORT
from parties.exports import PartyExport, neutralise, unneutralise
from tests.factories import CouponFactory, CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("customers:customer-export")
LIST = reverse("customers:customer-list")


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_matches_the_filtered_list_in_count_and_order(admin_client):
    group = CustomerGroupFactory(name="VIP")
    for n in range(30):
        CustomerFactory(full_name=f"Member {n:02d}", customer_group=group if n % 2 else None)
    params = {"customer_group": group.pk, "o": "-full_name", "page": 2, "page_size": 25}
    listed = [
        c.full_name for c in admin_client.get(LIST, {**params, "page": 1}).context["page_obj"].paginator.object_list
    ]
    response = admin_client.get(EXPORT, {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = read_csv(response)
    assert rows[0] == [column.header for column in COLUMNS]
    assert [row[0] for row in rows[1:]] == listed
    assert len(rows) == 16


def test_csv_values_dates_and_names(admin_client):
    coupons = [CouponFactory(name="Welcome"), CouponFactory(name="Diwali")]
    customer = CustomerFactory(
        full_name="प्रिया ராமன்", birthday=datetime.date(1990, 5, 17), state_or_province="IN-TN", points_balance=42
    )
    customer.coupons.set(coupons)
    header, row = read_csv(admin_client.get(EXPORT, {"format": "csv"}))
    record = dict(zip(header, row, strict=True))
    assert record["Full name"] == "प्रिया ராமன்"
    assert record["Birthday date"] == "1990-05-17"
    assert record["Coupons"] == "Diwali; Welcome"
    assert record["State or province"] == "Tamil Nadu"
    assert record["Country"] == "India"
    assert record["Customer points"] == "42"
    assert record["Phone number"].startswith("'+91")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_formula_prefixes_are_neutralised_in_both_formats(admin_client, prefix):
    CustomerFactory(full_name=f"{prefix}cmd|' /C calc'!A0", points_balance=7)
    header, row = read_csv(admin_client.get(EXPORT, {"format": "csv"}))
    assert row[0] == f"'{prefix}cmd|' /C calc'!A0"
    sheet, rows = read_xlsx(admin_client.get(EXPORT, {"format": "xlsx"}))
    assert rows[1][0] == f"'{prefix}cmd|' /C calc'!A0"
    assert rows[1][header.index("Customer points")] == 7


def test_a_state_unknown_to_the_country_is_neutralised_too(admin_client):
    # Vatican City has no states to choose from, so the state is stored as typed.
    CustomerFactory(country="VA", state_or_province='=HYPERLINK("http://x","y")')
    header, row = read_csv(admin_client.get(EXPORT, {"format": "csv"}))
    assert dict(zip(header, row, strict=True))["State or province"] == '\'=HYPERLINK("http://x","y")'
    _sheet, rows = read_xlsx(admin_client.get(EXPORT, {"format": "xlsx"}))
    assert dict(zip(rows[0], rows[1], strict=True))["State or province"] == '\'=HYPERLINK("http://x","y")'


def test_xlsx_has_typed_cells_bold_frozen_header_and_filter(admin_client):
    CustomerFactory(full_name="Anu Iyer", birthday=datetime.date(1990, 5, 17), points_balance=12)
    sheet, rows = read_xlsx(admin_client.get(EXPORT, {"format": "xlsx"}))
    header = rows[0]
    record = dict(zip(header, rows[1], strict=True))
    assert record["Full name"] == "Anu Iyer"
    assert record["Birthday date"] == datetime.datetime(1990, 5, 17)
    assert isinstance(record["Created on"], datetime.datetime)
    assert record["Customer points"] == 12
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(COLUMNS))}2"
    assert sheet["A1"].font.bold


@pytest.mark.parametrize(
    ("zone", "created", "shown"),
    [
        ("Asia/Kolkata", "2026-11-28 20:45:09.5", "2026-11-29 02:15:09"),
        # Fractions of a second are cut off, never rounded into the next second (or day).
        ("Asia/Kolkata", "2026-11-28 18:29:59.9996", "2026-11-28 23:59:59"),
        # The morning the UK's clocks go forward: before and after the switch at 01:00 UTC.
        ("Europe/London", "2026-03-29 00:59:59", "2026-03-29 00:59:59"),
        ("Europe/London", "2026-03-29 01:00:00", "2026-03-29 02:00:00"),
        ("Europe/London", "2026-10-25 00:30:00", "2026-10-25 01:30:00"),
        ("Europe/London", "2026-10-25 01:30:00", "2026-10-25 01:30:00"),
    ],
)
def test_created_on_is_the_stores_local_time_in_both_formats(admin_client, settings, zone, created, shown):
    settings.TIME_ZONE = zone
    customer = CustomerFactory()
    moment = datetime.datetime.fromisoformat(created).replace(tzinfo=datetime.UTC)
    type(customer).objects.filter(pk=customer.pk).update(created_on=moment)
    header, row = read_csv(admin_client.get(EXPORT, {"format": "csv"}))
    assert dict(zip(header, row, strict=True))["Created on"] == shown
    _sheet, rows = read_xlsx(admin_client.get(EXPORT, {"format": "xlsx"}))
    assert dict(zip(rows[0], rows[1], strict=True))["Created on"] == datetime.datetime.fromisoformat(shown)


# openpyxl's half-written sheet complains when it is collected; the export itself is what is tested.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_whose_query_fails_is_an_error_not_a_cut_off_file(admin_client, monkeypatch, fmt):
    CustomerFactory()

    def failing(export, queryset):
        raise DatabaseError("database is locked")
        yield  # a generator, like the real one

    monkeypatch.setattr(PartyExport, "rows", failing)
    # The test client raises what the view raised; a response already sent would have hidden it.
    with pytest.raises(DatabaseError):
        admin_client.get(EXPORT, {"format": fmt})
    gc.collect()  # now, while the warning filter above applies


def test_unknown_format_is_a_clear_400(admin_client):
    response = admin_client.get(EXPORT, {"format": "pdf"})
    assert response.status_code == 400
    assert b"format=csv" in response.content


def test_export_needs_its_permission(client, make_staff):
    client.force_login(make_staff("customers.view_customer"))
    assert client.get(EXPORT).status_code == 403
    assert "Export" not in client.get(LIST).content.decode()


def test_neutralise_round_trips():
    for text in ["=1+2", "+919876543210", "-5", "@x", "plain", "'quoted", "'=x", "''", "'"]:
        assert unneutralise(neutralise(text)) == text
    assert neutralise(5) == 5


def test_rows_read_in_many_chunks_are_those_read_in_one(monkeypatch):
    welcome, festive = CouponFactory(name="Welcome"), CouponFactory(name="Festive")
    for n in range(7):
        customer = CustomerFactory(full_name=f"=Member {n}", state_or_province="IN-TN" if n % 2 else "IN-KA")
        customer.coupons.set([welcome, festive][: n % 3])
    queryset = type(customer).objects.order_by("full_name", "-pk")
    in_one = list(CUSTOMER_EXPORT.rows(queryset))
    monkeypatch.setattr("parties.exports.CHUNK_SIZE", 2)
    assert list(CUSTOMER_EXPORT.rows(queryset)) == in_one
    headers = [column.header for column in COLUMNS]
    first, second = (dict(zip(headers, row, strict=True)) for row in in_one[1:3])
    assert (first["Full name"], first["Coupons"], first["State or province"]) == ("'=Member 1", "Welcome", "Tamil Nadu")
    assert (second["Coupons"], second["State or province"]) == ("Festive; Welcome", "Karnataka")


def test_rows_of_a_sliced_queryset_are_that_slice_in_order():
    coupon = CouponFactory(name="Welcome")
    customers = [CustomerFactory(full_name=f"Member {n}") for n in range(5)]
    customers[2].coupons.set([coupon])
    queryset = type(customers[0]).objects.order_by("full_name", "-pk")
    rows = list(CUSTOMER_EXPORT.rows(queryset[1:4]))
    assert [row[0] for row in rows] == ["Member 1", "Member 2", "Member 3"]
    coupons_at = [column.field for column in COLUMNS].index("coupons")
    assert [row[coupons_at] for row in rows] == [None, "Welcome", None]
