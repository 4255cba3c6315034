import datetime

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import Customer
from parties import gstin
from parties.models import UserCode
from tests.factories import CouponFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db

TN_GSTIN = gstin.make("33", "AAPFU0939F")


def test_username_is_filled_from_the_full_name():
    customer = services.customer_create(full_name="Priya Raman")
    assert customer.username == "priya-raman"


def test_username_clash_gets_the_next_number():
    services.customer_create(full_name="Priya Raman")
    services.customer_create(full_name="Priya Raman")
    third = services.customer_create(full_name="priya  raman")
    assert third.username == "priya-raman-3"


def test_username_typed_by_hand_is_kept():
    assert services.customer_create(full_name="Priya Raman", username="priya").username == "priya"


def test_duplicate_username_is_refused_case_insensitively_naming_the_owner():
    services.customer_create(full_name="Priya Raman", username="priya")
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="Other Person", username="PRIYA")
    assert "Priya Raman" in error.value.message_dict["username"][0]
    assert Customer.objects.count() == 1


def test_duplicate_membership_number_is_refused():
    services.customer_create(full_name="A", membership_number="MEM12345")
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="B", membership_number="mem12345")
    assert "MEM12345" not in error.value.message_dict.get("username", [""])[0]
    assert "already used by A" in error.value.message_dict["membership_number"][0]


def test_blank_membership_numbers_get_automatic_codes():
    first = services.customer_create(full_name="A", membership_number="")
    second = services.customer_create(full_name="B", membership_number="  ")
    assert (first.membership_number, second.membership_number) == ("CUS00001", "CUS00002")


def test_blank_membership_numbers_stay_blank_when_codes_are_off():
    UserCode.objects.filter(kind="customer").update(enabled=False)
    services.customer_create(full_name="A", membership_number="")
    services.customer_create(full_name="B", membership_number="  ")
    assert Customer.objects.filter(membership_number__isnull=True).count() == 2


def test_hand_typed_code_wins_and_automatic_codes_skip_it():
    services.customer_create(full_name="A", membership_number="cus00001")
    assert services.customer_create(full_name="B").membership_number == "CUS00002"


@pytest.mark.parametrize("typed", ["98765 43210", "+91 98765-43210", "09876543210"])
def test_phone_number_is_stored_in_e164(typed):
    customer = services.customer_create(full_name="A", phone_number=typed)
    customer.refresh_from_db()
    assert customer.phone_number.as_e164 == "+919876543210"


def test_invalid_phone_number_is_a_field_error():
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="A", phone_number="12345")
    assert "phone_number" in error.value.message_dict


def test_valid_gstin_matching_the_state_is_accepted_and_normalised():
    customer = services.customer_create(
        full_name="A", tax_number=TN_GSTIN.lower(), state_or_province="Tamil Nadu", supply_type="B2B"
    )
    assert customer.tax_number == TN_GSTIN
    assert customer.state_or_province == "IN-TN"


def test_gstin_with_bad_check_digit_is_refused():
    bad = TN_GSTIN[:-1] + ("A" if TN_GSTIN[-1] != "A" else "B")
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="A", tax_number=bad)
    assert "check digit" in error.value.message_dict["tax_number"][0]


def test_gstin_from_another_state_is_refused():
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="A", tax_number=TN_GSTIN, state_or_province="IN-MH")
    message = error.value.message_dict["tax_number"][0]
    assert "Tamil Nadu" in message and "Maharashtra" in message


def test_b2b_needs_a_gstin():
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="A", supply_type="B2B")
    assert "GSTIN" in error.value.message_dict["tax_number"][0]


def test_foreign_tax_numbers_are_not_checked_as_gstin():
    customer = services.customer_create(full_name="A", country="SG", tax_number="200312345A")
    assert customer.tax_number == "200312345A"


def test_state_is_stored_as_iso_code_and_unknown_state_refused():
    assert services.customer_create(full_name="A", state_or_province="Mahārāshtra").state_or_province == "IN-MH"
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="B", state_or_province="Atlantis")
    assert "not a state or province of India" in error.value.message_dict["state_or_province"][0]


def test_free_text_state_for_country_without_subdivisions():
    # Bouvet Island has no ISO 3166-2 subdivisions.
    customer = services.customer_create(full_name="A", country="BV", state_or_province="Anywhere")
    assert customer.state_or_province == "Anywhere"


@pytest.mark.parametrize(("code", "ok"), [("600001", True), ("60001", False), ("060001", False), ("6000a1", False)])
def test_indian_postal_code_has_six_digits(code, ok):
    if ok:
        assert services.customer_create(full_name="A", postal_code=code).postal_code == code
    else:
        with pytest.raises(ValidationError) as error:
            services.customer_create(full_name="A", postal_code=code)
        assert "6 digits" in error.value.message_dict["postal_code"][0]


def test_birthday_in_the_future_is_refused():
    with pytest.raises(ValidationError) as error:
        services.customer_create(full_name="A", birthday=datetime.date.today() + datetime.timedelta(days=2))
    assert "birthday" in error.value.message_dict


def test_unknown_timezone_is_refused():
    with pytest.raises(ValidationError):
        services.customer_create(full_name="A", timezone="Mars/Olympus")


def test_create_sets_coupons_and_offers_and_creator(django_user_model):
    user = django_user_model.objects.create_user("clerk")
    coupon, offer = CouponFactory(), OfferFactory()
    customer = services.customer_create(full_name="A", coupons=[coupon], offers=[offer], created_by=user)
    assert list(customer.coupons.all()) == [coupon]
    assert list(customer.offers.all()) == [offer]
    assert customer.created_by == user


def test_update_changes_fields_and_refills_blank_username():
    customer = CustomerFactory(full_name="Old Name")
    updated = services.customer_update(customer=customer, full_name="Meera Nair", username="")
    assert updated.username == "meera-nair"
    customer.refresh_from_db()
    assert customer.full_name == "Meera Nair"


def test_failed_update_writes_nothing():
    customer = CustomerFactory(full_name="Kept", email="kept@example.in")
    with pytest.raises(ValidationError):
        services.customer_update(customer=customer, full_name="Changed", email="not-an-email")
    customer.refresh_from_db()
    assert (customer.full_name, customer.email) == ("Kept", "kept@example.in")


def test_delete_removes_the_customer():
    customer = CustomerFactory()
    services.customer_delete(customer=customer)
    assert not Customer.objects.exists()
