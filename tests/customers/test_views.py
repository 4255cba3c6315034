import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from parties import gstin
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db

LIST = reverse("customers:customer-list")
ADD = reverse("customers:customer-create")


def valid_post(**overrides):
    data = {
        "full_name": "Priya Raman",
        "username": "",
        "phone_number": "98765 43210",
        "supply_type": "B2C",
        "timezone": "Asia/Kolkata",
        "country": "IN",
        "state_or_province": "IN-TN",
        "balances-TOTAL_FORMS": "0",
        "balances-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("url", [LIST, ADD, "/parties/customers/1/edit/", "/parties/customers/1/delete/"])
def test_login_required(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_root_redirects_to_customers(admin_client):
    assert admin_client.get("/")["Location"] == LIST


def test_list_shows_the_columns(admin_client):
    CustomerFactory(
        full_name="Priya Raman", membership_number="MEM12345", customer_group=CustomerGroupFactory(name="VIP")
    )
    html = admin_client.get(LIST).content.decode()
    for text in (
        "Full Name",
        "Phone Number",
        "Membership Number",
        "Customer Group",
        "Customer Points",
        "Created On",
        "Actions",
        "Priya Raman",
        "MEM12345",
        "VIP",
        "+91 98765 00000"[:7],
    ):
        assert text in html


def test_empty_list_offers_to_add(admin_client):
    html = admin_client.get(LIST).content.decode()
    assert "No customers yet" in html and ADD in html


def test_pagination_page_size_and_count(admin_client):
    CustomerFactory.create_batch(60)
    response = admin_client.get(LIST, {"page_size": 50, "page": 2})
    assert len(response.context["object_list"]) == 10
    assert "of 60 records" in response.content.decode()
    assert admin_client.get(LIST, {"page_size": 7}).context["page_size"] == 25
    assert admin_client.get(LIST, {"page": "abc"}).context["page_obj"].number == 1


def test_sort_links_keep_filters_and_reset_page(admin_client):
    CustomerFactory.create_batch(2)
    html = admin_client.get(LIST, {"q": "Customer", "page": 1, "o": "full_name"}).content.decode()
    assert "?q=Customer&amp;o=-full_name" in html


def test_list_query_count_is_constant_whatever_the_page_and_size(admin_client):
    CustomerFactory.create_batch(120, customer_group=CustomerGroupFactory())
    counts = []
    for params in ({}, {"page": 2}, {"page_size": 100}, {"page": 5}, {"q": "Customer 1", "o": "customer_group"}):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(LIST, params).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_create_customer(admin_client):
    response = admin_client.post(ADD, valid_post())
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.username == "priya-raman"
    assert customer.phone_number.as_e164 == "+919876543210"
    assert customer.created_by == admin_client.user
    follow = admin_client.get(response["Location"])
    assert "Customer “Priya Raman” was created." in follow.content.decode()


def test_invalid_create_shows_field_errors_and_keeps_the_input(admin_client):
    response = admin_client.post(ADD, valid_post(email="not-an-email", phone_number="12", postal_code="12"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"email", "phone_number"}
    html = response.content.decode()
    assert 'value="not-an-email"' in html
    assert 'aria-invalid="true"' in html
    assert not Customer.objects.exists()


def test_gstin_state_mismatch_is_shown_on_the_field(admin_client):
    response = admin_client.post(ADD, valid_post(tax_number=gstin.make("27", "AAPFU0939F"), supply_type="B2B"))
    assert "registered in Maharashtra" in response.context["form"].errors["tax_number"][0]


def test_form_state_dropdown_follows_the_posted_country(admin_client):
    response = admin_client.post(ADD, valid_post(country="US", state_or_province="Texas", full_name=""))
    html = response.content.decode()
    assert '<option value="US-TX" selected>Texas</option>' in html


def test_edit_customer(admin_client):
    customer = CustomerFactory(full_name="Old")
    url = reverse("customers:customer-update", args=[customer.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, valid_post(full_name="New Name", username="new", is_active="on"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.full_name == "New Name"


def test_edit_unknown_customer_is_404(admin_client):
    assert admin_client.get(reverse("customers:customer-update", args=[999])).status_code == 404


def test_delete_needs_confirmation_and_post(admin_client):
    customer = CustomerFactory(full_name="Leaving")
    url = reverse("customers:customer-delete", args=[customer.pk])
    page = admin_client.get(url)
    assert "Delete the customer" in page.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_staff_without_permission_gets_403(client, make_staff):
    client.force_login(make_staff("customers.view_customer"))
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403
    html = client.get(LIST).content.decode()
    assert "Add Customer" not in html


def test_gstin_lookup_endpoint(admin_client):
    number = gstin.make("29", "AAPFU0939F")
    answer = admin_client.get(reverse("customers:customer-gstin"), {"number": number}).json()
    assert answer["valid"] and answer["state"] == "IN-KA"
    bad = admin_client.get(reverse("customers:customer-gstin"), {"number": "nonsense"}).json()
    assert bad["valid"] is False and bad["error"]


def test_state_list_endpoint(admin_client):
    answer = admin_client.get("/parties/states/", {"country": "in"}).json()
    assert {"code": "IN-TN", "name": "Tamil Nadu"} in answer["states"]
    assert admin_client.get("/parties/states/", {"country": "BV"}).json()["states"] == []


@pytest.mark.parametrize("coupon_id", ["9223372036854775808", "-9223372036854775809"])
def test_coupon_id_too_large_for_the_database_is_a_field_error(admin_client, coupon_id):
    response = admin_client.post(ADD, valid_post(coupons=coupon_id))
    assert response.status_code == 200
    assert "coupons" in response.context["form"].errors
    assert not Customer.objects.exists()
