"""Realistic, deterministic demo data: Indian names, cities, phones and GSTINs."""

import datetime
import random

import phonenumbers
from django.utils import timezone

from customers.models import Customer, CustomerGroup, SupplyType
from loyalty.models import Coupon, Offer, PointsEntry, PointsKind
from parties import gstin
from parties.models import Affiliate, Agent, CreditRule
from parties.text import next_free, username_base

FIRST_NAMES = [
    "Aarav",
    "Aditi",
    "Akash",
    "Ananya",
    "Arjun",
    "Deepa",
    "Divya",
    "Farhan",
    "Gaurav",
    "Harini",
    "Ishaan",
    "Kavya",
    "Karthik",
    "Lakshmi",
    "Meera",
    "Mohan",
    "Nandini",
    "Naveen",
    "Pooja",
    "Pradeep",
    "Priya",
    "Rahul",
    "Rajesh",
    "Ramya",
    "Rohan",
    "Sanjay",
    "Saranya",
    "Shreya",
    "Siddharth",
    "Sneha",
    "Suresh",
    "Tanvi",
    "Varun",
    "Vidya",
    "Vikram",
    "Yamini",
    "Zoya",
    "Abdul",
    "Fatima",
    "Joseph",
    "Mary",
    "Gurpreet",
    "Harpreet",
]
LAST_NAMES = [
    "Raman",
    "Iyer",
    "Sharma",
    "Verma",
    "Patel",
    "Reddy",
    "Nair",
    "Menon",
    "Gupta",
    "Singh",
    "Khan",
    "Das",
    "Mukherjee",
    "Joshi",
    "Kulkarni",
    "Pillai",
    "Rao",
    "Shetty",
    "Chatterjee",
    "Bose",
    "Agarwal",
    "Mehta",
    "Desai",
    "Naidu",
    "Subramanian",
    "Krishnan",
    "Fernandes",
    "D'Souza",
]
# (city, ISO state, GST state code, first digits of the PIN code)
CITIES = (
    ("Chennai", "IN-TN", "33", "600"),
    ("Coimbatore", "IN-TN", "33", "641"),
    ("Madurai", "IN-TN", "33", "625"),
    ("Mumbai", "IN-MH", "27", "400"),
    ("Pune", "IN-MH", "27", "411"),
    ("Bengaluru", "IN-KA", "29", "560"),
    ("Hyderabad", "IN-TS", "36", "500"),
    ("New Delhi", "IN-DL", "07", "110"),
    ("Kolkata", "IN-WB", "19", "700"),
    ("Ahmedabad", "IN-GJ", "24", "380"),
    ("Jaipur", "IN-RJ", "08", "302"),
    ("Kochi", "IN-KL", "32", "682"),
    ("Lucknow", "IN-UP", "09", "226"),
)
STREETS = ("Main Road", "Gandhi Street", "Nehru Nagar", "MG Road", "Anna Salai", "Station Road", "Temple Street")
GROUPS = (
    ("Retail", "Walk-in shoppers"),
    ("Wholesale", "Bulk buyers with GST invoices"),
    ("Staff", "Employees"),
    ("VIP", "Top spenders"),
)
AGENTS = (("Karthik Subramanian", "EMP00001"), ("Meera Nair", "EMP00002"), ("Rohan Mehta", "EMP00003"))
CREDIT_RULES = (("Cash only", 0), ("7 days", 7), ("15 days", 15), ("30 days", 30))
AFFILIATES = ("Chennai Food Bloggers", "Campus Ambassadors")
COUPONS = (("Welcome 10%", "WELCOME10"), ("Diwali Flat 200", "DIWALI200"), ("Birthday Treat", "BDAY15"))
OFFERS = ("Buy 2 Get 1", "Weekend 5% off", "Festive combo")


def _masters(model, rows: list[dict]) -> list:
    return [model.objects.get_or_create(name=row.pop("name"), defaults=row)[0] for row in rows]


def seed_masters() -> dict[str, list]:
    """Create the demo masters once (by name) and return them by kind."""
    return {
        "groups": _masters(CustomerGroup, [{"name": n, "description": d} for n, d in GROUPS]),
        "agents": _masters(Agent, [{"name": n, "code": c} for n, c in AGENTS]),
        "credit_rules": _masters(CreditRule, [{"name": n, "credit_days": d} for n, d in CREDIT_RULES]),
        "affiliates": _masters(Affiliate, [{"name": n} for n in AFFILIATES]),
        "coupons": _masters(Coupon, [{"name": n, "code": c} for n, c in COUPONS]),
        "offers": _masters(Offer, [{"name": n} for n in OFFERS]),
    }


def _phone(rng: random.Random) -> str:
    while True:
        number = f"+91{rng.choice('6789')}{rng.randrange(10**8, 10**9)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _pan(rng: random.Random, holder: str) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        "".join(rng.choice(letters) for _ in range(3))
        + holder
        + rng.choice(letters)
        + f"{rng.randrange(10000):04d}"
        + rng.choice(letters)
    )


def seed_customers(*, count: int, seed: int, batch_size: int = 2000) -> int:
    """Add demo customers until there are `count`; return how many were added.

    Rows are built valid by construction and written with bulk inserts, so a
    hundred thousand take seconds, not minutes.
    """
    masters = seed_masters()
    existing = Customer.objects.count()
    if existing >= count:
        return 0
    rng = random.Random(seed * 1_000_003 + existing)
    taken = {name.lower() for name in Customer.objects.values_list("username", flat=True)}
    now = timezone.now()
    span = datetime.timedelta(days=730)
    batch, added = [], 0
    coupon_links = []
    for index in range(existing, count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        full_name = f"{first} {last}"
        username = next_free(username_base(full_name), taken)
        taken.add(username.lower())
        city, state, gst_code, pin = rng.choice(CITIES)
        business = rng.random() < 0.15
        customer = Customer(
            full_name=full_name,
            alias_name=first if rng.random() < 0.3 else "",
            username=username,
            email=f"{username}@example.in" if rng.random() < 0.7 else "",
            birthday=datetime.date(rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
            if rng.random() < 0.5
            else None,
            phone_number=_phone(rng),
            membership_number=f"MEM{index + 1:06d}",
            tax_number=gstin.make(gst_code, _pan(rng, "C" if business else "P")) if business else "",
            supply_type=SupplyType.B2B if business else SupplyType.B2C,
            customer_group=rng.choice(masters["groups"]) if rng.random() < 0.8 else None,
            agent=rng.choice(masters["agents"]) if rng.random() < 0.5 else None,
            credit_rule=rng.choice(masters["credit_rules"]) if business else None,
            affiliate=rng.choice(masters["affiliates"]) if rng.random() < 0.05 else None,
            country="IN",
            state_or_province=state,
            city=city,
            postal_code=f"{pin}{rng.randrange(1000):03d}",
            address_line1=f"{rng.randrange(1, 200)}, {rng.choice(STREETS)}",
            contact_name=full_name,
            is_active=rng.random() > 0.05,
            created_on=now - span + span * (index + 1) / count,
        )
        batch.append(customer)
        if rng.random() < 0.1:
            coupon_links.append((len(batch) - 1, rng.choice(masters["coupons"])))
        if len(batch) >= batch_size:
            added += _flush(batch, coupon_links, rng)
            batch, coupon_links = [], []
    added += _flush(batch, coupon_links, rng)
    return added


def _points_history(rng: random.Random, created_on: datetime.datetime) -> list[PointsEntry]:
    """Return a believable ledger (earns, redemptions, an adjustment) with running balances."""
    entries, balance = [], 0
    when = created_on
    for _ in range(rng.choice((0, 0, 1, 2, 3, 4))):
        when += datetime.timedelta(days=rng.randrange(1, 30), minutes=rng.randrange(600))
        roll = rng.random()
        if roll < 0.65 or balance == 0:
            points, kind, reason, reference = (
                rng.randrange(10, 500),
                PointsKind.EARN,
                "",
                f"INV-{rng.randrange(10**6):06d}",
            )
        elif roll < 0.9:
            points, kind, reason, reference = (
                -rng.randrange(1, balance + 1),
                PointsKind.REDEEM,
                "",
                f"INV-{rng.randrange(10**6):06d}",
            )
        else:
            points, kind, reason, reference = 50, PointsKind.ADJUST, "Goodwill for a delayed delivery", ""
        balance += points
        entries.append(
            PointsEntry(
                points=points,
                kind=kind,
                reason=reason,
                reference=reference,
                balance_after=balance,
                created_at=min(when, timezone.now()),
            )
        )
    return entries


def _flush(batch: list[Customer], coupon_links: list, rng: random.Random) -> int:
    # The ledger is built first so each customer's stored balance is its ledger's sum.
    ledgers = [_points_history(rng, customer.created_on) for customer in batch]
    for customer, ledger in zip(batch, ledgers, strict=True):
        customer.points_balance = ledger[-1].balance_after if ledger else 0
    created = Customer.objects.bulk_create(batch)
    entries = []
    for customer, ledger in zip(created, ledgers, strict=True):
        for entry in ledger:
            entry.customer_id = customer.pk
            entries.append(entry)
    PointsEntry.objects.bulk_create(entries)
    if coupon_links:
        through = Customer.coupons.through
        through.objects.bulk_create(
            [through(customer_id=created[position].pk, coupon_id=coupon.pk) for position, coupon in coupon_links]
        )
    return len(created)
