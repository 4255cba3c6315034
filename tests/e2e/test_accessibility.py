"""axe-core on every kind of screen, and the create-customer flow with the keyboard alone."""

import pytest

from customers.models import Customer
from loyalty import services as loyalty
from parties.models import Supplier
from tests.e2e.helpers import LIST_URL, PHONE, axe_violations, describe_violations, expect, login, rows
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Audit:
    """Collects each screen's serious and critical axe violations, to report them all at once."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []

    def check(self, screen: str, page=None) -> None:
        page = page or self.page
        violations = axe_violations(page)
        if violations:
            self.found.append(f"{screen} ({page.url}):\n{describe_violations(violations)}")


def test_screens_have_no_serious_axe_violations(new_page, admin_user):
    group = CustomerGroupFactory(name="Wholesale")
    customer = CustomerFactory(full_name="Priya Raman", customer_group=group)
    CustomerFactory.create_batch(3, customer_group=group)
    loyalty.adjust_points(customer=customer, points=120, reason="Welcome bonus", user=admin_user)
    Supplier.objects.create(full_name="Kaveri Traders", username="kaveri-traders")
    # The site's Content-Security-Policy forbids inline scripts, which is how axe is injected.
    page = new_page(bypass_csp=True)
    audit = Audit(page)

    page.goto("/accounts/login/")
    audit.check("login page")
    login(page, admin_user.username)

    audit.check("customer list")
    page.goto("/parties/customers/?q=nobody-matches-this")
    audit.check("customer list, nothing found")

    page.goto("/parties/customers/add/")
    audit.check("customer form (add)")

    page.goto(f"/parties/customers/{customer.pk}/edit/")
    page.get_by_label("Full name").fill("")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(2)
    audit.check("customer form (edit, with errors)")

    page.goto(f"/parties/customers/{customer.pk}/points/?tab=adjust")
    audit.check("points page (adjust)")
    page.get_by_role("spinbutton", name="Points").fill("-1000")
    page.get_by_label("Reason").fill("Too much")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("spinbutton", name="Points")).to_have_attribute("aria-invalid", "true")
    audit.check("points page (adjust, refused)")
    page.goto(f"/parties/customers/{customer.pk}/points/")
    audit.check("points page (history)")

    page.goto("/parties/customers/import/")
    audit.check("import page")

    page.goto("/parties/customer-groups/")
    audit.check("customer group list")
    page.goto("/parties/customer-groups/add/")
    audit.check("customer group form")

    page.goto("/parties/suppliers/")
    audit.check("supplier list")

    page.goto(f"/parties/customers/{customer.pk}/history/")
    audit.check("customer history")

    page.goto(f"/parties/customers/{customer.pk}/delete/")
    audit.check("delete confirmation")
    assert Customer.objects.count() == 4

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    login(phone, admin_user.username)
    audit.check("customer list at 390 px", phone)
    phone.get_by_role("button", name="Menu", exact=True).click()
    expect(phone.get_by_role("dialog", name="Main menu")).to_be_visible()
    audit.check("customer list at 390 px, menu open", phone)

    assert not audit.found, "Serious or critical accessibility violations:\n" + "\n".join(audit.found)


def focus_ring(page) -> dict:
    """Return the computed outline of the focused element."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {tag: document.activeElement.tagName, text: document.activeElement.textContent.trim(),
                    style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )


def assert_focus_visible(page) -> None:
    ring = focus_ring(page)
    assert ring["style"] not in ("none", "") and ring["width"] >= 2, f"no visible focus outline on {ring}"


def test_create_customer_with_the_keyboard_alone(page):
    expect(page).to_have_url(LIST_URL)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_visible()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # Tab to the "Add Customer" button and press Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.includes('Add Customer')"):
            break
    expect(page.get_by_role("link", name="Add Customer").first).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_title("Create Customer · O2VEND Back Office")

    full_name = page.get_by_label("Full name")
    expect(full_name).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("Lakshmi Narayanan")
    page.keyboard.press("Tab")  # alias name
    page.keyboard.press("Tab")  # user name, filled while typing
    expect(page.get_by_label("User name")).to_be_focused()
    expect(page.get_by_label("User name")).to_have_value("lakshmi-narayanan")
    assert_focus_visible(page)
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name === 'phone_number'"):
            break
    page.keyboard.type("98400 12345")

    # On to the state drop-down; typing a name picks it, as in any select.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name === 'state_or_province'"):
            break
    expect(page.get_by_label("State or province")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("Kerala")
    expect(page.get_by_label("State or province")).to_have_value("IN-KL")

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'Save'"):
            break
    save = page.get_by_role("button", name="Save")
    expect(save).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("alert")).to_contain_text("Customer “Lakshmi Narayanan” was created.")
    expect(rows(page).filter(has_text="Lakshmi Narayanan")).to_have_count(1)
    saved = Customer.objects.get(username="lakshmi-narayanan")
    assert (saved.state_or_province, saved.phone_number.as_e164) == ("IN-KL", "+919840012345")


def test_submit_button_is_disabled_with_a_spinner_while_saving(page):
    page.goto("/parties/customers/add/")
    page.get_by_label("Full name").fill("Slow Network")
    # Keep the browser from sending the form, as a slow network would, and look at the button meanwhile.
    page.evaluate("document.querySelector('form.party-form').addEventListener('submit', e => e.preventDefault())")
    page.get_by_role("button", name="Save").click()
    save = page.locator("form.party-form button[type=submit]")
    expect(save).to_be_disabled()
    expect(save.locator(".spinner-border")).to_have_count(1)
    expect(page.locator("form.party-form")).to_have_attribute("aria-busy", "true")
    assert Customer.objects.count() == 0

    page.evaluate("document.querySelector('form.party-form').submit()")
    expect(page).to_have_url(LIST_URL)
    expect(page.get_by_role("alert")).to_contain_text("Slow Network")
    assert Customer.objects.count() == 1
