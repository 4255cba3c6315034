"""The points API the tills call: tokens, customers, quotes, earn, redeem, reverse, history, schema."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from customers.models import Customer
from loyalty import services
from loyalty.models import ApiToken, PointsEntry, RewardSettings
from parties.models import Branch
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def program():
    settings = RewardSettings.current()
    settings.point_value = Decimal("0.50")
    settings.max_redeem_percent = Decimal("50")
    settings.save()
    return settings


@pytest.fixture
def branch():
    return Branch.objects.create(name="Anna Nagar", code="ANN")


@pytest.fixture
def key(branch):
    return services.api_token_create(name="Till 1", branch=branch, user=None)[1]


@pytest.fixture
def customer():
    return CustomerFactory(
        full_name="Priya Raman",
        phone_number="+919876500001",
        membership_number="MEM-1",
        email="priya@example.in",
        city="Chennai",
        birthday="1990-05-17",
    )


def call(client, name, key, data=None, method="post", headers=None, **kwargs):
    url = reverse(f"api:{name}", kwargs=kwargs or None)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    auth.update(headers or {})
    if method == "get":
        return client.get(url, data or {}, **auth)
    return client.post(url, json.dumps(data or {}), content_type="application/json", **auth)


# Who may call


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "Basic dXNlcjpwdw==", "Bearer"])
def test_no_or_a_wrong_token_answers_401(client, customer, header):
    url = reverse("api:customer-lookup")
    response = client.get(url, {"phone": "9876500001"}, **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}  # nothing about the customer
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_answers_401(client, key, customer):
    assert call(client, "customer-lookup", key, {"phone": "9876500001"}, method="get").status_code == 200
    services.api_token_revoke(token=ApiToken.objects.get())
    assert call(client, "customer-lookup", key, {"phone": "9876500001"}, method="get").status_code == 401


def test_a_staff_login_is_not_a_token(admin_client, customer):
    response = admin_client.get(reverse("api:customer-lookup"), {"phone": "9876500001"})
    assert response.status_code == 401


def test_only_a_hash_of_the_token_is_stored(key):
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and token.prefix == key[:8] and len(token.key_hash) == 64


def test_each_token_is_throttled(client, key, settings, customer, branch):
    settings.API_THROTTLE_RATE = "3/min"
    other = services.api_token_create(name="Till 2", branch=branch, user=None)[1]
    codes = [call(client, "customer-lookup", key, {"phone": "9876500001"}, method="get").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert call(client, "customer-lookup", other, {"phone": "9876500001"}, method="get").status_code == 200


# Customers


def test_lookup_by_phone_or_membership_shows_name_balance_and_tier_only(client, key, customer):
    services.adjust_points(customer=customer, points=40, reason="Gift", user=None)
    for query in ({"phone": "098765 00001"}, {"phone": "+91 98765 00001"}, {"membership_number": "mem-1"}):
        response = call(client, "customer-lookup", key, query, method="get")
        assert response.status_code == 200
        assert response.json() == {
            "id": customer.pk,
            "name": "Priya Raman",
            "points_balance": 40,
            "redeemable_points": 40,
            "tier": None,
        }
    text = response.content.decode()
    for private in ("priya@example.in", "Chennai", "1990", "98765", "MEM-1"):
        assert private not in text


def test_lookup_answers_404_for_no_customer_and_400_for_bad_queries(client, key):
    assert call(client, "customer-lookup", key, {"phone": "9000000000"}, method="get").status_code == 404
    response = call(client, "customer-lookup", key, {}, method="get")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = call(client, "customer-lookup", key, {"phone": "not a phone"}, method="get")
    assert response.status_code == 400 and "phone" in response.json()


def test_create_a_customer_once_per_idempotency_key(client, key):
    data = {"full_name": "Arun Kumar", "phone_number": "9876511111"}
    first = call(client, "customer-create", key, data, headers={"HTTP_IDEMPOTENCY_KEY": "till1-0001"})
    again = call(client, "customer-create", key, data, headers={"HTTP_IDEMPOTENCY_KEY": "till1-0001"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["name"] == "Arun Kumar" and first.json()["points_balance"] == 0
    assert Customer.objects.filter(full_name="Arun Kumar").count() == 1
    other = call(client, "customer-create", key, {"full_name": "Arun Kumar"}, headers={"HTTP_IDEMPOTENCY_KEY": "k2"})
    assert other.status_code == 201 and Customer.objects.filter(full_name="Arun Kumar").count() == 2


def test_create_with_bad_input_answers_field_errors_and_writes_nothing(client, key):
    response = call(client, "customer-create", key, {"full_name": "", "email": "nope", "phone_number": "12"})
    assert response.status_code == 400
    assert {"full_name", "email"} <= set(response.json())
    response = call(client, "customer-create", key, {"full_name": "X", "phone_number": "12"})
    assert response.status_code == 400 and "phone_number" in response.json()
    assert not Customer.objects.exists()


# Points


def test_quote_writes_nothing(client, key, customer, program):
    services.adjust_points(customer=customer, points=500, reason="Gift", user=None)
    response = call(client, "points-quote", key, {"customer": customer.pk, "amount": "1250.00"})
    assert response.status_code == 200
    # 1 point per 100.00 (the default); 50% of 1250.00 at 0.50 a point.
    assert response.json() == {
        "points": 12,
        "redeemable_points": 500,
        "max_redeem_points": 1250,
        "point_value": "0.5000",
    }
    assert PointsEntry.objects.count() == 1


def test_the_same_earn_sent_five_times_books_one_entry(client, key, customer, branch):
    data = {"customer": customer.pk, "bill_number": "ANN-1001", "amount": "750.00"}
    responses = [call(client, "points-earn", key, data) for _ in range(5)]
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200]
    assert len({r.json()["id"] for r in responses}) == 1
    body = responses[0].json()
    assert (body["kind"], body["points"], body["balance_after"], body["branch"]) == ("earn", 7, 7, "ANN")
    assert PointsEntry.objects.filter(bill_number="ANN-1001").count() == 1
    assert Customer.objects.get(pk=customer.pk).points_balance == 7


def test_redeem_and_its_refusals_answer_400_on_the_field(client, key, customer, program):
    services.adjust_points(customer=customer, points=100, reason="Gift", user=None)
    too_many = call(
        client,
        "points-redeem",
        key,
        {"customer": customer.pk, "bill_number": "R1", "points": 101, "bill_amount": "1000"},
    )
    assert too_many.status_code == 400 and "has only 100 points" in too_many.json()["points"][0]
    share = call(
        client, "points-redeem", key, {"customer": customer.pk, "bill_number": "R1", "points": 100, "bill_amount": "50"}
    )
    assert share.status_code == 400 and "At most 50 points" in share.json()["points"][0]
    bad = call(
        client, "points-redeem", key, {"customer": 999999, "bill_number": "", "points": "x", "bill_amount": "-1"}
    )
    assert bad.status_code == 400 and {"customer", "bill_number", "points", "bill_amount"} <= set(bad.json())
    ok = call(
        client, "points-redeem", key, {"customer": customer.pk, "bill_number": "R1", "points": 60, "bill_amount": "500"}
    )
    assert ok.status_code == 201 and ok.json()["value"] == "30.00" and ok.json()["balance_after"] == 40
    retry = call(
        client, "points-redeem", key, {"customer": customer.pk, "bill_number": "R1", "points": 60, "bill_amount": "500"}
    )
    assert retry.status_code == 200 and retry.json()["id"] == ok.json()["id"]
    assert Customer.objects.get(pk=customer.pk).points_balance == 40


def test_an_inactive_customer_cannot_earn(client, key, customer):
    Customer.objects.filter(pk=customer.pk).update(is_active=False)
    response = call(client, "points-earn", key, {"customer": customer.pk, "bill_number": "B1", "amount": "500"})
    assert response.status_code == 400 and "No active customer" in response.json()["customer"][0]


def test_reverse_a_bill_and_retry_it(client, key, customer, program):
    services.adjust_points(customer=customer, points=100, reason="Gift", user=None)
    call(client, "points-earn", key, {"customer": customer.pk, "bill_number": "B5", "amount": "900"})
    call(
        client, "points-redeem", key, {"customer": customer.pk, "bill_number": "B5", "points": 30, "bill_amount": "900"}
    )
    first = call(client, "points-reverse", key, {"bill_number": "B5", "reason": "Returned"})
    again = call(client, "points-reverse", key, {"bill_number": "B5"})
    assert first.status_code == again.status_code == 200
    assert sorted(e["points"] for e in first.json()) == [-9, 30]
    assert first.json() == again.json()
    assert Customer.objects.get(pk=customer.pk).points_balance == 100


def test_a_token_of_another_branch_cannot_reverse_this_branchs_bill(client, key, customer):
    call(client, "points-earn", key, {"customer": customer.pk, "bill_number": "B7", "amount": "900"})
    other = services.api_token_create(
        name="Velachery till", branch=Branch.objects.create(name="Velachery", code="VEL"), user=None
    )[1]
    response = call(client, "points-reverse", other, {"bill_number": "B7"})
    assert response.status_code == 403
    assert not PointsEntry.objects.filter(kind="reverse").exists()
    assert call(client, "points-reverse", key, {"bill_number": "NONE"}).status_code == 400


def test_history_lists_entries_newest_first_without_personal_data(client, key, customer):
    call(client, "points-earn", key, {"customer": customer.pk, "bill_number": "B1", "amount": "900"})
    call(client, "points-earn", key, {"customer": customer.pk, "bill_number": "B2", "amount": "300"})
    response = call(client, "customer-points", key, method="get", pk=customer.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and [e["bill_number"] for e in body["results"]] == ["B2", "B1"]
    assert "priya" not in response.content.decode().lower()
    assert call(client, "customer-points", key, method="get", pk=999999).status_code == 404


def test_the_idempotency_key_replays_the_first_answer_of_an_earn(client, key, customer):
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc"}
    first = call(
        client, "points-earn", key, {"customer": customer.pk, "bill_number": "B1", "amount": "900"}, headers=headers
    )
    again = call(
        client, "points-earn", key, {"customer": customer.pk, "bill_number": "B1", "amount": "900"}, headers=headers
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    elsewhere = call(client, "points-quote", key, {"customer": customer.pk, "amount": "1"}, headers=headers)
    assert elsewhere.status_code == 200  # a quote writes nothing and is not replayed
    wrong_path = call(
        client,
        "points-redeem",
        key,
        {"customer": customer.pk, "bill_number": "B1", "points": 1, "bill_amount": "900"},
        headers=headers,
    )
    assert wrong_path.status_code == 400 and "Idempotency-Key" in wrong_path.json()


# The schema


def test_the_schema_and_its_page_are_served(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/points/earn/",
        "/api/v1/points/redeem/",
        "/api/v1/points/reverse/",
        "/api/v1/customers/lookup/",
    ):
        assert path in paths
    assert "branchToken" in schema["components"]["securitySchemes"]
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200 and b"swagger" in page.content.lower()
