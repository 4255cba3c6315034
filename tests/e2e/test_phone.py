"""At a phone's width the menu hides behind a button and the list scrolls sideways inside its card."""

import re

import pytest

from tests.e2e.helpers import PHONE, expect, login, rows
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_phone_width_menu_and_list(new_page, admin_user):
    group = CustomerGroupFactory(name="Neighbourhood Regulars")
    CustomerFactory.create_batch(8, customer_group=group)
    CustomerFactory(full_name="Venkataraman Subramaniam Iyer", customer_group=group)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, admin_user.username)

    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_hidden()
    menu_button = page.get_by_role("button", name="Menu", exact=True)
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    menu_button.click()
    expect(sidebar).to_be_visible()
    # Open, the menu is a modal dialog named after it, and the button says so.
    expect(page.get_by_role("dialog", name="Main menu")).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(sidebar.get_by_role("link", name="Customer Groups")).to_be_visible()
    expect(sidebar).to_have_class(re.compile(r"\bshow\b"))
    expect(sidebar).to_be_focused()  # the focus moved into the menu, and Escape closes it
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(menu_button).to_be_focused()

    # The page itself never scrolls sideways; the table does, inside its card.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator(".table-responsive")
    sizes = scroller.evaluate("el => ({scroll: el.scrollWidth, client: el.clientWidth})")
    assert sizes["scroll"] > sizes["client"], sizes
    expect(scroller).to_have_css("overflow-x", "auto")
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert scroller.evaluate("el => el.scrollLeft") > 0
    expect(rows(page)).to_have_count(9)

    search = page.get_by_role("searchbox", name="Search")
    expect(search).to_be_visible()
    search.fill("Venkataraman")
    search.press("Enter")
    expect(rows(page)).to_have_count(1)
    box = page.get_by_role("button", name="Apply").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    menu_button.click()
    expect(sidebar.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")
    sidebar.get_by_role("button", name="Close menu").click()
    expect(sidebar).to_be_hidden()
    scroller.evaluate("el => { el.scrollLeft = 0; }")
