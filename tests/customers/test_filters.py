import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.selectors import customer_list
from tests.factories import AgentFactory, CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db


def names(filters):
    return [c.full_name for c in customer_list(filters=filters)]


def test_default_lists_active_customers_newest_first():
    CustomerFactory(full_name="Old", created_on=timezone.now() - datetime.timedelta(days=3))
    CustomerFactory(full_name="New")
    CustomerFactory(full_name="Gone", is_active=False)
    assert names({}) == ["New", "Old"]


@pytest.mark.parametrize(("status", "expected"), [("active", ["On"]), ("inactive", ["Off"]), ("all", ["Off", "On"])])
def test_status_filter(status, expected):
    CustomerFactory(full_name="On")
    CustomerFactory(full_name="Off", is_active=False)
    assert sorted(names({"status": status})) == expected


@pytest.mark.parametrize("field", ["full_name", "alias_name", "username", "email", "membership_number", "tax_number"])
def test_search_covers_each_field(field):
    values = {
        "full_name": "Lakshmi Iyer",
        "alias_name": "Lakshmi",
        "username": "lakshmi-i",
        "email": "lakshmi@example.in",
        "membership_number": "LAKSHMI1",
        "tax_number": "LAKSHMITAX",
    }
    CustomerFactory(full_name="Someone", **{field: values[field]} if field != "full_name" else {})
    if field == "full_name":
        CustomerFactory(full_name="Lakshmi Iyer")
    CustomerFactory(full_name="Unrelated")
    assert len(names({"q": "lakshmi"})) == 1


def test_search_by_phone_in_any_format():
    CustomerFactory(full_name="Phone Match", phone_number="+919876543210")
    CustomerFactory(full_name="Other", phone_number="+919123456789")
    assert names({"q": "98765 43210"}) == ["Phone Match"]
    assert names({"q": "43210"}) == ["Phone Match"]
    assert names({"q": "+91 98765-43210"}) == ["Phone Match"]


def test_a_phone_as_typed_finds_either_phone_and_keeps_the_other_filters():
    CustomerFactory(full_name="Own Phone", phone_number="+919876543210")
    CustomerFactory(full_name="Contact Phone", phone_number="+919000000001", contact_phone="+919876543210")
    CustomerFactory(full_name="Left Us", phone_number="+919876543210", is_active=False)
    CustomerFactory(full_name="Other", phone_number="+919123456789")
    assert sorted(names({"q": "098765 43210"})) == ["Contact Phone", "Own Phone"]
    assert sorted(names({"q": "98765 43210", "status": "all"})) == ["Contact Phone", "Left Us", "Own Phone"]


def test_every_search_word_must_match():
    CustomerFactory(full_name="Priya Raman")
    CustomerFactory(full_name="Priya Nair")
    assert names({"q": "priya nair"}) == ["Priya Nair"]


def test_group_agent_and_supply_type_filters():
    group, agent = CustomerGroupFactory(), AgentFactory()
    CustomerFactory(full_name="Grouped", customer_group=group)
    CustomerFactory(full_name="Agented", agent=agent)
    CustomerFactory(full_name="Business", supply_type="B2B")
    assert names({"customer_group": group.pk}) == ["Grouped"]
    assert names({"agent": agent.pk}) == ["Agented"]
    assert names({"supply_type": "B2B"}) == ["Business"]


def test_created_on_range_includes_both_whole_days():
    day = timezone.localtime().replace(year=2026, month=3, day=10, hour=23, minute=30)
    CustomerFactory(full_name="Before", created_on=day - datetime.timedelta(days=1))
    CustomerFactory(full_name="Late on the 10th", created_on=day)
    CustomerFactory(full_name="Early on the 11th", created_on=day + datetime.timedelta(hours=1))
    CustomerFactory(full_name="After", created_on=day + datetime.timedelta(days=2))
    found = names({"created_on_after": "2026-03-10", "created_on_before": "2026-03-11", "o": "created_on"})
    assert found == ["Late on the 10th", "Early on the 11th"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("full_name", ["Anu", "Bala", "Chitra"]),
        ("-full_name", ["Chitra", "Bala", "Anu"]),
        ("points_balance", ["Chitra", "Anu", "Bala"]),
        ("membership_number", ["Bala", "Chitra", "Anu"]),
        ("customer_group", ["Chitra", "Anu", "Bala"]),  # a tie falls back to newest first
        ("phone_number", ["Chitra", "Bala", "Anu"]),
        ("-created_on", ["Chitra", "Bala", "Anu"]),
    ],
)
def test_sort_by_each_column(order, expected):
    a_group, z_group = CustomerGroupFactory(name="A group"), CustomerGroupFactory(name="Z group")
    CustomerFactory(
        full_name="Anu", points_balance=5, membership_number="M3", customer_group=a_group, phone_number="+919800000003"
    )
    CustomerFactory(
        full_name="Bala", points_balance=9, membership_number="M1", customer_group=z_group, phone_number="+919800000002"
    )
    CustomerFactory(
        full_name="Chitra",
        points_balance=1,
        membership_number="M2",
        customer_group=a_group,
        phone_number="+919800000001",
    )
    assert names({"o": order}) == expected


def test_ties_are_broken_by_newest_id_so_pages_are_stable():
    first = CustomerFactory(full_name="Same")
    second = CustomerFactory(full_name="Same")
    assert [c.pk for c in customer_list(filters={"o": "full_name"})] == [second.pk, first.pk]


def test_invalid_filter_values_are_ignored_not_fatal():
    CustomerFactory(full_name="Still listed")
    assert names({"customer_group": "999999", "o": "password", "created_on_after": "yesterday"}) == ["Still listed"]


def test_list_query_is_one_select_with_its_group_joined():
    CustomerFactory.create_batch(3, customer_group=CustomerGroupFactory())
    with CaptureQueriesContext(connection) as queries:
        rows = list(customer_list(filters={}))
        groups = [c.customer_group.name for c in rows]
    assert len(groups) == 3
    assert len(queries) == 1
