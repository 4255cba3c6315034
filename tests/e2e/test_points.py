"""The points screen: adjust up and down, see the history, and a refusal that keeps what was typed."""

import re

import pytest

from customers.models import Customer
from tests.e2e.helpers import expect
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def adjust(page, points: str, reason: str) -> None:
    page.get_by_role("link", name="Adjust Points").click()
    expect(page.get_by_role("link", name="Adjust Points")).to_have_attribute("aria-current", "page")
    page.get_by_role("spinbutton", name="Points").fill(points)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Save").click()


def test_adjust_points_history_and_refusal(page):
    customer = CustomerFactory(full_name="Priya Raman")
    page.goto(f"/parties/customers/{customer.pk}/points/")
    expect(page).to_have_title("Customer Points – Priya Raman · O2VEND Back Office")
    expect(page.get_by_test_id("points-balance")).to_have_text("0")
    expect(page.get_by_text("No points entries yet.")).to_be_visible()

    adjust(page, "100", "Welcome bonus")
    expect(page.get_by_role("alert")).to_contain_text("+100 points booked for Priya Raman. New balance: 100.")
    adjust(page, "-30", "Correction of a typo")
    expect(page.get_by_role("alert")).to_contain_text("-30 points booked for Priya Raman. New balance: 70.")
    expect(page.get_by_test_id("points-balance")).to_have_text("70")

    expect(page.get_by_role("link", name="Points History")).to_have_attribute("aria-current", "page")
    history = page.get_by_role("table", name="Points History").locator("tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("-30")
    expect(history.nth(0)).to_contain_text("Correction of a typo")
    expect(history.nth(0).locator("td").nth(3)).to_have_text("70")
    expect(history.nth(1)).to_contain_text("+100")
    expect(history.nth(1)).to_contain_text("Welcome bonus")
    expect(history.nth(1).locator("td").nth(3)).to_have_text("100")
    expect(history.nth(0).locator("td").nth(2)).to_have_css("text-align", "right")
    expect(history.nth(0).locator("td").nth(0)).to_have_text(re.compile(r"^\d{2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$"))

    adjust(page, "-1000", "Too much taken")
    expect(page).to_have_title("Error: Customer Points – Priya Raman · O2VEND Back Office")
    points = page.get_by_role("spinbutton", name="Points")
    expect(points).to_have_value("-1000")
    expect(page.get_by_label("Reason")).to_have_value("Too much taken")
    expect(points).to_have_attribute("aria-invalid", "true")
    expect(points).to_be_focused()
    error = page.locator("#id_points_error")
    expect(error).to_have_text("Cannot take away 1,000 points: Priya Raman has only 70 points.")
    assert "id_points_error" in points.get_attribute("aria-describedby").split()
    expect(page.get_by_test_id("points-balance")).to_have_text("70")
    assert Customer.objects.get(pk=customer.pk).points_balance == 70
