"""Every master screen is the same generic view: walk each one through list, add, edit, delete."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.masters import CUSTOMER_GROUPS
from customers.models import CustomerGroup
from loyalty.masters import COUPONS, OFFERS
from loyalty.models import Coupon
from parties import gstin
from parties.master_specs import AFFILIATES, AGENTS, BRANCHES, CREDIT_RULES
from parties.models import Affiliate, Agent, Branch
from tests.factories import CouponFactory, CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db

VALID = {
    "customer-groups": {"name": "Gold", "description": "", "default_discount_percent": "5"},
    "credit-rules": {"name": "45 days", "credit_days": "45", "on_exceed": "warn", "credit_limit": ""},
    "agents": {"name": "Anand", "code": "", "commission_percent": "2"},
    "affiliates": {"name": "Food Bloggers", "slug": "", "commission_percent": "0"},
    "branches": {
        "name": "Madurai",
        "code": "mdu",
        "country": "IN",
        "state_or_province": "Tamil Nadu",
        "gst_number": gstin.make("33", "AABCO1234E"),
    },
    "coupons": {"name": "Pongal", "code": "pongal25", "discount_type": "percent", "value": "25", "priority": "0"},
    "offers": {"name": "Combo", "discount_type": "amount", "value": "99"},
}
SPECS = [CUSTOMER_GROUPS, CREDIT_RULES, AGENTS, AFFILIATES, BRANCHES, COUPONS, OFFERS]
LOYALTY = ("coupons", "offers")


def url(spec, action, *args):
    namespace = "loyalty" if spec.slug in LOYALTY else "parties"
    return reverse(spec.url_name(namespace, action), args=args)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.slug)
def test_add_list_edit_delete(admin_client, spec):
    data = {**VALID[spec.slug], "is_active": "on"}
    response = admin_client.post(url(spec, "create"), data)
    assert response.status_code == 302, response.context["form"].errors
    row = spec.model.objects.get(name=data["name"])
    listing = admin_client.get(url(spec, "list"))
    assert data["name"] in listing.content.decode()
    assert admin_client.get(url(spec, "list"), {"q": "zzz-nothing"}).context["page_obj"].paginator.count == 0
    response = admin_client.post(url(spec, "update", row.pk), {**data, "name": data["name"] + " 2"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.name == data["name"] + " 2"
    assert "Delete" in admin_client.get(url(spec, "delete", row.pk)).content.decode()
    assert admin_client.post(url(spec, "delete", row.pk)).status_code == 302
    assert not spec.model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.slug)
def test_duplicate_name_is_refused_ignoring_case(admin_client, spec):
    admin_client.post(url(spec, "create"), {**VALID[spec.slug], "is_active": "on"})
    other = {**VALID[spec.slug], "name": VALID[spec.slug]["name"].upper(), "code": "OTHER1", "is_active": "on"}
    response = admin_client.post(url(spec, "create"), other)
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors)
    assert spec.model.objects.count() == 1


@pytest.mark.parametrize(
    ("spec", "changes", "field", "says"),
    [
        (CUSTOMER_GROUPS, {"default_discount_percent": "101"}, "default_discount_percent", "less than or equal to 100"),
        (AGENTS, {"commission_percent": "-1"}, "commission_percent", "greater than or equal to 0"),
        (CREDIT_RULES, {"credit_limit": "-5"}, "credit_limit", "greater than or equal to 0"),
        (CREDIT_RULES, {"credit_days": "-1"}, "credit_days", "greater than or equal to 0"),
        (COUPONS, {"value": "0"}, "value", "more than 0"),
        (COUPONS, {"value": "120"}, "value", "cannot be more than 100"),
        (COUPONS, {"usage_limit_total": "0"}, "usage_limit_total", "greater than or equal to 1"),
        (OFFERS, {"valid_from": "2026-05-10T10:00", "valid_to": "2026-05-01T10:00"}, "valid_to", "before the start"),
        (BRANCHES, {"gst_number": gstin.make("27", "AABCO1234E")}, "gst_number", "registered in Maharashtra"),
    ],
)
def test_value_rules_are_shown_on_the_field(admin_client, spec, changes, field, says):
    response = admin_client.post(url(spec, "create"), {**VALID[spec.slug], **changes, "is_active": "on"})
    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors[field])
    assert not spec.model.objects.exists()


def test_coupon_codes_are_upper_case_and_unique(admin_client):
    admin_client.post(url(COUPONS, "create"), {**VALID["coupons"], "is_active": "on"})
    assert Coupon.objects.get().code == "PONGAL25"
    response = admin_client.post(url(COUPONS, "create"), {**VALID["coupons"], "name": "Other", "is_active": "on"})
    assert "Another coupon already has this code." in str(response.context["form"].errors)


def test_only_one_main_branch(admin_client):
    admin_client.post(url(BRANCHES, "create"), {**VALID["branches"], "is_main": "on", "is_active": "on"})
    second = {**VALID["branches"], "name": "Salem", "code": "SLM", "is_main": "on", "is_active": "on"}
    response = admin_client.post(url(BRANCHES, "create"), second)
    assert "already the main branch" in str(response.context["form"].errors)
    assert Branch.objects.filter(is_main=True).count() == 1


def test_agent_gets_automatic_code_and_hand_typed_code_wins(admin_client):
    admin_client.post(url(AGENTS, "create"), {**VALID["agents"], "is_active": "on"})
    admin_client.post(url(AGENTS, "create"), {**VALID["agents"], "name": "Bala", "code": "emp00002"})
    admin_client.post(url(AGENTS, "create"), {**VALID["agents"], "name": "Chitra"})
    assert list(Agent.objects.order_by("pk").values_list("code", flat=True)) == ["EMP00001", "emp00002", "EMP00003"]


def test_affiliate_slug_is_filled_from_the_name(admin_client):
    admin_client.post(url(AFFILIATES, "create"), {**VALID["affiliates"], "is_active": "on"})
    admin_client.post(url(AFFILIATES, "create"), {**VALID["affiliates"], "name": "Food  bloggers!"})
    assert sorted(Affiliate.objects.values_list("slug", flat=True)) == ["food-bloggers", "food-bloggers-2"]


@pytest.mark.parametrize("kind", ["group", "coupon"])
def test_delete_of_a_used_row_is_refused_and_deactivate_offered(admin_client, kind):
    if kind == "group":
        row, spec = CustomerGroupFactory(name="VIP"), CUSTOMER_GROUPS
        CustomerFactory.create_batch(2, customer_group=row)
    else:
        row, spec = CouponFactory(name="Welcome"), COUPONS
        CustomerFactory.create_batch(2)[0].coupons.add(row)
        CustomerFactory().coupons.add(row)
    page = admin_client.post(url(spec, "delete", row.pk)).content.decode()
    assert "is used by" in page and "cannot be deleted" in page and "Deactivate instead" in page
    assert admin_client.post(url(spec, "delete", row.pk), {"deactivate": "1"}).status_code == 302
    row.refresh_from_db()
    assert row.is_active is False


def test_list_counts_customers_using_each_row_and_sorts_by_it(admin_client):
    busy, quiet = CustomerGroupFactory(name="Busy"), CustomerGroupFactory(name="Quiet")
    CustomerFactory.create_batch(3, customer_group=busy)
    rows = admin_client.get(url(CUSTOMER_GROUPS, "list"), {"o": "-usage_count"}).context["rows"]
    assert [(r["object"].name, r["usage"]) for r in rows] == [("Busy", 3), ("Quiet", 0)]
    assert quiet


def test_status_and_created_on_filters(admin_client):
    CustomerGroupFactory(name="Old", created_on=timezone.now() - datetime.timedelta(days=40))
    CustomerGroupFactory(name="Off", is_active=False)
    CustomerGroupFactory(name="New")

    def names(params):
        return [r["object"].name for r in admin_client.get(url(CUSTOMER_GROUPS, "list"), params).context["rows"]]

    assert names({}) == ["New", "Old"]
    assert names({"status": "inactive"}) == ["Off"]
    since = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert names({"created_on_after": since, "status": "all"}) == ["New", "Off"]


def test_master_screens_need_their_permissions(client, make_staff):
    client.force_login(make_staff("customers.view_customergroup"))
    assert client.get(url(CUSTOMER_GROUPS, "list")).status_code == 200
    assert client.get(url(CUSTOMER_GROUPS, "create")).status_code == 403
    assert client.get(url(COUPONS, "list")).status_code == 403
    assert CustomerGroup.objects.count() == 0


def test_deactivate_needs_the_change_permission(client, make_staff):
    group = CustomerGroupFactory(name="VIP")
    CustomerFactory(customer_group=group)
    client.force_login(make_staff("customers.view_customergroup", "customers.delete_customergroup"))
    page = client.post(url(CUSTOMER_GROUPS, "delete", group.pk)).content.decode()
    assert "cannot be deleted" in page and "Deactivate instead" not in page
    assert client.post(url(CUSTOMER_GROUPS, "delete", group.pk), {"deactivate": "1"}).status_code == 403
    group.refresh_from_db()
    assert group.is_active
