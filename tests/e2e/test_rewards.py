"""The reward-points screens in a browser: settings with an error, a till token shown once, the report, the lots."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty import services
from loyalty.models import ApiToken, RewardSettings, Tier
from parties.models import Branch
from tests.e2e.helpers import axe_violations, describe_violations, expect
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_settings_refusal_keeps_what_was_typed_then_saves(page):
    page.goto("/settings/reward-points/")
    expect(page).to_have_title("Reward Points · O2VEND Back Office")
    page.get_by_label("points per earn step").fill("3")
    page.get_by_label("maximum share of a bill paid with points (%)").fill("140")
    page.get_by_label("Tier 1 – name").fill("Gold")
    page.get_by_label("Tier 1 – points earned to qualify").fill("500")
    page.get_by_role("button", name="Save").click()
    share = page.get_by_label("maximum share of a bill paid with points (%)")
    expect(share).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_max_redeem_percent_error")).to_contain_text("less than or equal to 100")
    expect(page.get_by_label("points per earn step")).to_have_value("3")
    expect(page.get_by_label("Tier 1 – name")).to_have_value("Gold")
    assert not RewardSettings.objects.exists()

    share.fill("25")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Reward points settings saved (version 2)")
    assert RewardSettings.current().earn_points == 3 and Tier.objects.get().name == "Gold"


def test_a_till_token_is_shown_once(page):
    Branch.objects.create(name="Anna Nagar", code="ANN")
    page.goto("/loyalty/api-tokens/")
    page.get_by_label("Till or terminal").fill("Till 2")
    page.get_by_label("Branch").select_option(label="Anna Nagar")
    page.get_by_role("button", name="Make token").click()
    key = page.locator("#new-token-key").inner_text()
    assert len(key) > 30 and ApiToken.objects.get().prefix == key[:8]
    page.reload()  # a plain GET now: the key is not shown again
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_role("table")).to_contain_text(key[:8])
    page.get_by_role("button", name="Revoke Till 2").click()
    expect(page.get_by_role("table")).to_contain_text("Revoked")


def test_reward_screens_have_no_serious_axe_violations(new_page, admin_user):
    from tests.e2e.helpers import login

    branch = Branch.objects.create(name="Anna Nagar", code="ANN")
    Tier.objects.create(name="Gold", min_points=100, multiplier=2)
    customer = CustomerFactory(full_name="Priya Raman")
    services.earn_for_bill(customer=customer, bill_number="B-1", amount=Decimal("2500"), branch=branch, user=None)
    services.opening_points(
        customer=customer, points=40, expires_on=timezone.localdate() + datetime.timedelta(days=30), user=None
    )
    page = new_page(bypass_csp=True)
    page.goto("/accounts/login/")
    login(page, admin_user.username)
    found = []
    for url in (
        "/settings/reward-points/",
        "/loyalty/api-tokens/",
        "/loyalty/liability/",
        f"/parties/customers/{customer.pk}/points/?tab=lots",
    ):
        page.goto(url)
        violations = axe_violations(page)
        if violations:
            found.append(f"{url}:\n{describe_violations(violations)}")
    assert not found, "\n\n".join(found)
    page.goto(f"/parties/customers/{customer.pk}/points/?tab=lots")
    lots = page.get_by_test_id("lots").locator("tbody tr")
    expect(lots).to_have_count(2)
    expect(lots.nth(0)).to_contain_text("Opening points")
    expect(page.get_by_test_id("next-tier")).to_have_text("75 more for Gold")


def test_the_api_documentation_page_lists_the_calls(page):
    page.goto("/api/docs/")
    expect(page.get_by_text("O2VEND points API").first).to_be_visible(timeout=15000)
    expect(page.get_by_text("/api/v1/points/earn/").first).to_be_visible()
    expect(page.get_by_text("/api/v1/points/reverse/").first).to_be_visible()
