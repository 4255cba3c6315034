"""Logging in through the real form."""

import re

import pytest

from tests.e2e.helpers import LIST_URL, PASSWORD, expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_login_wrong_password_then_right_one(new_page, admin_user):
    page = new_page()
    page.goto("/parties/customers/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/parties/customers/"))
    expect(page).to_have_title("Log in · O2VEND Back Office")

    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Log in").click()
    assert posted.value.status == 200, f"a wrong password answered {posted.value.status}"
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_title(re.compile(r"^Error: Log in"))
    expect(page.get_by_label("Username")).to_have_value(admin_user.username)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(page.get_by_role("heading", name="No customers yet")).to_be_visible()  # the empty state
    expect(page.get_by_role("main").get_by_role("link", name="Add Customer")).to_have_count(2)
    expect(page.get_by_text("Signed in as")).to_contain_text(admin_user.username)
