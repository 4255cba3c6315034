"""The reward-points screens: settings, till tokens, the liability report and the customer's lots and tier."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from loyalty import services
from loyalty.models import ApiToken, GroupMultiplier, RewardSettings, Tier
from loyalty.selectors import token_hash
from parties.models import Branch
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db
SETTINGS = reverse("loyalty-settings:reward-points")
TOKENS = reverse("loyalty:api-token-list")
LIABILITY = reverse("loyalty:liability")


def settings_data(**changes):
    data = {
        "earn_per_amount": "100.00",
        "earn_points": "2",
        "min_bill_amount": "50.00",
        "rounding": "down",
        "point_value": "0.25",
        "min_balance_to_redeem": "100",
        "max_redeem_percent": "30",
        "expiry_months": "12",
        "tier_window_months": "12",
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-name": "Gold",
        "tiers-0-min_points": "500",
        "tiers-0-multiplier": "1.5",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_settings_save_with_tiers_and_group_multipliers(admin_client):
    group = CustomerGroupFactory(name="Wholesale")
    page = admin_client.get(SETTINGS)
    assert page.status_code == 200 and "Reward Points" in page.content.decode()
    data = settings_data(
        **{"groups-TOTAL_FORMS": "1", "groups-0-customer_group": str(group.pk), "groups-0-multiplier": "2"}
    )
    response = admin_client.post(SETTINGS, data, follow=True)
    assert "Reward points settings saved (version 2)" in response.content.decode()
    settings = RewardSettings.current()
    assert (settings.earn_points, settings.max_redeem_percent, settings.expiry_months) == (2, Decimal("30"), 12)
    assert settings.updated_by == admin_client.user
    assert Tier.objects.get().name == "Gold"
    assert GroupMultiplier.objects.get().multiplier == Decimal("2")
    customer = CustomerFactory(customer_group=group)
    assert services.points_for_bill(customer=customer, amount=Decimal("1000")) == 40


def test_bad_settings_show_errors_next_to_the_fields_and_save_nothing(admin_client):
    data = settings_data(earn_per_amount="0", max_redeem_percent="150", **{"tiers-0-multiplier": "-1"})
    response = admin_client.post(SETTINGS, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_earn_per_amount_error"' in body and 'id="id_max_redeem_percent_error"' in body
    assert 'id="id_tiers-0-multiplier_error"' in body
    assert 'value="Gold"' in body  # nothing typed is lost
    assert not RewardSettings.objects.exists() and not Tier.objects.exists()


def test_settings_are_for_store_managers(client, django_user_model):
    user = django_user_model.objects.create_user("billing", password="pw-for-tests-only")
    user.groups.add(Group.objects.get(name="Billing"))
    client.force_login(user)
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, settings_data()).status_code == 403
    assert not RewardSettings.objects.exists()


def test_a_token_is_shown_once_and_only_its_hash_is_kept(admin_client):
    branch = Branch.objects.create(name="Anna Nagar", code="ANN")
    response = admin_client.post(TOKENS, {"name": "Till 1", "branch": branch.pk})
    assert response.status_code == 302
    response = admin_client.get(TOKENS)
    assert response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(key) and key not in token.key_hash
    assert key in response.content.decode()
    assert key not in admin_client.get(TOKENS).content.decode()  # shown once
    assert not any(key in str(value) for value in admin_client.session.values())
    assert token.prefix in admin_client.get(TOKENS).content.decode()


def test_a_token_without_a_name_or_branch_is_refused_on_the_fields(admin_client):
    response = admin_client.post(TOKENS, {"name": "", "branch": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "branch"}
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(admin_client, client):
    branch = Branch.objects.create(name="Anna Nagar", code="ANN")
    token, key = services.api_token_create(name="Till 1", branch=branch, user=None)
    response = admin_client.post(TOKENS, {"revoke": token.pk}, follow=True)
    assert "revoked" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    lookup = client.get(reverse("api:customer-lookup"), {"phone": "1"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert lookup.status_code == 401


def test_liability_by_branch_and_expiry_month_with_csv(admin_client):
    settings = RewardSettings.current()
    settings.point_value = Decimal("0.50")
    settings.save()
    branch = Branch.objects.create(name="Anna Nagar", code="ANN")
    customer = CustomerFactory()
    services.earn_for_bill(customer=customer, bill_number="B1", amount=Decimal("2000"), branch=branch, user=None)
    month = timezone.localdate().replace(day=1) + datetime.timedelta(days=62)
    services.opening_points(customer=customer, points=100, expires_on=month, user=None)
    services.redeem_for_bill(
        customer=customer, bill_number="R1", points=10, bill_amount=Decimal("1000"), branch=branch, user=None
    )
    page = admin_client.get(LIABILITY)
    report = page.context["report"]
    assert (report["points"], report["value"]) == (110, Decimal("55.00"))
    by_branch = {row["code"]: row["points"] for row in report["by_branch"]}
    # The redemption took the first lot to expire: the opening points, not the earned ones (no expiry).
    assert by_branch == {None: 90, "ANN": 20}
    assert [(row["month"], row["points"]) for row in report["by_month"]] == [(month.replace(day=1), 90), (None, 20)]
    csv = admin_client.get(LIABILITY, {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Disposition"].startswith('attachment; filename="points-liability-')
    assert "Branch,ANN Anna Nagar,20,10.00" in text and f"Expiry month,{month:%Y-%m},90,45.00" in text
    assert "Expiry month,Never expire,20,10.00" in text
    assert "Total,,110,55.00" in text


def test_the_points_page_shows_lots_their_expiry_and_the_next_tier(admin_client):
    Tier.objects.create(name="Silver", min_points=5, multiplier=1)
    Tier.objects.create(name="Gold", min_points=50, multiplier=2)
    branch = Branch.objects.create(name="Anna Nagar", code="ANN")
    customer = CustomerFactory()
    services.earn_for_bill(customer=customer, bill_number="B-42", amount=Decimal("800"), branch=branch, user=None)
    url = reverse("customers:customer-points", args=[customer.pk])
    body = admin_client.get(url, {"tab": "lots"}).content.decode()
    assert "B-42" in body and "Never" in body
    assert "Silver" in body and "42 more for Gold" in body
