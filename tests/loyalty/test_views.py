import pytest
from django.urls import reverse

from customers.models import Customer
from loyalty import services
from loyalty.models import PointsEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory(full_name="Priya Raman")


def points_url(customer, **query):
    url = reverse("customers:customer-points", args=[customer.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_adjust_then_history_shows_both_rows_and_balance(admin_client, customer):
    assert admin_client.post(points_url(customer), {"points": "100", "reason": "Welcome"}).status_code == 302
    response = admin_client.post(points_url(customer), {"points": "-30", "reason": "Correction"}, follow=True)
    html = response.content.decode()
    assert "New balance: 70" in html
    assert 'data-testid="points-balance">70<' in html
    assert "Welcome" in html and "Correction" in html
    assert [e.points for e in response.context["page_obj"]] == [-30, 100]


def test_adjust_below_zero_shows_error_and_keeps_values(admin_client, customer):
    services.adjust_points(customer=customer, points=70, reason="Gift", user=None)
    response = admin_client.post(points_url(customer), {"points": "-1000", "reason": "Too much"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "has only 70 points" in html
    assert 'value="-1000"' in html and 'value="Too much"' in html
    assert Customer.objects.get(pk=customer.pk).points_balance == 70


def test_adjust_form_says_no_email_is_sent(admin_client, customer):
    assert "no email" in admin_client.get(points_url(customer, tab="adjust")).content.decode()


def test_redemption_tab_lists_redemptions_only(admin_client, customer):
    services.earn_points(customer=customer, points=100, reference="INV-1", user=None)
    services.redeem_points(customer=customer, points=40, reference="INV-2", user=None)
    response = admin_client.get(points_url(customer, tab="redemptions"))
    assert [e.reference for e in response.context["page_obj"]] == ["INV-2"]


def test_staff_without_adjust_permission_sees_history_only(client, make_staff, customer):
    client.force_login(
        make_staff("customers.view_customer", "customers.view_all_customers", "loyalty.view_pointsentry")
    )
    page = client.get(points_url(customer, tab="adjust"))
    assert page.status_code == 200
    assert page.context["tab"] == "history"
    assert "Adjust Points" not in page.content.decode()
    assert client.post(points_url(customer), {"points": "5", "reason": "x"}).status_code == 403
    assert not PointsEntry.objects.exists()


def test_points_filter_on_the_list(admin_client):
    CustomerFactory(full_name="Rich", points_balance=500)
    CustomerFactory(full_name="Poor", points_balance=5)
    response = admin_client.get(reverse("customers:customer-list"), {"points_min": 100})
    assert [c.full_name for c in response.context["object_list"]] == ["Rich"]
    response = admin_client.get(reverse("customers:customer-list"), {"points_max": 100})
    assert [c.full_name for c in response.context["object_list"]] == ["Poor"]


def test_delete_page_refuses_customer_with_points_and_offers_deactivate(admin_client, customer):
    services.earn_points(customer=customer, points=5, reference="", user=None)
    url = reverse("customers:customer-delete", args=[customer.pk])
    response = admin_client.post(url)
    html = response.content.decode()
    assert "points ledger is kept" in html and "Deactivate instead" in html
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert admin_client.post(url, {"deactivate": "1"}).status_code == 302
    assert Customer.objects.get(pk=customer.pk).is_active is False
