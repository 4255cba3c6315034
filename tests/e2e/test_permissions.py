"""A viewer sees the customers and their points but none of the controls that change them."""

import pytest
from django.contrib.auth.models import Permission

from loyalty import services as loyalty
from tests.e2e.helpers import PASSWORD, expect, login, rows
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEW_PERMISSIONS = ("customers.view_customer", "customers.view_customergroup", "loyalty.view_pointsentry")
# Where sales agents only see their own customers, seeing them all is one more view permission.
OPTIONAL_VIEW_PERMISSIONS = ("customers.view_all_customers",)


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("viewer", password=PASSWORD)
    for name in (*VIEW_PERMISSIONS, *OPTIONAL_VIEW_PERMISSIONS):
        app_label, codename = name.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        assert permission is not None or name in OPTIONAL_VIEW_PERMISSIONS, name
        if permission is not None:
            user.user_permissions.add(permission)
    assert all(p.startswith("view_") for p in user.user_permissions.values_list("codename", flat=True))
    return user


def test_viewer_sees_no_controls_that_change_anything(new_page, viewer):
    group = CustomerGroupFactory(name="Retail")
    customer = CustomerFactory(full_name="Priya Raman", customer_group=group)
    loyalty.adjust_points(customer=customer, points=50, reason="Welcome bonus", user=None)
    page = new_page()
    login(page, viewer.username)

    expect(rows(page)).to_have_count(1)
    main = page.get_by_role("main")
    for name in ("Add Customer", "Import", "Edit Priya Raman", "Delete Priya Raman"):
        expect(main.get_by_role("link", name=name)).to_have_count(0)
    expect(main.get_by_role("button", name="Export")).to_have_count(0)
    expect(main.get_by_role("link", name="CSV")).to_have_count(0)
    expect(
        page.locator("a[href*='/edit/'], a[href*='/delete/'], a[href*='/export/'], a[href*='/import/']")
    ).to_have_count(0)
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Customer Groups")).to_be_visible()
    for screen in ("Suppliers", "Coupons", "Offers", "Agents", "Automatic User Codes", "User Date Setup"):
        expect(menu.get_by_role("link", name=screen)).to_have_count(0)

    main.get_by_role("link", name="Points of Priya Raman").click()
    expect(page.get_by_test_id("points-balance")).to_have_text("50")
    expect(page.get_by_role("link", name="Adjust Points")).to_have_count(0)
    expect(page.get_by_role("table", name="Points History").locator("tbody tr")).to_have_count(1)
    expect(main.get_by_role("link", name="Priya Raman")).to_have_count(0)  # the breadcrumb is no edit link

    page.goto(f"/parties/customers/{customer.pk}/points/?tab=adjust")
    expect(page.get_by_role("link", name="Points History")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("spinbutton", name="Points")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    page.goto("/parties/customer-groups/")
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_role("main").get_by_role("link", name="Add customer group")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit Retail")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete Retail")).to_have_count(0)

    for url in (
        "/parties/customers/add/",
        f"/parties/customers/{customer.pk}/edit/",
        f"/parties/customers/{customer.pk}/delete/",
        "/parties/customers/export/?format=csv",
        "/parties/customers/import/",
    ):
        response = page.request.get(url)
        assert response.status == 403, f"{url} answered {response.status} to a viewer"
    page.goto("/parties/customers/")
