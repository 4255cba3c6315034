"""`python manage.py seed_demo`: valid, repeatable demo data that the screens and services take as their own."""

import pytest
from django.core.management import call_command

from customers.models import Customer
from customers.search import words_condition
from customers.services import customer_create
from loyalty.selectors import points_mismatches

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_valid_customers_once():
    call_command("seed_demo", "--customers", "300", verbosity=0)
    assert Customer.objects.count() == 300
    call_command("seed_demo", "--customers", "300", verbosity=0)
    assert Customer.objects.count() == 300
    for customer in Customer.objects.order_by("?")[:40]:
        customer.full_clean()
    assert len(set(Customer.objects.values_list("username", flat=True))) == 300
    assert points_mismatches() == []


def test_seeded_customers_are_found_and_new_ones_get_new_ids():
    call_command("seed_demo", "--customers", "120", verbosity=0)
    seeded = Customer.objects.order_by("pk").last()
    digits = str(seeded.phone_number.national_number)[-6:]
    assert seeded in Customer.objects.filter(words_condition([digits]))
    assert seeded in Customer.objects.filter(words_condition([seeded.membership_number]))
    added = customer_create(full_name="Walk-in Customer", phone_number="+919876543210")
    assert added.pk > seeded.pk
    call_command("seed_demo", "--customers", "150", verbosity=0)
    assert Customer.objects.count() == 150
    assert Customer.objects.filter(full_name="Walk-in Customer").count() == 1
