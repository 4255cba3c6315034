"""The customer list at any size: estimated counts, far pages, and search through the trigram index."""

import pytest
from django.db import connection
from django.urls import reverse

from customers import services
from customers.models import Customer
from parties.pagination import LargeTablePaginator
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
LIST = reverse("customers:customer-list")


def names(response) -> list[str]:
    return [customer.full_name for customer in response.context["page_obj"].object_list]


def test_above_the_exact_limit_the_count_is_an_estimate_and_far_pages_hold_the_right_rows(admin_client, monkeypatch):
    for number in range(60):
        CustomerFactory(full_name=f"Member {number:02d}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the statistics a real table has, which the estimate reads
    monkeypatch.setattr(LargeTablePaginator, "exact_up_to", 20)
    monkeypatch.setattr(LargeTablePaginator, "deferred_from", 10)
    ordered = list(Customer.objects.order_by("full_name", "-pk").values_list("full_name", flat=True))
    first = admin_client.get(LIST, {"o": "full_name"})
    assert first.context["page_obj"].paginator.estimated
    assert "of about" in first.content.decode() or "of more than" in first.content.decode()
    assert names(first) == ordered[:25]
    middle = admin_client.get(LIST, {"o": "full_name", "page": 2})
    assert names(middle) == ordered[25:50]
    pages = first.context["page_obj"].paginator.num_pages
    last = admin_client.get(LIST, {"o": "full_name", "page": pages})
    assert names(last) and set(names(last)) <= set(ordered[25:])


def test_an_exact_count_below_the_limit(admin_client):
    CustomerFactory.create_batch(3)
    response = admin_client.get(LIST)
    assert not response.context["page_obj"].paginator.estimated
    assert response.context["page_obj"].paginator.count == 3


def search(client, words: str) -> set[str]:
    response = client.get(LIST, {"q": words, "status": "all", "page_size": 100})
    return set(names(response))


def test_search_by_part_of_a_phone_name_or_membership_number(admin_client):
    CustomerFactory(full_name="Priya Raman", phone_number="+919876543210", membership_number="MEM-77812")
    CustomerFactory(full_name="Arjun Mehta", phone_number="+919811122233", membership_number="MEM-10001")
    assert search(admin_client, "6543") == {"Priya Raman"}
    assert search(admin_client, "riya") == {"Priya Raman"}
    assert search(admin_client, "7781") == {"Priya Raman"}
    assert search(admin_client, "mehta 1112") == {"Arjun Mehta"}
    assert search(admin_client, "me") == {"Priya Raman", "Arjun Mehta"}  # under three letters: field by field


def test_the_search_index_follows_creates_updates_deletes_and_imports(admin_client):
    customer = services.customer_create(full_name="Kavya Iyer", phone_number="+919845012345")
    assert search(admin_client, "kavya") == {"Kavya Iyer"}
    assert search(admin_client, "kavitha") == set()
    services.customer_update(customer=customer, full_name="Kavitha Iyer", phone_number="+919845099999")
    assert search(admin_client, "5012345") == set()
    assert search(admin_client, "kavitha") == {"Kavitha Iyer"}
    Customer.objects.filter(pk=customer.pk).delete()  # also a delete outside the services
    assert search(admin_client, "kavitha") == set()
    Customer.objects.bulk_create([Customer(full_name="Bulk Imported Person", username="bulk-imported")])
    assert search(admin_client, "imported") == {"Bulk Imported Person"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table and its triggers are SQLite's")
def test_sqlite_keeps_the_triggers_that_fill_the_search_table():
    # A later migration that rebuilds the customers table drops them silently: this test says so.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customers_customer'")
        triggers = {name for (name,) in cursor.fetchall()}
    assert len(triggers) >= 3, triggers
