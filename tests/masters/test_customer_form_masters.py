"""What the customer form gains from the masters: offered choices, opening balances, codes and dates."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.forms import CustomerForm
from customers.models import Customer
from parties.models import Branch, CreditRule, UserCode, UserDateSetup
from parties.services import user_code_next
from tests.customers.test_views import valid_post
from tests.factories import AgentFactory, CouponFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db

ADD = reverse("customers:customer-create")


def test_form_offers_active_unexpired_rows_and_keeps_what_the_customer_has():
    active, inactive = AgentFactory(name="Active"), AgentFactory(name="Gone", is_active=False)
    current = CouponFactory(name="Current")
    expired = CouponFactory(name="Expired", valid_to=timezone.now() - datetime.timedelta(days=1))
    OfferFactory(name="Future end", valid_to=timezone.now() + datetime.timedelta(days=9))
    form = CustomerForm()
    assert list(form.fields["agent"].queryset) == [active]
    assert list(form.fields["coupons"].queryset) == [current]
    assert [o.name for o in form.fields["offers"].queryset] == ["Future end"]
    customer = CustomerFactory(agent=inactive)
    customer.coupons.add(expired)
    form = CustomerForm(instance=customer)
    assert set(form.fields["agent"].queryset) == {active, inactive}
    assert set(form.fields["coupons"].queryset) == {current, expired}


def test_credit_rule_choice_shows_days_and_limit():
    CreditRule.objects.create(name="Net 30", credit_days=30, credit_limit=Decimal("50000"), on_exceed="block")
    labels = [label for _value, label in CustomerForm().fields["credit_rule"].choices]
    assert "Net 30 · 30 days, limit 50,000.00 (block)" in labels


def balances(*rows, initial=0):
    data = {"balances-TOTAL_FORMS": str(len(rows)), "balances-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"balances-{index}-{key}": value for key, value in row.items()})
    return data


def test_opening_balances_are_saved_and_netted(admin_client):
    chennai = Branch.objects.create(name="Chennai", code="CHN")
    pune = Branch.objects.create(name="Pune", code="PNQ")
    rows = balances(
        {"branch": chennai.pk, "amount": "1500.50", "side": "receivable"},
        {"branch": pune.pk, "amount": "500", "side": "payable"},
    )
    response = admin_client.post(ADD, {**valid_post(), **rows})
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.net_opening_balance == Decimal("1000.50")
    page = admin_client.get(reverse("customers:customer-update", args=[customer.pk])).content.decode()
    assert "1,000.50" in page


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (({"amount": "10", "side": "receivable"}, {"amount": "20", "side": "payable"}), "duplicate"),
        (({"amount": "-1", "side": "receivable"},), "greater than or equal to 0"),
    ],
)
def test_opening_balance_rules(admin_client, rows, says):
    branch = Branch.objects.create(name="Chennai", code="CHN")
    data = balances(*({**row, "branch": branch.pk} for row in rows))
    response = admin_client.post(ADD, {**valid_post(), **data})
    assert response.status_code == 200
    assert says in response.content.decode().lower()
    assert not Customer.objects.exists()


def test_branch_with_balances_cannot_be_deleted(admin_client):
    branch = Branch.objects.create(name="Chennai", code="CHN")
    services.customer_create(full_name="A", opening_balances=[{"branch": branch, "amount": 5, "side": "receivable"}])
    page = admin_client.post(reverse("parties:branch-delete", args=[branch.pk])).content.decode()
    assert "is used by 1 customer" in page
    assert Branch.objects.filter(pk=branch.pk).exists()


def test_codes_use_prefix_padding_and_suffix():
    UserCode.objects.filter(kind="customer").update(prefix="CU", padding=3, suffix="-IN", next_number=7)
    assert services.customer_create(full_name="A").membership_number == "CU007-IN"
    assert UserCode.objects.get(kind="customer").next_number == 8


def test_failed_save_gives_the_number_back():
    with pytest.raises(Exception):  # noqa: B017 - any refusal must roll the counter back
        services.customer_create(full_name="A", email="not-an-email")
    assert services.customer_create(full_name="B").membership_number == "CUS00001"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_saves_never_share_a_code():
    codes, errors = [], []
    lock = threading.Lock()

    def work():
        try:
            for _ in range(10):
                code = user_code_next(kind="customer")
                with lock:
                    codes.append(code)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(codes) == len(set(codes)) == 50
    assert UserCode.objects.get(kind="customer").next_number == 51


def test_user_date_setup_hides_and_requires_dates(admin_client):
    setup = UserDateSetup.current()
    setup.birthday_required = True
    setup.anniversary_enabled = False
    setup.save()
    form = CustomerForm()
    assert "anniversary" not in form.fields
    assert form.fields["birthday"].required
    response = admin_client.post(ADD, valid_post())
    assert "birthday" in response.context["form"].errors


def test_hiding_a_date_keeps_stored_dates(admin_client):
    customer = CustomerFactory(anniversary=datetime.date(2015, 2, 14))
    UserDateSetup.objects.update_or_create(pk=1, defaults={"anniversary_enabled": False})
    url = reverse("customers:customer-update", args=[customer.pk])
    assert admin_client.post(url, valid_post(is_active="on")).status_code == 302
    customer.refresh_from_db()
    assert customer.anniversary == datetime.date(2015, 2, 14)


def test_user_date_settings_screen(admin_client):
    url = reverse("settings:user-dates")
    data = {"birthday_enabled": "on", "birthday_required": "on", "spouse_birthday_required": "on"}
    response = admin_client.post(url, data)
    assert "only be required when it is shown" in response.content.decode()
    data.pop("spouse_birthday_required")
    assert admin_client.post(url, data).status_code == 302
    assert UserDateSetup.current().birthday_required is True


def test_user_codes_settings_screen(admin_client):
    url = reverse("settings:user-codes")
    page = admin_client.get(url)
    formset = page.context["formset"]
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3"}
    for index, form in enumerate(formset.forms):
        row = form.instance
        data.update(
            {
                f"form-{index}-id": row.pk,
                f"form-{index}-prefix": "C$" if row.kind == "customer" else row.prefix,
                f"form-{index}-next_number": row.next_number,
                f"form-{index}-suffix": "",
                f"form-{index}-padding": 4,
                f"form-{index}-enabled": "on",
            }
        )
    assert "letters and digits only" in admin_client.post(url, data).content.decode()
    data.update({f"form-{i}-prefix": f.instance.prefix for i, f in enumerate(formset.forms)})
    assert admin_client.post(url, data).status_code == 302
    assert UserCode.objects.get(kind="customer").preview == "CUS0001"
