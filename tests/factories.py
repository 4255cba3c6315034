import factory

from customers.models import Customer, CustomerGroup
from loyalty.models import Coupon, Offer
from parties.models import Affiliate, Agent, CreditRule


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup

    name = factory.Sequence(lambda n: f"Group {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    name = factory.Sequence(lambda n: f"Agent {n}")


class CreditRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    credit_days = 7


class AffiliateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliate

    name = factory.Sequence(lambda n: f"Affiliate {n}")


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    name = factory.Sequence(lambda n: f"Coupon {n}")
    code = factory.Sequence(lambda n: f"CODE{n}")


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    name = factory.Sequence(lambda n: f"Offer {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    """A valid customer written straight to the table (tests of services build their own)."""

    class Meta:
        model = Customer

    full_name = factory.Sequence(lambda n: f"Customer {n}")
    username = factory.Sequence(lambda n: f"customer-{n}")
    phone_number = factory.Sequence(lambda n: f"+9198765{n:05d}")
    membership_number = factory.Sequence(lambda n: f"MEM{n:05d}")
