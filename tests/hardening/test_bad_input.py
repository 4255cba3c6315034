"""Random, hostile input never breaks a page, and a refused submission writes nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.forms import CustomerForm
from customers.models import Customer
from loyalty.models import PointsEntry
from parties.models import Supplier
from parties.suppliers import SupplierForm
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "\x00", "\u202e", "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "' OR 1=1 --"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["2026-02-30", "31/31/2031", "0000-00-00", "9999-99-99", "-1", "1e309", "NaN"]),
)
# Every field of the forms, so a field added later is fuzzed too.
CUSTOMER_FIELDS = list(CustomerForm._meta.fields)
SUPPLIER_FIELDS = list(SupplierForm._meta.fields)
MANAGEMENT = {"balances-TOTAL_FORMS": "1", "balances-INITIAL_FORMS": "0"}


def fuzzed(fields):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, nasty_text))


@SETTINGS
@given(data=fuzzed(CUSTOMER_FIELDS), balance=fuzzed(["balances-0-branch", "balances-0-amount", "balances-0-side"]))
def test_customer_form_never_breaks(admin_client, data, balance):
    before = Customer.objects.count()
    response = admin_client.post(reverse("customers:customer-create"), {**data, **MANAGEMENT, **balance})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Customer.objects.count() == before


@SETTINGS
@given(data=fuzzed(SUPPLIER_FIELDS))
def test_supplier_form_never_breaks(admin_client, data):
    before = Supplier.objects.count()
    response = admin_client.post(reverse("parties:supplier-create"), {**data, **MANAGEMENT})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Supplier.objects.count() == before


@SETTINGS
@given(
    data=fuzzed(["name", "code", "discount_type", "value", "valid_from", "valid_to", "usage_limit_total", "priority"])
)
def test_master_form_never_breaks(admin_client, data):
    from loyalty.models import Coupon

    before = Coupon.objects.count()
    response = admin_client.post(reverse("loyalty:coupon-create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Coupon.objects.count() == before


@SETTINGS
@given(points=nasty_text, reason=nasty_text)
def test_points_adjustment_never_breaks(admin_client, points, reason):
    customer = Customer.objects.first() or CustomerFactory()
    before = (PointsEntry.objects.count(), Customer.objects.get(pk=customer.pk).points_balance)
    response = admin_client.post(
        reverse("customers:customer-points", args=[customer.pk]), {"points": points, "reason": reason}
    )
    assert response.status_code in (200, 302)
    after = (PointsEntry.objects.count(), Customer.objects.get(pk=customer.pk).points_balance)
    if response.status_code == 200:
        assert after == before
    else:
        assert after[0] == before[0] + 1 and after[1] >= 0


@SETTINGS
@given(
    params=fuzzed(
        [
            "q",
            "o",
            "page",
            "page_size",
            "customer_group",
            "agent",
            "supply_type",
            "status",
            "created_on_after",
            "created_on_before",
            "points_min",
            "points_max",
        ]
    )
)
def test_list_filters_never_break(admin_client, params):
    assert admin_client.get(reverse("customers:customer-list"), params).status_code == 200
